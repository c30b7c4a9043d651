package codec_test

import (
	"strings"
	"testing"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// BenchmarkDecodeSealedNote decodes a note as replay meets it: its text sealed, a
// few hundred bytes of ciphertext the read models keep (or drop) without decoding.
func BenchmarkDecodeSealedNote(b *testing.B) {
	rec := eventstore.RecordedEvent{Stream: "case-x", EventData: eventstore.EventData{ID: "e1", Type: "CaseNoteAdded", SchemaVersion: 1,
		Data: []byte(`{"noteId":"7f1c9b8e-5d1a-4c2b-9e3f-0a1b2c3d4e5f","at":"2026-01-02T03:04:05.123456789Z","personal":{"v":1,"keyId":"k-20260102","nonce":"q83vEjRWeJCrze8S","sealed":"` +
			strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 16) + `"}}`)}}
	for _, decode := range []struct {
		name string
		fn   func(eventstore.RecordedEvent) (domain.Event, codec.Extras, error)
	}{{"copied", codec.Decode}, {"shared", codec.DecodeShared}} {
		b.Run(decode.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := decode.fn(rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
