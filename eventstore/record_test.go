package eventstore_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// The command's fingerprint was added to the metadata later: a record stored before
// it decodes unchanged (its hash still covers exactly its bytes), one without it
// encodes to the same bytes as before, and one with it keeps it.
func TestMetadataFingerprintIsAdditive(t *testing.T) {
	// Stored by the hardening release (the shape of node/testdata/datadir-v1).
	old := []byte(`{"v":1,"stream":"case-c1","revision":0,"id":"e1","type":"SurvivorReferred","schemaVersion":1,"data":{},` +
		`"metadata":{"actor":"w","role":"caseworker","organisation":"shelter","commandId":"refer","correlationId":"refer","causationId":"refer","recordedAt":"2026-06-01T09:00:00Z","prevHash":""}}`)
	rec, err := eventstore.DecodeRecord(old)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Metadata.CommandID != "refer" || rec.Metadata.CommandType != "" || rec.Metadata.Fingerprint != "" || rec.Metadata.Hash != eventstore.HashOf(old) {
		t.Fatalf("old record decodes as %+v", rec.Metadata)
	}
	again, _, err := eventstore.EncodeRecord("case-c1", 0, "", rec.EventData)
	if err != nil || !bytes.Equal(again, old) {
		t.Fatalf("an old record re-encodes as\n%s\nnot\n%s (%v)", again, old, err)
	}

	md := eventstore.Metadata{Actor: "w", Role: "caseworker", CommandID: "n1", CommandType: "AddCaseNote",
		Fingerprint: "ab12", RecordedAt: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	raw, _, err := eventstore.EncodeRecord("case-c1", 1, "prev", eventstore.EventData{ID: "e2", Type: "CaseNoteAdded", Data: []byte(`{}`), Metadata: md})
	if err != nil {
		t.Fatal(err)
	}
	got, err := eventstore.DecodeRecord(raw)
	if err != nil || got.Metadata.CommandType != "AddCaseNote" || got.Metadata.Fingerprint != "ab12" {
		t.Fatalf("a new record decodes as %+v (%v)", got.Metadata, err)
	}
}

// Data is stored compacted, never HTML-escaped; data that is not JSON is refused.
func TestRecordDataIsStoredCompacted(t *testing.T) {
	e := eventstore.EventData{ID: "e1", Type: "CaseNoteAdded", Data: []byte("{ \"text\" : \"<b>&amp;</b> \\u00e9\" ,\n \"n\": [1, 2] }"),
		Metadata: eventstore.Metadata{Actor: "w", Role: "caseworker", RecordedAt: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}}
	raw, _, err := eventstore.EncodeRecord("case-c1", 0, "", e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"data":{"text":"<b>&amp;</b> \u00e9","n":[1,2]}`; !bytes.Contains(raw, []byte(want)) {
		t.Errorf("stored %s, want it to hold %s", raw, want)
	}
	e.Data = []byte(`{"text":`)
	if _, _, err := eventstore.EncodeRecord("case-c1", 0, "", e); err == nil || !strings.Contains(err.Error(), "data is not JSON") {
		t.Errorf("data that is not JSON: %v", err)
	}
}

// A record's data shares the stored bytes, but appending to it never writes into them.
func TestRecordDataAppendLeavesRawAlone(t *testing.T) {
	raw, _, err := eventstore.EncodeRecord("case-c1", 0, "", eventstore.EventData{ID: "e1", Type: "CaseNoteAdded",
		Data: []byte(`{"noteId":"n1"}`), Metadata: eventstore.Metadata{Actor: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := eventstore.DecodeRecord(raw)
	if err != nil {
		t.Fatal(err)
	}
	before := string(rec.Raw)
	grown := append(rec.Data, `,"x":1}`...)
	if string(rec.Raw) != before || string(rec.Data) != `{"noteId":"n1"}` || len(grown) == len(rec.Data) {
		t.Errorf("appending to the data changed the record: raw %s, data %s", rec.Raw, rec.Data)
	}
}
