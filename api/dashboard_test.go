package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket/wsjson"

	"github.com/waymark-org/waymark/app"
)

const dashboardQuery = `query($f: DashboardFilter!) { dashboard(filter: $f) {
  jurisdiction organisationId months periods minCell currentMonth position
  funnel { figure name code months { value suppressed provisional } periods { value suppressed provisional } }
  figures { figure name code months { value suppressed provisional } periods { value suppressed provisional } }
  conversions { from to period percent }
  durations { kind from to period cases { value suppressed provisional } medianDays p90Days }
  openCases { band count { value suppressed provisional } }
  stalledCases { value suppressed provisional } } }`

type dashCount struct {
	Value       *int
	Suppressed  bool
	Provisional bool
}

func (c dashCount) String() string {
	switch {
	case c.Suppressed:
		return "suppressed"
	case c.Value == nil:
		return "null"
	case c.Provisional:
		return fmt.Sprintf("≥%d", *c.Value)
	}
	return fmt.Sprint(*c.Value)
}

type dashSeries struct {
	Figure, Name    string
	Code            *string
	Months, Periods []dashCount
}

type dashDoc struct {
	Jurisdiction, CurrentMonth, Position string
	OrganisationID                       *string
	Months, Periods                      []string
	MinCell                              int
	Funnel, Figures                      []dashSeries
	OpenCases                            []struct {
		Band  string
		Count dashCount
	}
	StalledCases dashCount
}

func (d dashDoc) series(t *testing.T, fig string) dashSeries {
	t.Helper()
	for _, s := range append(append([]dashSeries{}, d.Funnel...), d.Figures...) {
		if s.Figure == fig {
			return s
		}
	}
	t.Fatalf("no series %s", fig)
	return dashSeries{}
}

func marchFilter(org string) map[string]any {
	f := map[string]any{"jurisdiction": "MX", "fromMonth": "2026-01", "toMonth": "2026-03"}
	if org != "" {
		f["organisationId"] = org
	}
	return f
}

// Given seven survivors referred by shelter A in March 2026 (the harness's month),
// an analyst and a bank's staff read the same dashboard: March is provisional, so
// shelter A's 7 referrals show as "at least 5", and the funnel and the open cases
// agree; it holds no case id, name or other personal data.
func TestDashboardOverGraphQL(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	var ids []string
	for i := range 7 {
		ids = append(ids, h.refer(fmt.Sprint("dash-", i)))
	}
	var out struct{ Dashboard dashDoc }
	resp := h.do(analyst, dashboardQuery, map[string]any{"f": marchFilter("shelter-a")})
	if len(resp.Errors) > 0 {
		t.Fatalf("dashboard: %+v", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		t.Fatal(err)
	}
	d := out.Dashboard
	if got := fmt.Sprintf("%v %v %d %s", d.Months, d.Periods, d.MinCell, d.CurrentMonth); got != "[2026-01 2026-02 2026-03] [2026-Q1] 5 2026-03" {
		t.Errorf("frame: %v %v %d %s", d.Months, d.Periods, d.MinCell, d.CurrentMonth)
	}
	for _, fig := range []string{"referrals", "stage_reached/referral", "barriers_at_referral/no_id", "needs_at_referral/bank_account"} {
		if got := fmt.Sprint(d.series(t, fig).Months); got != "[0 0 ≥5]" {
			t.Errorf("%s by month: %s, want [0 0 ≥5]", fig, got)
		}
	}
	if d.OpenCases[0].Band != "0-30" || d.OpenCases[0].Count.String() != "≥5" {
		t.Errorf("open cases: %+v", d.OpenCases)
	}
	for _, leak := range append(ids, "Zaneta", "Quillfeather", "1990-04-12", "0000 1111") {
		if strings.Contains(string(resp.Data), leak) {
			t.Errorf("the dashboard holds %q", leak)
		}
	}
	// A bank's staff read the same numbers; a caseworker of another shelter too.
	for name, resp := range map[string]gqlResponse{
		"bank":          h.do(bankA, dashboardQuery, map[string]any{"f": marchFilter("shelter-a")}),
		"other shelter": h.do(otherWorker, dashboardQuery, map[string]any{"f": marchFilter("")}),
	} {
		var other struct{ Dashboard dashDoc }
		if len(resp.Errors) > 0 || json.Unmarshal(resp.Data, &other) != nil {
			t.Errorf("%s: %+v", name, resp.Errors)
			continue
		}
		if got := fmt.Sprint(other.Dashboard.series(t, "referrals").Months); got != "[0 0 ≥5]" {
			t.Errorf("%s reads referrals %s", name, got)
		}
	}
}

// One month alone is a dashboard with no whole period: its lists are empty, not null.
func TestDashboardOfOneMonth(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	var out struct{ Dashboard dashDoc }
	h.must(analyst, dashboardQuery, map[string]any{"f": map[string]any{"jurisdiction": "MX", "fromMonth": "2026-02", "toMonth": "2026-02"}}, &out)
	if d := out.Dashboard; len(d.Periods) != 0 || len(d.Months) != 1 || len(d.Funnel[0].Periods) != 0 {
		t.Errorf("one month: %+v", d)
	}
}

// Every malformed filter is BAD_USER_INPUT with a sentence, never INTERNAL; no token
// is UNAUTHENTICATED.
func TestDashboardBadFilters(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	for name, c := range map[string]struct {
		filter map[string]any
		says   string
	}{
		"month not YYYY-MM":     {map[string]any{"jurisdiction": "MX", "fromMonth": "March", "toMonth": "2026-03"}, "fromMonth: not a month"},
		"month 13":              {map[string]any{"jurisdiction": "MX", "fromMonth": "2026-01", "toMonth": "2026-13"}, "toMonth: not a month"},
		"backwards":             {map[string]any{"jurisdiction": "MX", "fromMonth": "2026-03", "toMonth": "2026-01"}, "is before fromMonth"},
		"over three years":      {map[string]any{"jurisdiction": "MX", "fromMonth": "2020-01", "toMonth": "2026-01"}, "at most 36 months"},
		"lower-case country":    {map[string]any{"jurisdiction": "mx", "fromMonth": "2026-01", "toMonth": "2026-03"}, "ISO 3166-1 alpha-2"},
		"not a country":         {map[string]any{"jurisdiction": "ZZ", "fromMonth": "2026-01", "toMonth": "2026-03"}, "is not a country"},
		"unknown organisation":  {map[string]any{"jurisdiction": "MX", "organisationId": "nobody", "fromMonth": "2026-01", "toMonth": "2026-03"}, "no such organisation"},
		"jurisdiction is empty": {map[string]any{"jurisdiction": "", "fromMonth": "2026-01", "toMonth": "2026-03"}, "jurisdiction is required"},
	} {
		resp := h.do(analyst, dashboardQuery, map[string]any{"f": c.filter})
		if resp.code() != "BAD_USER_INPUT" || !strings.Contains(resp.Errors[0].Message, c.says) {
			t.Errorf("%s: %+v, want BAD_USER_INPUT saying %q", name, resp.Errors, c.says)
		}
	}
	if resp := h.do(app.Actor{}, dashboardQuery, map[string]any{"f": marchFilter("")}); resp.code() != "UNAUTHENTICATED" {
		t.Errorf("no token: %+v", resp.Errors)
	}
}

// Over a real websocket (graphql-transport-ws): the first message is the dashboard as
// it stands; five more referrals move March's provisional count from ≥5 to ≥10, and
// the update is pushed; so is a survey answer; a single referral more changes no
// published number and pushes nothing.
func TestDashboardUpdatedOverWebsocket(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	for i := range 5 {
		h.refer(fmt.Sprint("sub-", i))
	}
	s := h.dialSocket(t, map[string]string{"Authorization": "Bearer " + h.token(analyst)})
	s.expect("connection_ack")
	s.conn.SetReadLimit(1 << 20) // a dashboard is larger than the client's default limit
	subscription := strings.NewReplacer("query(", "subscription(", "dashboard(filter", "dashboardUpdated(filter").Replace(dashboardQuery)
	payload, _ := json.Marshal(map[string]any{"query": subscription, "variables": map[string]any{"f": marchFilter("shelter-a")}})
	s.send(wsMessage{ID: "1", Type: "subscribe", Payload: payload})
	referrals := func() string {
		m := s.expect("next")
		var out struct {
			Data   struct{ DashboardUpdated dashDoc }
			Errors []gqlError
		}
		if err := json.Unmarshal(m.Payload, &out); err != nil || len(out.Errors) > 0 {
			t.Fatalf("next: %s (%v)", m.Payload, err)
		}
		return fmt.Sprint(out.Data.DashboardUpdated.series(t, "referrals").Months)
	}
	if got := referrals(); got != "[0 0 ≥5]" {
		t.Fatalf("first message: %s", got)
	}
	for i := range 5 {
		h.refer(fmt.Sprint("sub-more-", i))
	}
	if got := referrals(); got != "[0 0 ≥10]" {
		t.Fatalf("after five more: %s", got)
	}
	// A survey answer changes what the dashboard shows beside the figures: pushed.
	h.must(caseworker, answerSurvey, map[string]any{"in": surveyInput("sub-survey", "shelter-a")}, nil)
	if got := referrals(); got != "[0 0 ≥10]" {
		t.Errorf("the push after a survey answer: %s", got)
	}
	h.refer("sub-one-more") // 11: still ≥10
	// Nothing may come: wait well past the subscription's poll for a message (the read
	// closes the socket when it times out, so this comes last).
	ctx, cancel := context.WithTimeout(s.ctx, 1500*time.Millisecond)
	defer cancel()
	var m wsMessage
	if err := wsjson.Read(ctx, s.conn, &m); err == nil && m.Type != "ping" && m.Type != "pong" {
		t.Errorf("a referral that changes no published number pushed %s %s", m.Type, m.Payload)
	}

}
