package analytics

import (
	"path/filepath"
	"testing"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
)

// fixtureEvent is one case event of the codec's fixture, decoded, with the case as it
// stands after it.
type fixtureEvent struct {
	file  string // each file is a separate run, its ids counted from the same start
	rec   eventstore.RecordedEvent
	event domain.Event
	after domain.Case
}

// loadFixture decodes the codec's event fixtures, which together hold every event type
// as stored (their personal data sealed, so decoded events carry no Personal object:
// the tests plant one), through the codec as its own fixture tests do, and folds every
// case (each file holds whole streams). Events of other aggregates come with a zero case.
func loadFixture(t testing.TB) []fixtureEvent {
	t.Helper()
	files, err := filepath.Glob("../codec/testdata/fixture-v*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no event fixtures: %v", err)
	}
	var out []fixtureEvent
	for _, name := range files {
		out = append(out, loadFixtureFile(t, name)...)
	}
	return out
}

func loadFixtureFile(t testing.TB, name string) []fixtureEvent {
	t.Helper()
	cases := map[string]domain.Case{}
	var out []fixtureEvent
	for _, rec := range testkit.EventFixture(t, name) {
		e, _, err := codec.Decode(rec)
		if err != nil {
			t.Fatalf("%s revision %d (%s): %v", rec.Stream, rec.Revision, rec.Type, err)
		}
		fe := fixtureEvent{file: filepath.Base(name), rec: rec, event: e}
		if spec, _ := domain.EventSpecFor(rec.Type); spec.Aggregate == domain.AggregateCase {
			cases[rec.Stream] = domain.Evolve(cases[rec.Stream], e)
			fe.after = cases[rec.Stream]
		}
		out = append(out, fe)
	}
	if len(out) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return out
}

// testKey is a fixed analytics key for the tests.
var testKey = []byte("0123456789abcdef0123456789abcdef")

func testPseudonymizer(t *testing.T) Pseudonymizer {
	t.Helper()
	p, err := NewPseudonymizer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
