package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

const disputesDueQuery = `query($first: Int, $after: String, $overdueOnly: Boolean, $dueBefore: Time, $min: String) {
  creditDisputesDue(first: $first, after: $after, overdueOnly: $overdueOnly, dueBefore: $dueBefore, minPosition: $min) {
    edges { cursor node { caseId disputeId bureau { id } filedAt dueAt overdue pendingItems } }
    pageInfo { hasNextPage endCursor }
  }
}`

type dueNode struct {
	CaseID       string `json:"caseId"`
	DisputeID    string `json:"disputeId"`
	Bureau       struct{ ID string }
	DueAt        *string `json:"dueAt"`
	Overdue      bool    `json:"overdue"`
	PendingItems int     `json:"pendingItems"`
}

type duePage struct {
	CreditDisputesDue struct {
		Edges []struct {
			Cursor string
			Node   dueNode
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

func (p duePage) nodes() []dueNode {
	var out []dueNode
	for _, e := range p.CreditDisputesDue.Edges {
		out = append(out, e.Node)
	}
	return out
}

// atHead adds minPosition at the log's head to a list's variables: the list reads the
// read models, which must have applied the commands just run.
func atHead(h *harness, vars map[string]any) map[string]any {
	out := map[string]any{"min": h.head().String()}
	for k, v := range vars {
		out[k] = v
	}
	return out
}

// brief renders a list as "case/bureau due overdue pending" lines, for comparisons.
func brief(nodes []dueNode, names map[string]string) string {
	var lines []string
	for _, n := range nodes {
		due := "none"
		if n.DueAt != nil {
			due = *n.DueAt
		}
		lines = append(lines, fmt.Sprintf("%s/%s %s overdue=%v pending=%d", names[n.CaseID], n.Bureau.ID, due, n.Overdue, n.PendingItems))
	}
	return strings.Join(lines, "\n")
}

// creditDisputesDue: a bureau lists the open disputes addressed to it (under a grant in
// force), a caseworker those of its organisation's cases, by due date; the FCRA clock
// runs in US business days for a US bureau, none for a Mexican one; an answer takes a
// dispute off the list, a resubmission puts it back with a new due date.
func TestCreditDisputesDue(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	h.must(admin, registerOrg, map[string]any{"in": map[string]any{"commandId": "org-bureau-us", "id": "bureau-us",
		"name": "Bureau US", "kind": "CREDIT_BUREAU", "jurisdiction": "US", "services": []string{}}}, nil)
	bureauUS := app.Actor{ID: "bu", Role: app.RoleBureau, Organisation: "bureau-us"}

	n := 0
	run := func(actor app.Actor, caseID, name, inputType string, input map[string]any) {
		t.Helper()
		n++
		input["commandId"], input["caseId"] = fmt.Sprintf("due-%d", n), caseID
		if _, resp := h.mutate(actor, name, inputType, input); len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", name, resp.Errors)
		}
	}
	grant := func(actor app.Actor, caseID, to string, expires time.Time) {
		run(actor, caseID, "grantConsent", "GrantConsentInput", map[string]any{"recipientOrganisationId": to,
			"categories": []string{"CREDIT"}, "purposes": []string{"CREDIT_REPAIR"}, "expiresAt": expires.Format(time.RFC3339)})
	}
	file := func(actor app.Actor, caseID, bureau string, count int) {
		run(actor, caseID, "fileCreditDispute", "FileCreditDisputeInput", map[string]any{"bureauId": bureau, "itemCount": count})
	}
	c1, c2 := h.refer("due-c1"), h.refer("due-c2")
	in3 := referInput("due-c3")
	in3["referringOrganisationId"] = "shelter-b"
	var r3 struct{ ReferSurvivor caseResult }
	h.must(otherWorker, referMutation, map[string]any{"in": in3}, &r3)
	c3 := r3.ReferSurvivor.CaseID
	names := map[string]string{c1: "c1", c2: "c2", c3: "c3"}

	year := testStart.AddDate(1, 0, 0)
	grant(caseworker, c1, "bureau-us", year)
	grant(caseworker, c1, "bureau-a", year)
	grant(caseworker, c2, "bureau-us", testStart.Add(10*24*time.Hour)) // ends Thursday 12 March, 09:00 UTC
	grant(otherWorker, c3, "bureau-us", year)
	// Monday 2 March 2026, 04:00 in New York: Tue … Fri, due at the end of Friday 6 (EST).
	run(caseworker, c1, "fileCreditDispute", "FileCreditDisputeInput", map[string]any{"bureauId": "bureau-us",
		"items":    []map[string]any{{"id": "item-1", "kind": "DEBT", "creditor": "Prestamos (demo)"}, {"id": "item-2", "kind": "ACCOUNT", "creditor": "Tarjetas (demo)"}},
		"evidence": []string{"PROOF_OF_IDENTITY", "TRAFFICKING_DETERMINATION"}})
	file(caseworker, c1, "bureau-a", 1) // a Mexican bureau: no statutory clock
	// Tuesday 3 March: Wed, Thu, Fri, Mon 9 — due at the end of Monday (EDT from 8 March).
	h.clock.Advance(24 * time.Hour)
	file(caseworker, c2, "bureau-us", 1)
	file(otherWorker, c3, "bureau-us", 3)
	h.clock.Advance(6*24*time.Hour + 3*time.Hour) // Monday 9 March, 12:00 UTC

	list := func(actor app.Actor, vars map[string]any) duePage {
		t.Helper()
		var p duePage
		h.must(actor, disputesDueQuery, atHead(h, vars), &p)
		return p
	}
	// c2 and c3 are due at the same instant: the tie goes by case id.
	tied := []string{c2, c3}
	slices.Sort(tied)
	line := map[string]string{
		c1: "c1/bureau-us 2026-03-07T05:00:00Z overdue=true pending=2",
		c2: "c2/bureau-us 2026-03-10T04:00:00Z overdue=false pending=1",
		c3: "c3/bureau-us 2026-03-10T04:00:00Z overdue=false pending=3",
	}
	want := strings.Join([]string{line[c1], line[tied[0]], line[tied[1]]}, "\n")
	if got := brief(list(bureauUS, nil).nodes(), names); got != want {
		t.Fatalf("the US bureau's list:\n%s\nwant\n%s", got, want)
	}
	if got := brief(list(bureauUS, map[string]any{"overdueOnly": true}).nodes(), names); got != line[c1] {
		t.Errorf("overdue only:\n%s", got)
	}
	if got := brief(list(bureauUS, map[string]any{"dueBefore": "2026-03-08T00:00:00Z"}).nodes(), names); got != line[c1] {
		t.Errorf("due before 8 March:\n%s", got)
	}
	if got := list(bureauUS, map[string]any{"dueBefore": "2026-03-07T05:00:00Z"}).nodes(); len(got) != 0 {
		t.Errorf("due before c1's due date: %v", got)
	}

	// Paging one at a time walks the same list.
	var walked []dueNode
	var after any
	for range 5 {
		p := list(bureauUS, map[string]any{"first": 1, "after": after})
		walked = append(walked, p.nodes()...)
		if !p.CreditDisputesDue.PageInfo.HasNextPage {
			break
		}
		after = *p.CreditDisputesDue.PageInfo.EndCursor
	}
	if got := brief(walked, names); got != want {
		t.Errorf("paged one at a time:\n%s\nwant\n%s", got, want)
	}

	// The owning caseworkers: their own cases' disputes, the one without a clock last.
	if got, want := brief(list(caseworker, nil).nodes(), names), line[c1]+"\n"+line[c2]+"\nc1/bureau-a none overdue=false pending=1"; got != want {
		t.Errorf("shelter-a's list:\n%s\nwant\n%s", got, want)
	}
	if got := brief(list(otherWorker, nil).nodes(), names); got != line[c3] {
		t.Errorf("shelter-b's list:\n%s", got)
	}
	// The Mexican bureau sees its dispute, without a due date.
	if got := brief(list(app.Actor{ID: "ba", Role: app.RoleBureau, Organisation: "bureau-a"}, nil).nodes(), names); got != "c1/bureau-a none overdue=false pending=1" {
		t.Errorf("bureau-a's list:\n%s", got)
	}

	// The case shows the same due date and overdue flag.
	var one struct {
		Case struct {
			Credit struct {
				Disputes []struct {
					ID      string
					Bureau  struct{ ID string }
					DueAt   *string
					Overdue bool
				}
			}
		}
	}
	h.must(caseworker, `query($id: ID!) { case(id: $id) { credit { disputes { id bureau { id } dueAt overdue } } } }`, map[string]any{"id": c1}, &one)
	usDispute := ""
	for _, d := range one.Case.Credit.Disputes {
		switch {
		case d.Bureau.ID == "bureau-us" && d.DueAt != nil && *d.DueAt == "2026-03-07T05:00:00Z" && d.Overdue:
			usDispute = d.ID
		case d.Bureau.ID == "bureau-a" && d.DueAt == nil && !d.Overdue:
		default:
			t.Errorf("case c1's dispute %+v", d)
		}
	}

	// The bureau answers: one item blocked, one refused; c1 leaves its list. The
	// refused one resubmitted on Monday 9 March restarts the clock: due end of Friday 13.
	answer := func(item, outcome string) {
		in := map[string]any{"disputeId": usDispute, "itemId": item, "outcome": outcome}
		if outcome == "REFUSED" {
			in["reasonCode"] = "INSUFFICIENT_EVIDENCE"
		}
		run(bureauUS, c1, "recordDisputeItemOutcome", "RecordDisputeItemOutcomeInput", in)
	}
	answer("item-1", "BLOCKED")
	if got := list(bureauUS, map[string]any{"first": 1}).nodes(); len(got) != 1 || got[0].CaseID != c1 || got[0].PendingItems != 1 || !got[0].Overdue {
		t.Errorf("one item answered late: %+v", got)
	}
	answer("item-2", "REFUSED")
	if got := brief(list(bureauUS, nil).nodes(), names); got != line[tied[0]]+"\n"+line[tied[1]] {
		t.Errorf("after the answers:\n%s", got)
	}
	run(caseworker, c1, "resubmitCreditDispute", "ResubmitCreditDisputeInput", map[string]any{"disputeId": usDispute, "itemIds": []string{"item-2"}})

	// Thursday 12 March, 10:00 UTC: c2's grant to the bureau has ended, so the bureau no
	// longer sees it; its caseworker still does, overdue.
	h.clock.Advance(3*24*time.Hour - 2*time.Hour)
	resubmitted := "c1/bureau-us 2026-03-14T04:00:00Z overdue=false pending=1"
	if got, want := brief(list(bureauUS, nil).nodes(), names), "c3/bureau-us 2026-03-10T04:00:00Z overdue=true pending=3\n"+resubmitted; got != want {
		t.Errorf("after c2's grant ended:\n%s\nwant\n%s", got, want)
	}
	if got, want := brief(list(caseworker, map[string]any{"overdueOnly": true}).nodes(), names), "c2/bureau-us 2026-03-10T04:00:00Z overdue=true pending=1"; got != want {
		t.Errorf("shelter-a's overdue:\n%s\nwant\n%s", got, want)
	}
}

// Only bureaus and caseworkers have a due-date list; bad paging is BAD_USER_INPUT.
func TestCreditDisputesDueRefusals(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	bureau := app.Actor{ID: "ba", Role: app.RoleBureau, Organisation: "bureau-a"}
	for _, tt := range []struct {
		name  string
		actor app.Actor
		vars  map[string]any
		code  string
		msg   string
	}{
		{"a bank", app.Actor{ID: "bk", Role: app.RoleBank, Organisation: "bank-a"}, nil, "FORBIDDEN", ""},
		{"an auditor", auditor, nil, "FORBIDDEN", ""},
		{"an admin", admin, nil, "FORBIDDEN", ""},
		{"no token", app.Actor{}, nil, "UNAUTHENTICATED", ""},
		{"first above 100", bureau, map[string]any{"first": 101}, "BAD_USER_INPUT", "first must be between 0 and 100"},
		{"negative first", bureau, map[string]any{"first": -1}, "BAD_USER_INPUT", "first must be between 0 and 100"},
		{"not a cursor", bureau, map[string]any{"after": "not-a-cursor"}, "BAD_USER_INPUT", "after: not a cursor of creditDisputesDue"},
		{"another list's cursor", bureau, map[string]any{"after": "Y2FzZTox"}, "BAD_USER_INPUT", "after: not a cursor"},
		{"a cursor without a dispute", bureau, map[string]any{"after": "eyJrIjoiZHVlIiwiYyI6IngifQ"}, "BAD_USER_INPUT", "after: not a cursor"},
		{"a bad time", bureau, map[string]any{"dueBefore": "next week"}, "BAD_USER_INPUT", ""},
		{"a time out of range", bureau, map[string]any{"dueBefore": "9999-01-01T00:00:00Z"}, "BAD_USER_INPUT", "dueBefore must be between"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.do(tt.actor, disputesDueQuery, tt.vars)
			if resp.code() != tt.code || !strings.Contains(resp.Errors[0].Message, tt.msg) {
				t.Errorf("got %+v, want %s %q", resp.Errors, tt.code, tt.msg)
			}
		})
	}
	var p duePage
	h.must(bureau, disputesDueQuery, map[string]any{"first": 0}, &p)
	if len(p.nodes()) != 0 || p.CreditDisputesDue.PageInfo.HasNextPage {
		t.Errorf("an empty list: %+v", p)
	}
}

// Past the last year whose holidays the calendar lists, a due date counts weekends
// only, and the server warns once that the calendar needs the new year's holidays.
func TestDueDatePastKnownHolidaysWarnsOnce(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	h.must(admin, registerOrg, map[string]any{"in": map[string]any{"commandId": "org-bureau-us", "id": "bureau-us",
		"name": "Bureau US", "kind": "CREDIT_BUREAU", "jurisdiction": "US", "services": []string{}}}, nil)
	h.clock.Advance(time.Date(2027, 12, 29, 14, 0, 0, 0, time.UTC).Sub(h.clock.Now())) // Wednesday, 09:00 in New York
	id := h.refer("late-c1")
	h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "late-grant", "caseId": id, "recipientOrganisationId": "bureau-us",
		"categories": []string{"CREDIT"}, "purposes": []string{"CREDIT_REPAIR"}, "expiresAt": h.clock.Now().AddDate(1, 0, 0).Format(time.RFC3339)})
	for i := range 2 {
		h.step("fileCreditDispute", "FileCreditDisputeInput", map[string]any{"commandId": fmt.Sprintf("late-file-%d", i), "caseId": id,
			"bureauId": "bureau-us", "itemCount": 1})
	}
	var p duePage
	h.must(caseworker, disputesDueQuery, atHead(h, nil), &p)
	// Thu 30, (New Year's Day 2028 observed on Fri 31), Mon 3, Tue 4, Wed 5 January 2028.
	for _, n := range p.nodes() {
		if n.DueAt == nil || *n.DueAt != "2028-01-06T05:00:00Z" {
			t.Errorf("due %v, want 2028-01-06T05:00:00Z", n.DueAt)
		}
	}
	if len(p.nodes()) != 2 {
		t.Fatalf("%d disputes listed", len(p.nodes()))
	}
	if got := strings.Count(h.logs.String(), "holidays unknown"); got != 1 {
		t.Errorf("%d warnings about the unknown 2028 holidays, want 1:\n%s", got, h.logs.String())
	}
}
