package codec_test

import (
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
	data, err := codec.Encode(in, "e1", eventstore.Metadata{Actor: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if data.Type != "IDDocumentObtained" || data.SchemaVersion != domain.SchemaVersion || data.ID != "e1" {
		t.Errorf("envelope = %+v", data)
	}
	if !strings.Contains(string(data.Data), `"personal":{"documentNumber":"ABC123"}`) {
		t.Errorf("personal data is not in one personal sub-object: %s", data.Data)
	}
	out, personal, err := codec.Decode(eventstore.RecordedEvent{EventData: data, Stream: "case-x"})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := out.(domain.IDDocumentObtained)
	if !ok || got.DocumentID != "d1" || !got.At.Equal(at) {
		t.Errorf("decoded %#v", out)
	}
	if string(personal) != `{"documentNumber":"ABC123"}` {
		t.Errorf("personal = %s", personal)
	}

	// An event without personal data has none to hand back.
	data, _ = codec.Encode(domain.CaseReopened{Reason: "r", At: at}, "e2", eventstore.Metadata{})
	if _, personal, err := codec.Decode(eventstore.RecordedEvent{EventData: data}); err != nil || personal != nil {
		t.Errorf("reopened: personal %s, err %v", personal, err)
	}
	// A sealed personal object (another shape) still decodes the rest of the event.
	sealed := eventstore.EventData{Type: "CaseNoteAdded", Data: []byte(`{"noteId":"n","at":"2026-01-02T03:04:05Z","personal":{"sealed":"AAAA","keyId":"k1"}}`)}
	e, personal, err := codec.Decode(eventstore.RecordedEvent{EventData: sealed})
	if err != nil || e.(domain.CaseNoteAdded).NoteID != "n" || string(personal) != `{"sealed":"AAAA","keyId":"k1"}` {
		t.Errorf("sealed: %#v %s %v", e, personal, err)
	}
}

func TestUnknownEventType(t *testing.T) {
	_, _, err := codec.Decode(eventstore.RecordedEvent{EventData: eventstore.EventData{Type: "SurvivorTeleported", Data: []byte(`{}`)}})
	if !errors.Is(err, codec.ErrUnknownEventType) {
		t.Errorf("err = %v", err)
	}
}
