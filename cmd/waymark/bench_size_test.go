package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/bench"
)

// The rebuild's row is judged per million events once the log holds a million, and
// only then; a raw read that failed makes it an error.
func TestRebuildRowJudgesPerMillionEvents(t *testing.T) {
	for _, tc := range []struct {
		took   time.Duration
		events int
		rawErr error
		met    string
	}{
		{9 * time.Second, 1_000_000, nil, bench.Verdict(true)},
		{11 * time.Second, 1_000_000, nil, bench.Verdict(false)},
		{18 * time.Second, 2_000_000, nil, bench.Verdict(true)},  // 9 s a million
		{21 * time.Second, 2_000_000, nil, bench.Verdict(false)}, // 10.5 s a million
		{time.Second, 200_000, nil, "n/a (200,000 events; --cases 50000 for the target's size)"},
		{9 * time.Second, 1_000_000, errors.New("no store"), bench.Failed},
	} {
		row := rebuildRow("some cases", tc.took, tc.events, 5*time.Second, tc.rawErr)
		if row.Met != tc.met {
			t.Errorf("%s for %d events: %q, want %q", tc.took, tc.events, row.Met, tc.met)
		}
		if tc.rawErr == nil && (row.Ratio == "" || !strings.Contains(row.Baseline, "reading the log raw")) {
			t.Errorf("%s for %d events: no raw baseline: %+v", tc.took, tc.events, row)
		}
	}
}
