package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

const replayHelp = `Prints the case's history, every event in order: its version, when it was recorded,
its type and schema version, who recorded it (role and organisation), its
non-personal data in short, and the start of its hash. --json prints one JSON array,
--ndjson one event a line, with the whole non-personal data and both hashes.

Personal data is NOT decrypted: each event's personal parts show as "sealed" (or
"erased" once the case key was destroyed by erasure). The decrypted history is
GraphQL's caseHistory, where every read is authorised and logged.

With a server running on the data directory, the server answers (on its admin
socket); otherwise replay opens the data directory itself, under its lock.

`

// replay: waymark replay --case ID [--json | --ndjson]
func replay(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	fset := flag.NewFlagSet("replay", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	caseID := fset.String("case", "", "the case to replay (required)")
	asJSON := fset.Bool("json", false, "print one JSON array of the events")
	asNDJSON := fset.Bool("ndjson", false, "print one JSON event a line")
	if err := parse(fset, args); err != nil {
		return err
	}
	if *caseID == "" {
		return fmt.Errorf("%w: replay needs --case ID", errUsage)
	}
	if *asJSON && *asNDJSON {
		return fmt.Errorf("%w: give at most one of --json and --ndjson", errUsage)
	}
	events, err := timeline(ctx, sf.resolved(), *caseID, logger)
	if errors.Is(err, admin.ErrNotFound) {
		return fmt.Errorf("no case %q in %s", *caseID, sf.dataDir)
	}
	if err != nil {
		return err
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(events)
	case *asNDJSON:
		enc := json.NewEncoder(out)
		for _, e := range events {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	return writeTimeline(out, *caseID, events)
}

// timeline asks the server that owns the data directory, or opens it under its lock.
func timeline(ctx context.Context, sf storeFlags, caseID string, logger *slog.Logger) ([]admin.TimelineEvent, error) {
	if err := sf.requireStore(" to replay"); err != nil {
		return nil, err
	}
	acc, err := ownOrAsk(ctx, "replay", sf.dataDir)
	if err != nil {
		return nil, err
	}
	if acc.server != nil {
		logger.Debug("replay: asking the server that owns the data directory", "pid", acc.status.PID)
		return acc.server.Timeline(ctx, caseID)
	}
	defer acc.locks.Release()
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	store, err := jetstream.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open the event store: %w", err)
	}
	defer store.Close()
	return caseTimeline(ctx, store, caseID)
}

// writeTimeline prints the events as a table.
func writeTimeline(out io.Writer, caseID string, events []admin.TimelineEvent) error {
	sealed, erased := 0, 0
	for _, e := range events {
		switch e.Personal {
		case admin.PersonalSealed:
			sealed++
		case admin.PersonalErased:
			erased++
		}
	}
	fmt.Fprintf(out, "case %s: %d events", caseID, len(events))
	switch {
	case erased > 0:
		fmt.Fprintf(out, "; personal data erased (%d events held some)\n", erased)
	case sealed > 0:
		fmt.Fprintf(out, "; personal parts of %d shown as sealed, not decrypted (read them with GraphQL caseHistory, which logs every read)\n", sealed)
	default:
		fmt.Fprintln(out)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tRECORDED AT\tEVENT\tBY\tDATA\tHASH")
	for _, e := range events {
		by := e.Role
		if e.Organisation != "" {
			by += "@" + e.Organisation
		}
		fmt.Fprintf(tw, "%d\t%s\t%s v%d\t%s\t%s\t%s\n", e.Version, e.RecordedAt.UTC().Format(time.RFC3339), e.Type, e.SchemaVersion,
			by, shortData(e.Data, e.Personal, e.RecordedAt), shortHash(e.Hash))
	}
	return tw.Flush()
}

// Bounds of the DATA column: the table is for reading; --json has it all.
const (
	maxValueWidth = 28
	maxDataWidth  = 96
)

// shortData renders what became of the personal parts, then data's members as
// name=value in name order, each value and the whole cut short. The event's own time
// ("at") is left out where it is the time it was recorded, shown beside it.
func shortData(data json.RawMessage, personal string, recordedAt time.Time) string {
	var members map[string]json.RawMessage
	_ = json.Unmarshal(data, &members) // made by json.Marshal: an object
	var at time.Time
	if raw, ok := members["at"]; ok && json.Unmarshal(raw, &at) == nil && at.Equal(recordedAt) {
		delete(members, "at")
	}
	var parts []string
	if personal != "" {
		parts = append(parts, "personal="+personal) // first: never cut off
	}
	for _, name := range slices.Sorted(maps.Keys(members)) {
		parts = append(parts, name+"="+cut(shortValue(members[name]), maxValueWidth))
	}
	return cut(strings.Join(parts, " "), maxDataWidth)
}

// shortValue is a JSON value without quotes around a string, a list of strings as
// a,b,c; anything else as compact JSON.
func shortValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, ",")
	}
	return string(raw)
}

func cut(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return string(r[:width-1]) + "…"
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
