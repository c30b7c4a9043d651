package codec_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
)

// FuzzDecode feeds Decode stored events of every type at every schema version with
// their data changed: the upcasters and the decoders must refuse what they cannot
// read with an error, never panic, and what they accept must be the event of the
// stored type, its personal data and blind index kept as stored bytes. The seeds are
// every event of the committed fixtures (testdata/fixture-v*.jsonl), one per release's
// format.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob("testdata/fixture-v*.jsonl")
	if err != nil || len(files) == 0 {
		f.Fatalf("fixtures: %v (%d files)", err, len(files))
	}
	types := domain.EventTypes()
	index := map[string]uint8{}
	for i, name := range types {
		index[name] = uint8(i)
	}
	for _, file := range files {
		for _, rec := range testkit.EventFixture(f, file) {
			f.Add(index[rec.Type], rec.SchemaVersion, []byte(rec.Data))
		}
	}
	f.Add(uint8(0), 0, []byte(`{}`))
	f.Add(uint8(1), -1, []byte(`null`))
	f.Add(uint8(2), 99, []byte(`{"personal":{"ct":1},"blindIndex":[]}`))

	f.Fuzz(func(t *testing.T, typ uint8, version int, data []byte) {
		name := types[int(typ)%len(types)]
		rec := eventstore.RecordedEvent{
			EventData: eventstore.EventData{ID: "e1", Type: name, SchemaVersion: version, Data: data},
			Stream:    "case-fuzz",
		}
		e, extras, err := codec.Decode(rec)
		if err != nil {
			if errors.Is(err, codec.ErrUnknownEventType) {
				t.Fatalf("a known type %s was refused as unknown: %v", name, err)
			}
			return
		}
		if e == nil || e.EventType() != name {
			t.Fatalf("stored %s decoded as %#v", name, e)
		}
		for _, p := range []codec.Personal{extras.Personal, extras.BlindIndex} {
			if !p.IsZero() && (p.SchemaVersion != version || len(p.Data) == 0) {
				t.Fatalf("extras %+v do not keep the stored version %d", p, version)
			}
		}
	})
}
