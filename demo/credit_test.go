package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
)

// The demo has disputes its US bureau has not answered past the FCRA due date (some
// filed by Mexican caseworkers: the bureau's clock, not the case's), and Mexican ones
// without a statutory clock.
func TestSeedHasOverdueDisputes(t *testing.T) {
	store, vault := testkit.Store(t), testkit.Vault(t)
	if _, err := demo.Seed(context.Background(), demo.Deps{Store: store, Vault: vault, HashKey: make([]byte, 32), Logger: testkit.Quiet()}, seedNow); err != nil {
		t.Fatal(err)
	}
	cases := projections.NewCases(vault)
	runner := projections.NewRunner(store, testkit.Quiet(), cases)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	head, err := store.Head(wait)
	if err != nil {
		t.Fatal(err)
	}
	if err := runner.WaitFor(wait, head); err != nil {
		t.Fatal(err)
	}
	overdue, unclocked := 0, 0
	for _, d := range cases.Disputes().Due(demo.BureauUS, projections.DueForBureau) {
		if d.DueAt.IsZero() {
			t.Errorf("a US dispute without a due date: %+v", d)
		}
		if d.Overdue(seedNow) {
			overdue++
		}
	}
	for _, d := range cases.Disputes().Due(demo.BureauMX, projections.DueForBureau) {
		if d.DueAt.IsZero() {
			unclocked++
		}
	}
	t.Logf("%d overdue US disputes, %d open Mexican ones", overdue, unclocked)
	if overdue == 0 || unclocked == 0 {
		t.Errorf("%d overdue US disputes and %d open Mexican ones; want some of each", overdue, unclocked)
	}
}
