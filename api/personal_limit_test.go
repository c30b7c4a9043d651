package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// doAs posts a GraphQL request as actor with extra headers.
func (h *harness) doAs(actor app.Actor, headers map[string]string, query string, vars map[string]any) (gqlResponse, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.token(actor))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		return gqlResponse{}, err
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return gqlResponse{}, fmt.Errorf("decode (HTTP %d): %w", resp.StatusCode, err)
	}
	return out, nil
}

// referMany refers n cases for shelter-a straight through the application layer
// (the API is not what this test is about) and returns the last write's position.
func (h *harness) referMany(n int) string {
	h.t.Helper()
	var last app.Result
	for i := range n {
		res, err := h.node.Service.ReferSurvivor(context.Background(), caseworker, fmt.Sprintf("many-%d", i), domain.ReferSurvivor{
			ReferringOrganisation: domain.OrgRef{ID: "shelter-a"}, Jurisdiction: "MX",
			Survivor: domain.SurvivorDetails{FullName: fmt.Sprintf("Survivor Number %d", i), Phone: "+52 55 0000 0000"},
		})
		if err != nil {
			h.t.Fatalf("refer %d: %v", i, err)
		}
		last = res
	}
	return last.Position.String()
}

// One caseworker's heaviest queries cannot make anybody else's reads of personal data
// fail; the old 100-alias query is refused outright; a request records one access-log
// entry per case it read, whatever its aliases; and past 100 cases' personal data in
// one request the fields are refused with a coded error that says the limit.
func TestOneReaderCannotFailOthers(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	head := h.referMany(120)

	// The victim: another organisation's caseworker and her own case.
	victimIn := referInput("victim-refer")
	victimIn["referringOrganisationId"] = "shelter-b"
	victimIn["survivor"] = map[string]any{"fullName": "Victim Case Name"}
	var ref struct{ ReferSurvivor caseResult }
	h.must(otherWorker, referMutation, map[string]any{"in": victimIn}, &ref)
	victimCase := ref.ReferSurvivor.CaseID

	attack := "{"
	for i := range 100 {
		attack += fmt.Sprintf(" a%d: cases(first: 100) { edges { node { identity { fullName } } } }", i)
	}
	attack += " }"
	// Near the heaviest the limits allow (5,603 of 6,000): three pages of 100 cases, two with personal data.
	heavy := `query($min: String) {
	  a: cases(first: 100, minPosition: $min) { edges { node { id identity { fullName phone address } } } }
	  b: cases(first: 100) { edges { node { notes { text } } } }
	  c: cases(first: 100) { totalCount edges { node { id stage status jurisdiction referredAt updatedAt needs barriers } } }
	}`

	t.Run("the 100-alias query is refused", func(t *testing.T) {
		resp, err := h.doAs(caseworker, nil, attack, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.code() != "COMPLEXITY_LIMIT_EXCEEDED" || !strings.Contains(resp.Errors[0].Message, fmt.Sprint(api.MaxComplexity)) {
			t.Fatalf("the 100-alias query: %+v", resp.Errors)
		}
	})

	t.Run("the heaviest allowed query under load does not fail the victim", func(t *testing.T) {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		attackerErrs := make(chan string, 100)
		for w := range 3 {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					query, vars := heavy, map[string]any{"min": head}
					if i%2 == 1 {
						query, vars = attack, nil
					}
					resp, err := h.doAs(caseworker, map[string]string{api.HeaderCorrelation: fmt.Sprintf("attack-%d-%d", w, i)}, query, vars)
					switch {
					case err != nil:
						attackerErrs <- err.Error()
					case i%2 == 0 && len(resp.Errors) > 0:
						attackerErrs <- fmt.Sprintf("heavy: %+v", resp.Errors[0])
					case i%2 == 1 && resp.code() != "COMPLEXITY_LIMIT_EXCEEDED":
						attackerErrs <- fmt.Sprintf("attack: %q", resp.code())
					}
				}
			})
		}
		for i := range 20 {
			resp, err := h.doAs(otherWorker, nil, `query($id: ID!) { case(id: $id) { identity { fullName } } }`, map[string]any{"id": victimCase})
			if err != nil {
				t.Errorf("victim read %d: %v", i, err)
				continue
			}
			if len(resp.Errors) > 0 || !strings.Contains(string(resp.Data), "Victim Case Name") {
				t.Errorf("victim read %d failed: %+v %s", i, resp.Errors, resp.Data)
			}
		}
		close(stop)
		wg.Wait()
		close(attackerErrs)
		for e := range attackerErrs {
			t.Errorf("attacker: %s", e)
		}
	})

	t.Run("one entry per request and case", func(t *testing.T) {
		const id = "one-heavy-request"
		resp, err := h.doAs(caseworker, map[string]string{api.HeaderCorrelation: id}, heavy, map[string]any{"min": head})
		if err != nil || len(resp.Errors) > 0 {
			t.Fatalf("heavy query: %v %+v", err, resp.Errors)
		}
		var data struct {
			A struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		if err := json.Unmarshal(resp.Data, &data); err != nil || len(data.A.Edges) != 100 {
			t.Fatalf("page a: %d cases (%v)", len(data.A.Edges), err)
		}
		for _, e := range data.A.Edges {
			entries, err := h.node.AccessLog.ForCase(context.Background(), e.Node.ID)
			if err != nil {
				t.Fatal(err)
			}
			var mine []string
			for _, entry := range entries {
				if entry.RequestID == id {
					mine = append(mine, strings.Join(entry.Groups, ","))
				}
			}
			// identity (page a) and notes (page b), in one entry.
			if len(mine) != 1 || !strings.Contains(mine[0], "identity") || !strings.Contains(mine[0], "notes") {
				t.Fatalf("case %s: the request wrote %d entries %v, want one with identity and notes", e.Node.ID, len(mine), mine)
			}
		}
	})

	t.Run("past 100 cases the fields are refused", func(t *testing.T) {
		var page struct {
			Cases struct{ PageInfo struct{ EndCursor string } }
		}
		h.must(caseworker, `{ cases(first: 100) { pageInfo { endCursor } } }`, nil, &page)
		resp, err := h.doAs(caseworker, nil, `query($after: String) {
		  first: cases(first: 100) { edges { node { identity { fullName } } } }
		  next: cases(first: 100, after: $after) { edges { node { id identity { fullName } } } }
		}`, map[string]any{"after": page.Cases.PageInfo.EndCursor})
		if err != nil {
			t.Fatal(err)
		}
		names := strings.Count(string(resp.Data), "Survivor Number")
		if names != api.MaxPersonalCases() {
			t.Errorf("%d names returned, want %d", names, api.MaxPersonalCases())
		}
		if len(resp.Errors) == 0 {
			t.Fatalf("no error past the limit")
		}
		for _, e := range resp.Errors {
			if c, _ := e.Extensions["code"].(string); c != "PERSONAL_DATA_LIMIT_EXCEEDED" || !strings.Contains(e.Message, "at most 100") {
				t.Errorf("error past the limit: %+v", e)
			}
		}
	})
}

// A response whose reads of personal data cannot be recorded is withheld whole.
func TestResponseWithheldWhenReadsCannotBeRecorded(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("withheld")
	h.node.AccessLog.Close()
	resp := h.do(caseworker, `query($id: ID!) { case(id: $id) { id stage identity { fullName } } }`, map[string]any{"id": id})
	if resp.code() != "INTERNAL" || !strings.Contains(resp.Errors[0].Message, "withheld") {
		t.Fatalf("errors: %+v", resp.Errors)
	}
	if d := string(resp.Data); d != "" && d != "null" {
		t.Errorf("data left with unrecorded reads: %s", d)
	}
	// A query without personal data is unaffected.
	if resp := h.do(caseworker, `query($id: ID!) { case(id: $id) { id stage } }`, map[string]any{"id": id}); len(resp.Errors) > 0 {
		t.Errorf("a summary read: %+v", resp.Errors)
	}
}
