package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

// pagedField is one paged list of the schema, read through the same four arguments.
type pagedField struct {
	name  string
	actor app.Actor
	// query reads the list as "page" with $first, $after, $last and $before (and the
	// field's own variables, vars); items are {cursor} objects under itemsKey.
	query    string
	itemsKey string
	vars     map[string]any
	total    int // how many items the list holds
	// emptyActor and emptyVars read an empty list of the same field.
	emptyActor app.Actor
	emptyVars  map[string]any
}

type pageDoc struct {
	Items    []struct{ Cursor string }
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
}

func (f pagedField) read(h *harness, actor app.Actor, vars map[string]any, args map[string]any) (pageDoc, gqlResponse) {
	h.t.Helper()
	all := map[string]any{}
	for k, v := range vars {
		all[k] = v
	}
	for k, v := range args {
		all[k] = v
	}
	resp := h.do(actor, f.query, all)
	var out struct{ Page map[string]json.RawMessage }
	var doc pageDoc
	if len(resp.Errors) == 0 {
		if err := json.Unmarshal(resp.Data, &out); err != nil {
			h.t.Fatalf("%s: %s: %v", f.name, resp.Data, err)
		}
		_ = json.Unmarshal(out.Page[f.itemsKey], &doc.Items)
		_ = json.Unmarshal(out.Page["pageInfo"], &doc.PageInfo)
	}
	return doc, resp
}

func (p pageDoc) cursors() []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Cursor)
	}
	return out
}

// check compares a page with the cursors it should hold and its neighbours.
func (p pageDoc) check(t *testing.T, what string, want []string, prev, next bool) {
	t.Helper()
	got := p.cursors()
	start, end := "", ""
	if p.PageInfo.StartCursor != nil {
		start = *p.PageInfo.StartCursor
	}
	if p.PageInfo.EndCursor != nil {
		end = *p.PageInfo.EndCursor
	}
	wantStart, wantEnd := "", ""
	if len(want) > 0 {
		wantStart, wantEnd = want[0], want[len(want)-1]
	}
	if !slices.Equal(got, want) || p.PageInfo.HasPreviousPage != prev || p.PageInfo.HasNextPage != next || start != wantStart || end != wantEnd {
		t.Errorf("%s: %d items %v (previous %v, next %v, start %q, end %q); want %d %v (previous %v, next %v)",
			what, len(got), got, p.PageInfo.HasPreviousPage, p.PageInfo.HasNextPage, start, end, len(want), want, prev, next)
	}
}

// Every paged list pages both ways with the same cursors: walking it backward gives
// the forward order reversed, page for page, with hasPreviousPage and hasNextPage
// right at each step; and each refuses a mixed or out-of-range request with
// BAD_USER_INPUT and a sentence saying how to ask.
func TestPagingBothWays(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	bureau := app.Actor{ID: "bx", Role: app.RoleBureau, Organisation: "bureau-a"}
	const n = 5
	n0 := 0
	run := func(actor app.Actor, caseID, name, inputType string, input map[string]any) {
		t.Helper()
		n0++
		input["commandId"], input["caseId"] = fmt.Sprintf("paging-%d", n0), caseID
		if _, resp := h.mutate(actor, name, inputType, input); len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", name, resp.Errors)
		}
	}
	// Five cases, each with a credit dispute to bureau-a (the bureau's work, the
	// caseworker's due disputes); the first one with three notes (its history) and read
	// five times (its access log).
	var ids []string
	for i := range n {
		id := h.refer(fmt.Sprintf("paging-refer-%d", i))
		ids = append(ids, id)
		run(caseworker, id, "grantConsent", "GrantConsentInput", map[string]any{"recipientOrganisationId": "bureau-a",
			"categories": []string{"CREDIT"}, "purposes": []string{"CREDIT_REPAIR"}, "expiresAt": testStart.AddDate(1, 0, 0).Format(time.RFC3339)})
		run(caseworker, id, "fileCreditDispute", "FileCreditDisputeInput", map[string]any{"bureauId": "bureau-a", "itemCount": 1})
	}
	for i := range 3 {
		run(caseworker, ids[0], "addCaseNote", "AddCaseNoteInput", map[string]any{"text": fmt.Sprintf("note %d", i)})
	}
	for range n {
		h.must(caseworker, `query($id: ID!) { case(id: $id) { identity { fullName } } }`, map[string]any{"id": ids[0]}, nil)
	}
	head := h.head().String()
	const args = `first: $first, after: $after, last: $last, before: $before`
	const vars = `$first: Int, $after: String, $last: Int, $before: String`
	const info = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`
	fields := []pagedField{
		{name: "cases", actor: caseworker, itemsKey: "edges", total: n,
			query: `query(` + vars + `, $min: String) { page: cases(` + args + `, minPosition: $min) { edges { cursor } ` + info + ` } }`,
			vars:  map[string]any{"min": head}, emptyActor: otherWorker, emptyVars: map[string]any{"min": head}},
		{name: "caseHistory", actor: caseworker, itemsKey: "edges", total: 3 + 3, // referral, consent, dispute, three notes
			query: `query(` + vars + `, $id: ID!) { page: caseHistory(id: $id, ` + args + `) { edges { cursor } ` + info + ` } }`,
			vars:  map[string]any{"id": ids[0]}},
		{name: "accessLog", actor: auditor, itemsKey: "edges", total: n,
			query: `query(` + vars + `, $id: ID!, $filter: AccessLogFilter) { page: accessLog(caseId: $id, ` + args + `, filter: $filter) { edges { cursor } ` + info + ` } }`,
			vars:  map[string]any{"id": ids[0]}, emptyActor: auditor, emptyVars: map[string]any{"id": ids[0], "filter": map[string]any{"actor": "nobody"}}},
		{name: "creditDisputesDue", actor: caseworker, itemsKey: "edges", total: n,
			query: `query(` + vars + `, $min: String) { page: creditDisputesDue(` + args + `, minPosition: $min) { edges { cursor } ` + info + ` } }`,
			vars:  map[string]any{"min": head}, emptyActor: otherWorker, emptyVars: map[string]any{"min": head}},
		{name: "myWork", actor: bureau, itemsKey: "items", total: n,
			query: `query(` + vars + `, $min: String) { page: myWork(` + args + `, minPosition: $min) { items { cursor } ` + info + ` } }`,
			vars:  map[string]any{"min": head}, emptyActor: otherWorker, emptyVars: map[string]any{"min": head}},
	}
	for _, f := range fields {
		t.Run(f.name, func(t *testing.T) {
			read := func(args map[string]any) pageDoc {
				t.Helper()
				p, resp := f.read(h, f.actor, f.vars, args)
				if len(resp.Errors) > 0 {
					t.Fatalf("%v: %+v", args, resp.Errors)
				}
				return p
			}
			whole := read(map[string]any{"first": 100})
			all := whole.cursors()
			whole.check(t, "the whole list", all, false, false)
			if len(all) != f.total || len(slices.Compact(slices.Clone(all))) != f.total {
				t.Fatalf("the whole list: %d cursors %v, want %d distinct", len(all), all, f.total)
			}

			// Forward by two, then backward by two from the end: the same items.
			var forward []string
			after := any(nil)
			for i := 0; ; i++ {
				p := read(map[string]any{"first": 2, "after": after})
				end := min(2*i+2, len(all))
				p.check(t, fmt.Sprintf("forward page %d", i+1), all[2*i:end], i > 0, end < len(all))
				forward = append(forward, p.cursors()...)
				if !p.PageInfo.HasNextPage {
					break
				}
				after = *p.PageInfo.EndCursor
			}
			var backward []string
			before := any(nil)
			for i := 0; ; i++ {
				p := read(map[string]any{"last": 2, "before": before})
				end := len(all) - 2*i
				start := max(end-2, 0)
				p.check(t, fmt.Sprintf("backward page %d", i+1), all[start:end], start > 0, i > 0)
				backward = append(p.cursors(), backward...)
				if !p.PageInfo.HasPreviousPage {
					break
				}
				before = *p.PageInfo.StartCursor
			}
			if !slices.Equal(forward, all) || !slices.Equal(backward, all) {
				t.Errorf("forward %v\nbackward %v\nwant %v", forward, backward, all)
			}

			// Edges: an exact page either way, more than there are, nothing before the
			// first item or after the last, pages of none, a cursor from the middle.
			read(map[string]any{"first": len(all)}).check(t, "first: all", all, false, false)
			read(map[string]any{"last": len(all)}).check(t, "last: all", all, false, false)
			read(map[string]any{"last": 100}).check(t, "last: more than there are", all, false, false)
			read(map[string]any{"last": 2, "before": all[0]}).check(t, "before the first", nil, false, true)
			read(map[string]any{"first": 2, "after": all[len(all)-1]}).check(t, "after the last", nil, true, false)
			read(map[string]any{"first": 0}).check(t, "first: 0", nil, false, true)
			read(map[string]any{"last": 0}).check(t, "last: 0", nil, true, false)
			read(map[string]any{"last": 10, "before": all[3]}).check(t, "everything before the fourth", all[:3], false, true)
			read(map[string]any{"first": 10, "after": all[1]}).check(t, "everything after the second", all[2:], true, false)
			read(map[string]any{"before": all[3]}).check(t, "before alone: the default size backward", all[:3], false, true)
			if f.emptyVars != nil {
				for _, args := range []map[string]any{{"first": 2}, {"last": 2}} {
					p, resp := f.read(h, f.emptyActor, f.emptyVars, args)
					if len(resp.Errors) > 0 {
						t.Fatalf("empty list: %+v", resp.Errors)
					}
					p.check(t, fmt.Sprintf("an empty list, %v", args), nil, false, false)
				}
			}

			// Mixed and out-of-range requests: refused, with the sentence.
			for _, bad := range []struct {
				args map[string]any
				want string
			}{
				{map[string]any{"first": 2, "last": 2}, "first and last cannot be used together"},
				{map[string]any{"first": 2, "before": all[2]}, "first cannot be used with before"},
				{map[string]any{"last": 2, "after": all[2]}, "last cannot be used with after"},
				{map[string]any{"after": all[1], "before": all[3]}, "after and before cannot be used together"},
				{map[string]any{"first": -1}, "first must be between 0 and 100"},
				{map[string]any{"last": -1}, "last must be between 0 and 100"},
				{map[string]any{"first": 101}, "first must be between 0 and 100"},
				{map[string]any{"last": 101}, "last must be between 0 and 100"},
				{map[string]any{"last": 2, "before": "bm90LWEtY3Vyc29y"}, "before: not a cursor of " + f.name},
				{map[string]any{"first": 2, "after": "bm90LWEtY3Vyc29y"}, "after: not a cursor of " + f.name},
			} {
				_, resp := f.read(h, f.actor, f.vars, bad.args)
				mixed := strings.Contains(bad.want, "cannot be used")
				if resp.code() != "BAD_USER_INPUT" || !strings.Contains(resp.Errors[0].Message, bad.want) ||
					mixed && !strings.Contains(resp.Errors[0].Message, "page forward with first and after, or backward with last and before") {
					t.Errorf("%v: %+v; want BAD_USER_INPUT saying %q", bad.args, resp.Errors, bad.want)
				}
			}
		})
	}

	// A backward page costs what a forward one does: four pages of 100 names are too
	// many whichever way they are asked for.
	names := "{"
	for i := range 4 {
		names += fmt.Sprintf(" p%d: cases(last: 100) { edges { node { identity { fullName } } } }", i)
	}
	if code := h.do(caseworker, names+" }", nil).code(); code != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("four backward pages of names: %q, want COMPLEXITY_LIMIT_EXCEEDED", code)
	}
}
