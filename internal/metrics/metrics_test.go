package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/metrics"
)

// scrape returns what /metrics serves.
func scrape(t *testing.T, reg *metrics.Registry) string {
	t.Helper()
	srv := httptest.NewServer(reg.AdminHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: HTTP %d: %s", resp.StatusCode, b)
	}
	return string(b)
}

// Two registries in one process (two nodes in one test) do not collide, and each
// holds only what was recorded in it.
func TestRegistriesAreIndependent(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.Command("ReferSurvivor", "ok")
	b.Command("AddCaseNote", "conflict")
	sa, sb := scrape(t, a), scrape(t, b)
	if !strings.Contains(sa, `waymark_commands_total{outcome="ok",type="ReferSurvivor"} 1`) || strings.Contains(sa, "AddCaseNote") {
		t.Errorf("first registry:\n%s", grep(sa, "waymark_commands"))
	}
	if !strings.Contains(sb, `waymark_commands_total{outcome="conflict",type="AddCaseNote"} 1`) || strings.Contains(sb, "ReferSurvivor") {
		t.Errorf("second registry:\n%s", grep(sb, "waymark_commands"))
	}
	for _, family := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(sa, family) {
			t.Errorf("no %s: Go and process collectors missing", family)
		}
	}
}

// Every family is served once something was recorded in it, under the label values
// given, and a read model's distance from the head is read at the scrape.
func TestEveryFamily(t *testing.T) {
	reg := metrics.New()
	reg.Command("ReferSurvivor", "ok")
	reg.Appended(3 * time.Millisecond)
	reg.AppendConflict()
	reg.GraphQL("query", "case", 2*time.Millisecond)
	reg.RateLimited("token")
	reg.AccessLogRound(5, 1, time.Millisecond)
	reg.WebhookDelivery("delivered")
	reg.ReadModelApplied("projections")(time.Now().Add(-time.Second))
	head := eventstore.NewPosition(10, 0)
	applied := eventstore.NewPosition(7, 0)
	reg.TrackReadModel("projections", func(context.Context) (eventstore.Position, error) { return head, nil },
		func() eventstore.Position { return applied })
	reg.TrackReadModel("analytics_feed", func(context.Context) (eventstore.Position, error) { return head, nil },
		func() eventstore.Position { return head })
	got := scrape(t, reg)
	for _, want := range []string{
		`waymark_commands_total{outcome="ok",type="ReferSurvivor"} 1`,
		`waymark_append_duration_seconds_count 1`,
		`waymark_append_conflicts_total 1`,
		`waymark_graphql_request_duration_seconds_count{operation_type="query",root_field="case"} 1`,
		`waymark_rate_limited_total{caller="token"} 1`,
		`waymark_rate_limited_total{caller="anonymous"} 0`,
		`waymark_access_log_entries_total{outcome="stored"} 4`,
		`waymark_access_log_entries_total{outcome="failed"} 1`,
		`waymark_access_log_round_entries_sum 5`,
		`waymark_access_log_round_duration_seconds_count 1`,
		`waymark_webhook_deliveries_total{outcome="delivered"} 1`,
		`waymark_read_model_delay_seconds_count{read_model="projections"} 1`,
		`waymark_read_model_behind{read_model="projections"} 3`,
		`waymark_read_model_behind{read_model="analytics_feed"} 0`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s", want)
		}
	}
	if t.Failed() {
		t.Logf("scraped:\n%s", grep(got, "waymark_"))
	}
}

// A label value past a vector's cap is counted under "other": a mistake that fed one
// free values could not grow the series without bound.
func TestLabelValuesAreCapped(t *testing.T) {
	reg := metrics.New()
	for i := range 1000 {
		reg.GraphQL("query", strings.Repeat("f", i%700+1), time.Millisecond)
	}
	got := scrape(t, reg)
	if n := strings.Count(got, "waymark_graphql_request_duration_seconds_count{"); n > 501 {
		t.Errorf("%d GraphQL series, want at most 500 and the overflow", n)
	}
	if !strings.Contains(got, `waymark_graphql_request_duration_seconds_count{operation_type="other",root_field="other"}`) {
		t.Error("no overflow series")
	}
}

// The admin handler serves the profiles, and not the command line (it may hold a
// password).
func TestAdminHandlerProfiles(t *testing.T) {
	srv := httptest.NewServer(metrics.New().AdminHandler())
	defer srv.Close()
	for path, want := range map[string]int{
		"/debug/pprof/":                  http.StatusOK,
		"/debug/pprof/goroutine?debug=1": http.StatusOK,
		"/debug/pprof/cmdline":           http.StatusNotFound,
		"/":                              http.StatusNotFound,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: HTTP %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func grep(s, prefix string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
