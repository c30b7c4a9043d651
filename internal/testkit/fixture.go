package testkit

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

// EventFixture reads an event fixture (codec/testdata/fixture-v*.jsonl: one event a
// line, as the store keeps it) into records, in the file's order.
func EventFixture(t testing.TB, path string) []eventstore.RecordedEvent {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []eventstore.RecordedEvent
	lines := bufio.NewScanner(f)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var stored struct {
			Stream        string          `json:"stream"`
			Revision      uint64          `json:"revision"`
			ID            string          `json:"id"`
			Type          string          `json:"type"`
			SchemaVersion int             `json:"schemaVersion"`
			Data          json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(lines.Bytes(), &stored); err != nil {
			t.Fatalf("%s line %d: %v", path, len(out)+1, err)
		}
		out = append(out, eventstore.RecordedEvent{
			EventData: eventstore.EventData{ID: stored.ID, Type: stored.Type, SchemaVersion: stored.SchemaVersion, Data: stored.Data},
			Stream:    stored.Stream, Revision: stored.Revision,
		})
	}
	if err := lines.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return out
}
