package api_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

const casesQuery = `query($filter: CaseFilter, $first: Int, $after: String, $min: String) {
  cases(filter: $filter, first: $first, after: $after, minPosition: $min) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id stage barriers } }
  }
}`

type casesPage struct {
	Cases struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Edges []struct {
			Cursor string
			Node   struct {
				ID       string
				Stage    string
				Barriers []string
			}
		}
	}
}

func TestCasesPaginationAndFilters(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	var ids []string
	for i := range 5 {
		ids = append(ids, h.refer("p-refer-"+string(rune('a'+i))))
	}
	expires := testStart.Add(24 * time.Hour).Format(time.RFC3339)
	h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "p-consent", "caseId": ids[1],
		"recipientOrganisationId": "bank-a", "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": expires})
	last := h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "p-bank", "caseId": ids[1], "bankId": "bank-a"})

	// Newest referral first, two at a time, following the cursor.
	var seen []string
	after := ""
	for page := 0; ; page++ {
		var out casesPage
		h.must(caseworker, casesQuery, map[string]any{"first": 2, "after": after, "min": last.Position}, &out)
		if out.Cases.TotalCount != 5 {
			t.Fatalf("totalCount = %d, want 5", out.Cases.TotalCount)
		}
		for _, e := range out.Cases.Edges {
			seen = append(seen, e.Node.ID)
		}
		if !out.Cases.PageInfo.HasNextPage {
			break
		}
		after = out.Cases.PageInfo.EndCursor
		if page > 5 {
			t.Fatal("pagination does not end")
		}
	}
	want := []string{ids[4], ids[3], ids[2], ids[1], ids[0]}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("pages = %v, want %v", seen, want)
	}

	for name, tc := range map[string]struct {
		filter map[string]any
		actor  app.Actor
		want   int
	}{
		"stage":          {filter: map[string]any{"stage": "ACCOUNT_OPENING"}, actor: caseworker, want: 1},
		"barrier":        {filter: map[string]any{"barrier": "NO_ID"}, actor: caseworker, want: 5},
		"absent barrier": {filter: map[string]any{"barrier": "NEEDS_TRANSPORT"}, actor: caseworker, want: 0},
		"jurisdiction":   {filter: map[string]any{"jurisdiction": "GB"}, actor: caseworker, want: 0},
		"organisation":   {filter: map[string]any{"organisationId": "shelter-a"}, actor: caseworker, want: 5},
		"status":         {filter: map[string]any{"status": "CLOSED"}, actor: caseworker, want: 0},
	} {
		var out casesPage
		h.must(tc.actor, casesQuery, map[string]any{"filter": tc.filter}, &out)
		if out.Cases.TotalCount != tc.want || len(out.Cases.Edges) != tc.want {
			t.Errorf("%s: %d cases (%d edges), want %d", name, out.Cases.TotalCount, len(out.Cases.Edges), tc.want)
		}
	}

	// Another organisation's caseworker sees none of them, and cannot open one.
	var other casesPage
	h.must(otherWorker, casesQuery, nil, &other)
	if other.Cases.TotalCount != 0 {
		t.Errorf("other organisation sees %d cases", other.Cases.TotalCount)
	}
	if resp := h.do(otherWorker, caseQuery, map[string]any{"id": ids[0]}); resp.code() != "NOT_FOUND" {
		t.Errorf("other organisation opening a case: %q, want NOT_FOUND", resp.code())
	}
	// An auditor sees every journey but no personal data.
	var audit struct {
		Case struct {
			ID      string
			Journey []struct{ Type string }
		}
	}
	h.must(auditor, `query($id: ID!) { case(id: $id) { id journey { type } } }`, map[string]any{"id": ids[1]}, &audit)
	if len(audit.Case.Journey) != 3 {
		t.Errorf("auditor journey = %+v", audit.Case.Journey)
	}
	if resp := h.do(auditor, `query($id: ID!) { case(id: $id) { identity { fullName } } }`, map[string]any{"id": ids[1]}); resp.code() != "REASON_REQUIRED" {
		t.Errorf("auditor reading identity without a reason: %q, want REASON_REQUIRED", resp.code())
	}

	for name, vars := range map[string]map[string]any{
		"bad cursor":       {"after": "not-a-cursor"},
		"page too large":   {"first": 1000},
		"bad min position": {"min": "yesterday"},
	} {
		if code := h.do(caseworker, casesQuery, vars).code(); code != "BAD_USER_INPUT" {
			t.Errorf("%s: code %q, want BAD_USER_INPUT", name, code)
		}
	}
	if code := h.do(app.Actor{}, casesQuery, nil).code(); code != "UNAUTHENTICATED" {
		t.Errorf("no identity: code %q, want UNAUTHENTICATED", code)
	}
}

func TestOrganisationsQuery(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	var out struct {
		Organisations []struct{ ID, Name, Kind string }
	}
	h.must(caseworker, `{ organisations(kind: BANK) { id name kind } }`, nil, &out)
	if len(out.Organisations) != 2 || out.Organisations[0].ID != "bank-a" || out.Organisations[1].Kind != "BANK" {
		t.Errorf("banks = %+v", out.Organisations)
	}
	h.must(caseworker, `{ organisations(jurisdiction: "GB") { id } }`, nil, &out)
	if len(out.Organisations) != 0 {
		t.Errorf("GB organisations = %+v", out.Organisations)
	}
	if code := h.do(caseworker, `{ organisation(id: "nope") { id } }`, nil).code(); code != "NOT_FOUND" {
		t.Errorf("unknown organisation: %q", code)
	}
}

func TestHTTPEndpoints(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	get := func(path string, header map[string]string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("/healthz", nil); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz = %d %s", code, body)
	}
	if code, body := get("/readyz", nil); code != 200 || !strings.Contains(body, "ready") {
		t.Errorf("/readyz = %d %s", code, body)
	}
	if code, _ := get("/", nil); code != 404 {
		t.Errorf("/ = %d, want 404: GraphiQL is for --dev and --demo only", code)
	}
	q := url.QueryEscape(`{ organisations { id } }`)
	headers := map[string]string{"Authorization": "Bearer " + h.token(caseworker)}
	if code, body := get("/graphql?query="+q, headers); code != 200 || !strings.Contains(body, `{"id":"shelter-a"}`) {
		t.Errorf("GET /graphql = %d %s", code, body)
	}
	big := strings.Repeat("x", 2<<20)
	resp, err := h.srv.Client().Post(h.srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"`+big+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB body: HTTP %d, want 413", resp.StatusCode)
	}
}
