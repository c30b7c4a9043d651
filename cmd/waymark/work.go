package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/projections"
)

// maxWorkPeriod bounds --stalled-after and --consent-expiry-window: consent runs at
// most two years, and a case quiet for longer than that is not "stalled" but lost.
const maxWorkPeriod = 2 * 365 * 24 * time.Hour

// workFlags are serve's flags for the work queues (myWork).
type workFlags struct {
	stalledAfter  days
	consentWindow days
}

func registerWorkFlags(fs *flag.FlagSet) *workFlags {
	f := &workFlags{stalledAfter: days(projections.DefaultStalledAfter), consentWindow: days(projections.DefaultConsentExpiryWindow)}
	fs.Var(&f.stalledAfter, "stalled-after", "an open case without an event for this long is in its caseworkers' work queue as stalled (days, e.g. 30d, or a Go duration)")
	fs.Var(&f.consentWindow, "consent-expiry-window", "a consent grant ending within this is in the owning organisation's work queue (days, e.g. 14d, or a Go duration)")
	return f
}

// check refuses periods the queues cannot use.
func (f *workFlags) check() error {
	for name, d := range map[string]days{"--stalled-after": f.stalledAfter, "--consent-expiry-window": f.consentWindow} {
		if d <= 0 || time.Duration(d) > maxWorkPeriod {
			return fmt.Errorf("%w: %s %s: want more than 0 and at most %s", errUsage, name, d, days(maxWorkPeriod))
		}
	}
	return nil
}

// withWork configures the node's work queues.
func withWork(f *workFlags) func(*node.Config) {
	return func(cfg *node.Config) {
		cfg.Work = projections.WorkConfig{StalledAfter: time.Duration(f.stalledAfter), ConsentExpiryWindow: time.Duration(f.consentWindow)}
	}
}

// days is a duration flag that also takes whole days ("30d"), the unit these periods
// are thought of in.
type days time.Duration

func (d days) String() string {
	if dur := time.Duration(d); dur%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(dur/(24*time.Hour)), 10) + "d"
	}
	return time.Duration(d).String()
}

func (d *days) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.ParseInt(n, 10, 32)
		if err != nil {
			return fmt.Errorf("not a number of days")
		}
		*d = days(time.Duration(v) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("not a duration: write e.g. 30d or 720h")
	}
	*d = days(v)
	return nil
}
