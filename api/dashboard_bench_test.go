package api_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/internal/testkit"
)

// BenchmarkDashboardDemo is the dashboard page's query — a year of the Mexico pilot —
// over the demo's coalition and journeys, through the real handler (called directly).
// It reports the server's time and allocations per read, and their p50 and p99: the
// figures behind the bench's dashboard row at the demo's size.
func BenchmarkDashboardDemo(b *testing.B) {
	h := newHarnessWith(b, unlimited)
	if _, err := demo.Seed(context.Background(), demo.Deps{Store: h.node.Store, Vault: h.node.Vault, HashKey: testKey, Logger: testkit.Quiet()}, testStart); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": dashboardQuery, "variables": map[string]any{
		"f": map[string]any{"jurisdiction": "MX", "fromMonth": "2025-04", "toMonth": "2026-03"}}})
	ask := h.direct(app.Actor{ID: "analyst", Role: app.RoleAnalyst, Organisation: demo.CoalitionAnalytics}, body)
	if err := h.node.Current().Service.WaitFor(context.Background(), h.head().String()); err != nil {
		b.Fatal(err) // the read models caught up with the seeding
	}
	var r gqlResponse
	if err := json.Unmarshal(ask(), &r); err != nil || len(r.Errors) > 0 {
		b.Fatalf("dashboard: %v %+v", err, r.Errors)
	}
	b.ReportMetric(float64(len(ask())), "bytes/answer")
	b.ReportAllocs()
	var took []time.Duration
	var last []byte
	refused := 0
	for b.Loop() {
		began := time.Now()
		last = answered(ask(), &refused)
		took = append(took, time.Since(began))
	}
	mustAnswer(b, "dashboard", refused, last)
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
