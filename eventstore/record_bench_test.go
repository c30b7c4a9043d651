package eventstore

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// BenchmarkDecodeSealedNoteRecord decodes a note's record as replay meets it: metadata
// of a command, and data holding a few hundred bytes of sealed text.
func BenchmarkDecodeSealedNoteRecord(b *testing.B) {
	data := json.RawMessage(`{"noteId":"7f1c9b8e-5d1a-4c2b-9e3f-0a1b2c3d4e5f","at":"2026-01-02T03:04:05.123456789Z","personal":{"v":1,"keyId":"k-20260102","nonce":"q83vEjRWeJCrze8S","sealed":"` +
		strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 16) + `"}}`)
	raw, _, err := EncodeRecord("case-0193a0f2-7c1e-7b51-9d51-3f7c4a1b2c3d", 7, strings.Repeat("ab", 32), EventData{
		ID: "0193a0f2-7c1e-7b51-9d51-3f7c4a1b2c3e", Type: "CaseNoteAdded", SchemaVersion: 1, Data: data,
		Metadata: Metadata{Actor: "sub-1", Role: "caseworker", Organisation: "mx-refugio-esperanza", CommandID: "note-0193a0f2-7c1e",
			CorrelationID: "note-0193a0f2-7c1e", CommandType: "AddCaseNote", Fingerprint: strings.Repeat("cd", 16),
			RecordedAt: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := DecodeRecordUnhashed(raw); err != nil {
			b.Fatal(err)
		}
	}
}
