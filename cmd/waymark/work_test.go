package main

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/projections"
)

// Periods the work queues cannot use are usage errors naming the flag, before serve
// touches its data directory.
func TestWorkFlagMistakes(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ flag, value, says string }{
		"stalled after nothing":     {"--stalled-after", "0d", "--stalled-after"},
		"stalled after a negative":  {"--stalled-after", "-5d", "--stalled-after"},
		"stalled after three years": {"--stalled-after", "1100d", "--stalled-after"},
		"stalled after gibberish":   {"--stalled-after", "soon", "not a duration"},
		"days that are not a count": {"--stalled-after", "xd", "not a number of days"},
		"window of nothing":         {"--consent-expiry-window", "0s", "--consent-expiry-window"},
	} {
		err := run(context.Background(), []string{"serve", "--data-dir", dir, c.flag, c.value}, quietLogger())
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want a usage error saying %q", name, err, c.says)
		}
	}
}

// The defaults are the projection's; days and Go durations both read; the node gets
// what was given.
func TestWorkFlags(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f := registerWorkFlags(fs)
	if err := f.check(); err != nil {
		t.Fatal(err)
	}
	var cfg node.Config
	withWork(f)(&cfg)
	if cfg.Work.StalledAfter != projections.DefaultStalledAfter || cfg.Work.ConsentExpiryWindow != projections.DefaultConsentExpiryWindow {
		t.Errorf("defaults: %+v", cfg.Work)
	}
	if err := parse(fs, []string{"--stalled-after", "45d", "--consent-expiry-window", "36h"}); err != nil {
		t.Fatal(err)
	}
	withWork(f)(&cfg)
	if cfg.Work.StalledAfter != 45*24*time.Hour || cfg.Work.ConsentExpiryWindow != 36*time.Hour {
		t.Errorf("given: %+v", cfg.Work)
	}
	if s := f.stalledAfter.String(); s != "45d" {
		t.Errorf("shown as %q", s)
	}
}
