package codec_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

func TestRoundTripKeepsPersonalApart(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := domain.IDDocumentObtained{DocumentID: "d1", At: at, Personal: &domain.DocumentDetails{DocumentNumber: "ABC123"}}
	data, err := codec.Encode(in, "e1", eventstore.Metadata{Actor: "a"}, passThrough, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := domain.EventSpecFor("IDDocumentObtained")
	if data.Type != "IDDocumentObtained" || data.SchemaVersion != spec.SchemaVersion || data.ID != "e1" {
		t.Errorf("envelope = %+v", data)
	}
	if !strings.Contains(string(data.Data), `"personal":{"documentNumber":"ABC123"}`) {
		t.Errorf("personal data is not in one personal sub-object: %s", data.Data)
	}
	out, extras, err := codec.Decode(eventstore.RecordedEvent{EventData: data, Stream: "case-x"})
	personal := extras.Personal
	if err != nil {
		t.Fatal(err)
	}
	got, ok := out.(domain.IDDocumentObtained)
	if !ok || got.DocumentID != "d1" || !got.At.Equal(at) {
		t.Errorf("decoded %#v", out)
	}
	if got.Personal != nil { // the domain never reads it: it is not decoded at all
		t.Errorf("decoded personal field %+v; want nil, the sealed bytes in the extras", got.Personal)
	}
	if string(personal.Data) != `{"documentNumber":"ABC123"}` || personal.EventID != "e1" || personal.SchemaVersion != spec.SchemaVersion {
		t.Errorf("personal = %+v", personal)
	}

	// An event without personal data has none to hand back.
	data, _ = codec.Encode(domain.CaseReopened{ReasonCode: domain.ReopenOther, At: at}, "e2", eventstore.Metadata{}, nil, nil)
	if _, extras, err := codec.Decode(eventstore.RecordedEvent{EventData: data}); err != nil || !extras.Personal.IsZero() {
		t.Errorf("reopened: personal %+v, err %v", extras.Personal, err)
	}
	// A sealed personal object (another shape) still decodes the rest of the event.
	sealed := eventstore.EventData{Type: "CaseNoteAdded", SchemaVersion: 1, Data: []byte(`{"noteId":"n","at":"2026-01-02T03:04:05Z","personal":{"sealed":"AAAA","keyId":"k1"}}`)}
	e, extras, err := codec.Decode(eventstore.RecordedEvent{EventData: sealed})
	if err != nil || e.(domain.CaseNoteAdded).NoteID != "n" || string(extras.Personal.Data) != `{"sealed":"AAAA","keyId":"k1"}` {
		t.Errorf("sealed: %#v %+v %v", e, extras, err)
	}
}

func TestEncodeSealsPersonalAndBlindIndex(t *testing.T) {
	note := domain.CaseNoteAdded{NoteID: "n1", Personal: &domain.NoteDetails{Text: "Calle Secreta 12"}}
	sealedFor := map[string]string{}
	seal := func(eventID string, schemaVersion int, plaintext []byte) (json.RawMessage, error) {
		sealedFor[eventID] = string(plaintext)
		return json.RawMessage(`{"sealed":"` + eventID + `"}`), nil
	}
	data, err := codec.Encode(note, "e9", eventstore.Metadata{}, seal, []string{"tok1"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data.Data), "Secreta") || strings.Contains(string(data.Data), "tok1") {
		t.Fatalf("plaintext left in %s", data.Data)
	}
	if sealedFor["e9"] != `{"text":"Calle Secreta 12"}` || sealedFor[codec.BlindIndexEventID("e9")] != `["tok1"]` {
		t.Errorf("sealed %v", sealedFor)
	}
	_, extras, err := codec.Decode(eventstore.RecordedEvent{EventData: data})
	if err != nil || string(extras.Personal.Data) != `{"sealed":"e9"}` ||
		extras.BlindIndex.EventID != codec.BlindIndexEventID("e9") || string(extras.BlindIndex.Data) != `{"sealed":"e9/blind-index"}` {
		t.Errorf("decoded extras %+v, %v", extras, err)
	}
	failing := func(string, int, []byte) (json.RawMessage, error) { return nil, errors.New("no key") }
	if _, err := codec.Encode(note, "e10", eventstore.Metadata{}, failing, nil); err == nil {
		t.Error("an event was encoded although its personal data could not be sealed")
	}
	if _, err := codec.Encode(domain.CaseReopened{}, "e11", eventstore.Metadata{}, nil, []string{"tok"}); !errors.Is(err, codec.ErrUnsealed) {
		t.Errorf("a blind index without a sealer: %v", err)
	}
}

// passThrough "seals" by leaving the bytes as they are: for tests of the layout only.
func passThrough(_ string, _ int, plaintext []byte) (json.RawMessage, error) { return plaintext, nil }

func TestPersonalDataNeedsASealer(t *testing.T) {
	note := domain.CaseNoteAdded{NoteID: "n", Personal: &domain.NoteDetails{Text: "x"}}
	if _, err := codec.Encode(note, "e", eventstore.Metadata{}, nil, nil); !errors.Is(err, codec.ErrUnsealed) {
		t.Errorf("personal data without a sealer: %v, want ErrUnsealed", err)
	}
	if _, err := codec.Encode(domain.CaseReopened{ReasonCode: domain.ReopenOther}, "e", eventstore.Metadata{}, nil, nil); err != nil {
		t.Errorf("an event without personal data needs no sealer: %v", err)
	}
}

func TestUnknownEventType(t *testing.T) {
	_, _, err := codec.Decode(eventstore.RecordedEvent{EventData: eventstore.EventData{Type: "SurvivorTeleported", Data: []byte(`{}`)}})
	if !errors.Is(err, codec.ErrUnknownEventType) {
		t.Errorf("err = %v", err)
	}
}

// What is stored must decode again: an event outside the table (a pointer to one
// included) is not encoded, and a stored version this code cannot read is refused.
func TestOnlyTableEventsAtKnownVersions(t *testing.T) {
	if _, err := codec.Encode(&domain.CaseReopened{ReasonCode: domain.ReopenOther}, "e", eventstore.Metadata{}, nil, nil); !errors.Is(err, codec.ErrUnknownEventType) {
		t.Errorf("a pointer to an event was encoded: %v", err)
	}
	data, err := codec.Encode(domain.CaseReopened{ReasonCode: domain.ReopenOther}, "e", eventstore.Metadata{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []int{0, data.SchemaVersion + 1} {
		stored := data
		stored.SchemaVersion = version
		if _, _, err := codec.Decode(eventstore.RecordedEvent{EventData: stored}); !errors.Is(err, domain.ErrSchemaVersion) {
			t.Errorf("schema version %d: %v, want ErrSchemaVersion", version, err)
		}
	}
}
