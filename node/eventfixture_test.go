package node_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
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
}

// TestWriteEventFixture runs the fixture journey and fails if it records an event type,
// at its schema version, that no event fixture file holds. With -write-event-fixture
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
				SchemaVersion: rec.SchemaVersion, Data: rec.Data}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s with %d streams", path, len(wanted))
}

// knownEventFixtures returns the type/version pairs the event fixtures hold, and the
// number of the next fixture file.
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
			known[fmt.Sprintf("%s/%d", e.Type, e.SchemaVersion)] = true
		}
	}
	return known, next
}
