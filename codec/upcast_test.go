package codec

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// No event type has changed shape yet, so the codec's part of upcasting is tried on a
// made-up type: ProbeRecorded stored "note" at schema version 1 and "label" from 2.
type probeRecorded struct {
	Label    string              `json:"label"`
	At       time.Time           `json:"at"`
	Personal *domain.NoteDetails `json:"personal,omitempty"`
}

func (probeRecorded) EventType() string { return "ProbeRecorded" }

func probeSpec() domain.EventSpec {
	return domain.DescribeEvent[probeRecorded](domain.AggregateCase).Upcasting(1, func(data json.RawMessage) (json.RawMessage, error) {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			return nil, err
		}
		fields["label"] = fields["note"]
		delete(fields, "note")
		return json.Marshal(fields)
	})
}

// New events are stored, and sealed, at the type's current version.
func TestEncodeAtTheTypesSchemaVersion(t *testing.T) {
	var sealedAt []int
	seal := func(id string, version int, _ []byte) (json.RawMessage, error) {
		sealedAt = append(sealedAt, version)
		return json.RawMessage(`{"sealed":"` + id + `"}`), nil
	}
	e := probeRecorded{Label: "x", Personal: &domain.NoteDetails{Text: "secret"}}
	data, err := encode(probeSpec(), e, "e2", eventstore.Metadata{}, seal, []string{"token"})
	if err != nil {
		t.Fatal(err)
	}
	if data.Type != "ProbeRecorded" || data.SchemaVersion != 2 || !reflect.DeepEqual(sealedAt, []int{2, 2}) {
		t.Errorf("stored %s at version %d, sealed at %v", data.Type, data.SchemaVersion, sealedAt)
	}
}

// An event stored at an older version is upcast before it is decoded; its sealed
// parts come back from the stored bytes with the stored version, which their sealing
// is bound to (the upcaster rewrote the data around them).
func TestDecodeUpcastsAndKeepsSealedPartsAtTheirVersion(t *testing.T) {
	stored := `{"note":"x","at":"2026-01-02T03:04:05Z","personal":{"keyId":"k1", "sealed":"AAAA"},"blindIndex":{"sealed":"BBBB"}}`
	rec := eventstore.RecordedEvent{EventData: eventstore.EventData{ID: "e1", Type: "ProbeRecorded", SchemaVersion: 1, Data: []byte(stored)}}
	e, extras, err := decode(probeSpec(), rec, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := e.(probeRecorded); !ok || got.Label != "x" || !got.At.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("decoded %#v", e)
	}
	want := Personal{EventID: "e1", SchemaVersion: 1, Data: json.RawMessage(`{"keyId":"k1", "sealed":"AAAA"}`)}
	if !reflect.DeepEqual(extras.Personal, want) {
		t.Errorf("personal = %+v, want %+v", extras.Personal, want)
	}
	if extras.BlindIndex.SchemaVersion != 1 || extras.BlindIndex.EventID != BlindIndexEventID("e1") {
		t.Errorf("blind index = %+v", extras.BlindIndex)
	}
}
