package demo

import (
	"slices"
	"testing"
	"time"
)

// The plan is the same on every run, and every step lies between the pilot's start
// and now, in time order; running it is then deterministic too (only the ids the
// application layer draws differ).
func TestPlanIsDeterministicAndEndsAtNow(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	start := now.Add(-window)
	draw := func() ([]*walker, []step) {
		var sum Summary
		return plan(now, start, nil, &sum)
	}
	walkersA, a := draw()
	walkersB, b := draw()
	if len(a) != len(b) {
		t.Fatalf("two plans have %d and %d steps", len(a), len(b))
	}
	for i := range a {
		if !a[i].at.Equal(b[i].at) || a[i].n != b[i].n || a[i].seq != b[i].seq {
			t.Fatalf("step %d differs: %v/%d/%d vs %v/%d/%d", i, a[i].at, a[i].n, a[i].seq, b[i].at, b[i].n, b[i].seq)
		}
	}
	for i := range walkersA {
		x, y := walkersA[i], walkersB[i]
		if x.org.ID != y.org.ID || !slices.Equal(x.barriers, y.barriers) || !slices.Equal(x.needs, y.needs) || !slices.Equal(x.docs, y.docs) {
			t.Errorf("journey %d differs between plans", i)
		}
	}
	if !slices.IsSortedFunc(a, func(x, y step) int { return x.at.Compare(y.at) }) {
		t.Error("steps are not in time order")
	}
	if first, last := a[0].at, a[len(a)-1].at; first.Before(start) || last.After(now) {
		t.Errorf("steps run from %s to %s, outside %s..%s", first, last, start, now)
	}
	referrals := 0
	for _, w := range walkersA {
		if len(w.steps) > 0 && w.steps[0].seq == 0 {
			referrals++
		}
	}
	if referrals != Journeys {
		t.Errorf("%d journeys start with a referral, want %d", referrals, Journeys)
	}
}
