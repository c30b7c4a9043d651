package demo

import (
	"testing"
	"time"
)

// Every kind of transfer is planned for some Mexican journey: moves within Mexico,
// returns home to the US, a declined one and one left waiting for its recipient. A
// journey that moved is planned on for its new owner.
func TestPlanHasEveryKindOfTransfer(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var sum Summary
	walkers, _ := plan(now, now.Add(-window), nil, &sum)
	fates := map[transferFate]int{}
	for _, w := range walkers {
		fates[w.fate]++
		if w.fate == transferHome && w.org.ID != NGOUS && w.open() {
			t.Errorf("journey %d returned home but is planned on for %s", w.n, w.org.ID)
		}
	}
	for fate, name := range map[transferFate]string{transferInCountry: "in-country", transferHome: "home to the US",
		transferDeclined: "declined", transferPending: "pending"} {
		if fates[fate] == 0 {
			t.Errorf("no %s transfer planned: %v", name, fates)
		}
	}
}
