package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/waymark-org/waymark/calendar"
	"github.com/waymark-org/waymark/node"
)

// registerCalendarsFlag adds --calendars to serve (parse reads WAYMARK_CALENDARS when
// the flag is not given).
func registerCalendarsFlag(fs *flag.FlagSet) *string {
	return fs.String("calendars", "", "business-day calendars of the bureaus' statutory clocks, a JSON file (default: the built-in US, GB and MX calendars)")
}

// loadCalendars reads the calendar file at path, or returns the built-in calendars for
// "". A file that cannot be used stops the start: due dates counted on a half-read
// calendar would be wrong without anyone knowing.
func loadCalendars(path string, logger *slog.Logger) (*calendar.Set, error) {
	if path == "" {
		return calendar.Default(), nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: --calendars (WAYMARK_CALENDARS): cannot read the calendar file: %w", errUsage, err)
	}
	set, err := calendar.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: --calendars (WAYMARK_CALENDARS) %s: %w", errUsage, path, err)
	}
	logger.Info("calendars loaded", "file", path, "jurisdictions", set.Jurisdictions())
	return set, nil
}

// withCalendars has the node count due dates on set.
func withCalendars(set *calendar.Set) func(*node.Config) {
	return func(cfg *node.Config) { cfg.Calendars = set }
}
