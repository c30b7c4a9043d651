package api_test

import (
	"testing"
	"time"
)

// The access log is paged and filtered; the break-glass report sums an auditor's
// reads per period; a bank's compliance team sees its own bank's reads of its bank's
// cases, and no report.
func TestAccessLogPagingFilterAndReport(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("log-refer")
	other := h.refer("log-refer-2")
	start := h.clock.Now()
	read := `query($id: ID!) { case(id: $id) { identity { fullName } } }`
	for i := 0; i < 3; i++ {
		h.clock.Advance(time.Minute)
		h.must(caseworker, read, map[string]any{"id": id}, nil)
	}
	h.reason = "complaint 2026-14 review"
	for _, c := range []string{id, other, id} {
		h.clock.Advance(time.Minute)
		h.must(auditor, read, map[string]any{"id": c}, nil)
	}
	h.reason = ""

	type page struct {
		AccessLog struct {
			Edges []struct {
				Cursor string
				Node   struct {
					Actor, Role string
					At          time.Time
					BreakGlass  bool
				}
			}
			PageInfo   struct{ HasNextPage bool }
			TotalCount int
		}
	}
	q := `query($id: ID!, $first: Int, $after: String, $filter: AccessLogFilter) { accessLog(caseId: $id, first: $first, after: $after, filter: $filter) {
		edges { cursor node { actor role at breakGlass } } pageInfo { hasNextPage } totalCount } }`
	var first, second page
	h.must(auditor, q, map[string]any{"id": id, "first": 3}, &first)
	if first.AccessLog.TotalCount != 5 || len(first.AccessLog.Edges) != 3 || !first.AccessLog.PageInfo.HasNextPage {
		t.Fatalf("first page: %+v", first.AccessLog)
	}
	h.must(auditor, q, map[string]any{"id": id, "first": 3, "after": first.AccessLog.Edges[2].Cursor}, &second)
	if len(second.AccessLog.Edges) != 2 || second.AccessLog.PageInfo.HasNextPage || !second.AccessLog.Edges[1].Node.BreakGlass {
		t.Errorf("second page: %+v", second.AccessLog)
	}
	for _, tt := range []struct {
		filter map[string]any
		want   int
	}{
		{map[string]any{"actor": auditor.ID}, 2},
		{map[string]any{"role": "caseworker"}, 3},
		{map[string]any{"breakGlass": false}, 3},
		{map[string]any{"from": start.Add(2 * time.Minute).Format(time.RFC3339), "to": start.Add(5 * time.Minute).Format(time.RFC3339)}, 3}, // 9:02, 9:03, 9:04
	} {
		var got page
		h.must(auditor, q, map[string]any{"id": id, "filter": tt.filter}, &got)
		if got.AccessLog.TotalCount != tt.want {
			t.Errorf("filter %v: %d entries, want %d", tt.filter, got.AccessLog.TotalCount, tt.want)
		}
	}
	for _, vars := range []map[string]any{
		{"id": id, "first": 101}, {"id": id, "after": "x"},
		{"id": id, "filter": map[string]any{"from": start.Format(time.RFC3339), "to": start.Format(time.RFC3339)}},
	} {
		if code := h.do(auditor, q, vars).code(); code != "BAD_USER_INPUT" {
			t.Errorf("%v: %q, want BAD_USER_INPUT", vars, code)
		}
	}
	if code := h.do(auditor, q, map[string]any{"id": "no-such-case"}).code(); code != "NOT_FOUND" {
		t.Errorf("a missing case's log: %q", code)
	}
	// The case is not shown to bank-a: its compliance team does not find it.
	if code := h.do(complianceA, q, map[string]any{"id": id}).code(); code != "NOT_FOUND" {
		t.Errorf("bank compliance on a case its bank does not see: %q", code)
	}

	report := `query($from: Time!, $to: Time!) { accessLogReport(from: $from, to: $to) { actor organisation reads cases first last reasons } }`
	var got struct {
		AccessLogReport []struct {
			Actor        string
			Organisation string
			Reads, Cases int
			First, Last  time.Time
			Reasons      []string
		}
	}
	h.must(auditor, report, map[string]any{"from": start.Format(time.RFC3339), "to": h.clock.Now().Add(time.Second).Format(time.RFC3339)}, &got)
	if len(got.AccessLogReport) != 1 {
		t.Fatalf("report: %+v", got.AccessLogReport)
	}
	r := got.AccessLogReport[0]
	if r.Actor != auditor.ID || r.Reads != 3 || r.Cases != 2 || len(r.Reasons) != 1 || !r.First.Before(r.Last) {
		t.Errorf("report: %+v", r)
	}
	if code := h.do(auditor, report, map[string]any{"from": start.Format(time.RFC3339), "to": start.Format(time.RFC3339)}).code(); code != "BAD_USER_INPUT" {
		t.Errorf("an empty period: %q", code)
	}
	for _, who := range []string{"caseworker", "bank compliance"} {
		actor := caseworker
		if who == "bank compliance" {
			actor = complianceA
		}
		if code := h.do(actor, report, map[string]any{"from": start.Format(time.RFC3339), "to": h.clock.Now().Format(time.RFC3339)}).code(); code != "FORBIDDEN" {
			t.Errorf("%s asks for the report: %q", who, code)
		}
	}
}
