package node_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

const eventFixtureDir = "../codec/testdata"

// storedEvent is one line of an event fixture: an event as the store keeps it.
type storedEvent struct {
	Stream        string          `json:"stream"`
	Revision      uint64          `json:"revision"`
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schemaVersion"`
	Data          json.RawMessage `json:"data"`
	// Raw is the event's stored bytes, which its hash covers and which link it to the
	// event before (base64): the fixture's chains are verified with them. Of the files
	// written before it was kept, fixture-v1 is verified against the data directory it
	// was taken from (datadir-v1); fixture-v2 cannot be, and only decodes and folds.
	Raw []byte `json:"raw,omitempty"`
}

// fromDataDirV1 is the fixture file taken from datadir-v1, whose lines are verified
// against that directory's stored events.
const fromDataDirV1 = "fixture-v1.jsonl"

// verifiable reports whether a fixture line's hash chain can be checked: it carries
// its stored bytes, or it is one of datadir-v1's events.
func verifiable(file string, e storedEvent) bool {
	return e.Raw != nil || filepath.Base(file) == fromDataDirV1
}

// TestWriteEventFixture runs the fixture journey and fails if it records an event type,
// at its schema version, that no event fixture file holds in a form whose hash chain
// can be verified (see storedEvent.Raw). With -write-event-fixture
// it writes the next codec/testdata/fixture-v<N>.jsonl instead: every stream of the
// journey that holds such an event (the whole stream, so that it folds from its first
// event).
func TestWriteEventFixture(t *testing.T) {
	known, next := knownEventFixtures(t)
	ring, err := sealing.GenerateKeyring("kek-fixture")
	if err != nil {
		t.Fatal(err)
	}
	n := startFixtureNode(t, t.TempDir(), ring)
	waitReady(t, n)
	runFixtureJourney(t, n)
	waitReady(t, n)

	ctx := context.Background()
	head, err := n.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := n.Store.Subscribe(ctx, eventstore.Start)
	if err != nil {
		t.Fatal(err)
	}
	var all []eventstore.RecordedEvent
	wanted := map[string]bool{}
	for rec := range sub.Events() {
		if kind, _, _ := eventstore.SplitStreamName(rec.Stream); kind != eventstore.KindCommand {
			all = append(all, rec)
			if !known[fmt.Sprintf("%s/%d", rec.Type, rec.SchemaVersion)] {
				wanted[rec.Stream] = true
			}
		}
		if !rec.Position.Before(head) {
			break
		}
	}
	sub.Close()
	if !*writeEventFixture {
		for stream := range wanted {
			t.Errorf("%s holds an event type or version no event fixture has: write the next fixture with -write-event-fixture", stream)
		}
		return
	}
	if len(wanted) == 0 {
		t.Fatal("every event type and version is in an earlier fixture: nothing to write")
	}
	path := filepath.Join(eventFixtureDir, fmt.Sprintf("fixture-v%d.jsonl", next))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, rec := range all {
		if wanted[rec.Stream] {
			if err := enc.Encode(storedEvent{Stream: rec.Stream, Revision: rec.Revision, ID: rec.ID, Type: rec.Type,
				SchemaVersion: rec.SchemaVersion, Data: rec.Data, Raw: rec.Raw}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s with %d streams", path, len(wanted))
}

// knownEventFixtures returns the type/version pairs the event fixtures hold verifiably,
// and the number of the next fixture file.
func knownEventFixtures(t *testing.T) (map[string]bool, int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(eventFixtureDir, "fixture-v*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	known := map[string]bool{}
	next := 1
	for _, file := range files {
		var n int
		if _, err := fmt.Sscanf(filepath.Base(file), "fixture-v%d.jsonl", &n); err == nil && n >= next {
			next = n + 1
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(bytes.NewReader(b))
		lines.Buffer(nil, 1<<20)
		for lines.Scan() {
			var e storedEvent
			if err := json.Unmarshal(lines.Bytes(), &e); err != nil {
				t.Fatal(err)
			}
			if verifiable(file, e) {
				known[fmt.Sprintf("%s/%d", e.Type, e.SchemaVersion)] = true
			}
		}
	}
	return known, next
}

// Every event of every fixture file decodes through the event table (its upcasters,
// for an older schema version) and folds (a case's whole stream with
// projections.FoldCase, the directory's and the revocations' events into their read
// models); and every stream that can be verified is: its hash chain checked with
// package audit on the events' stored bytes (a line's raw, or, for fixture-v1, which
// predates them, datadir-v1's events it was taken from, after checking that each line
// holds exactly that event). Every event type of the table has a fixture at every
// schema version it has had that decodes, folds and verifies: a type, or a version,
// without one fails here.
func TestEventFixturesDecodeFoldAndVerify(t *testing.T) {
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join(eventFixtureDir, "fixture-v*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no event fixtures: %v", err)
	}
	slices.Sort(files)
	var stored eventstore.Store // datadir-v1's, opened for fixture-v1
	have, verified := map[string]bool{}, map[string]bool{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		streams := map[string][]eventstore.RecordedEvent{}
		checkable := map[string]bool{}
		var order []string
		lines := bufio.NewScanner(bytes.NewReader(b))
		lines.Buffer(nil, 1<<20)
		for lines.Scan() {
			var line storedEvent
			if err := json.Unmarshal(lines.Bytes(), &line); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			rec := eventstore.RecordedEvent{
				EventData: eventstore.EventData{ID: line.ID, Type: line.Type, SchemaVersion: line.SchemaVersion, Data: line.Data},
				Stream:    line.Stream, Revision: line.Revision,
			}
			switch {
			case line.Raw != nil:
				if rec, err = eventstore.DecodeRecord(line.Raw); err != nil {
					t.Fatalf("%s: %s revision %d: %v", file, line.Stream, line.Revision, err)
				}
			case verifiable(file, line):
				if stored == nil {
					stored = openDataDirV1(t)
				}
				recs, err := stored.ReadStream(ctx, line.Stream, line.Revision)
				if err != nil || len(recs) == 0 {
					t.Fatalf("%s: datadir-v1 does not hold %s revision %d: %v", file, line.Stream, line.Revision, err)
				}
				rec = recs[0]
			}
			if _, ok := checkable[rec.Stream]; !ok {
				checkable[rec.Stream] = true
			}
			checkable[rec.Stream] = checkable[rec.Stream] && verifiable(file, line)
			if rec.Stream != line.Stream || rec.Revision != line.Revision || rec.ID != line.ID || rec.Type != line.Type ||
				rec.SchemaVersion != line.SchemaVersion || !bytes.Equal(rec.Data, line.Data) {
				t.Errorf("%s: %s revision %d: the line is not the stored event it stands for", file, line.Stream, line.Revision)
			}
			if _, ok := streams[rec.Stream]; !ok {
				order = append(order, rec.Stream)
			}
			streams[rec.Stream] = append(streams[rec.Stream], rec)
		}
		orgs, revs := projections.NewOrganisations(), projections.NewRevocations()
		for _, stream := range order {
			recs := streams[stream]
			if checkable[stream] {
				if _, err := audit.CheckStream(stream, recs); err != nil {
					t.Errorf("%s: %v", file, err)
					checkable[stream] = false
				}
			}
			envs := make([]projections.Envelope, 0, len(recs))
			for _, rec := range recs {
				e, extras, err := codec.Decode(rec)
				if err != nil {
					t.Errorf("%s: %s revision %d (%s v%d): %v", file, stream, rec.Revision, rec.Type, rec.SchemaVersion, err)
					continue
				}
				envs = append(envs, projections.Envelope{Record: rec, Event: e, Extras: extras})
			}
			if len(envs) != len(recs) {
				continue
			}
			switch kind, id, _ := eventstore.SplitStreamName(stream); kind {
			case eventstore.KindCase:
				v, err := projections.FoldCase(id, envs)
				if err != nil || v.State.Version != uint64(len(envs)) {
					t.Errorf("%s: %s does not fold: %v", file, stream, err)
					continue
				}
			case eventstore.KindOrganisation, eventstore.KindRevocation:
				folded := true
				for _, env := range envs {
					if err := errors.Join(orgs.Apply(env), revs.Apply(env)); err != nil {
						t.Errorf("%s: %s revision %d: %v", file, stream, env.Record.Revision, err)
						folded = false
					}
				}
				if !folded {
					continue
				}
			}
			for _, rec := range recs { // decoded and folded
				key := fmt.Sprintf("%s/%d", rec.Type, rec.SchemaVersion)
				have[key] = true
				verified[key] = verified[key] || checkable[stream]
			}
		}
	}
	for _, spec := range domain.Events() {
		for v := 1; v <= spec.SchemaVersion; v++ {
			key := fmt.Sprintf("%s/%d", spec.Type, v)
			if !have[key] || !verified[key] {
				t.Errorf("no event fixture holds %s at schema version %d that decodes, folds and verifies (decodes and folds: %v): "+
					"add it to the fixture journey and write one (go test ./node -run TestWriteEventFixture -write-event-fixture)", spec.Type, v, have[key])
			}
		}
	}
}

// openDataDirV1 opens a copy of datadir-v1's event store (the original is never
// opened: it must never be rewritten).
func openDataDirV1(t *testing.T) eventstore.Store {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixtureDir)); err != nil {
		t.Fatal(err)
	}
	store, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}
