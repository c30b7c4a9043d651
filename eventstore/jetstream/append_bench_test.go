package jetstream

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
)

// benchEvent is a typical event: ~400 bytes stored.
var benchEvent = eventstore.EventData{
	ID:            "01900000-0000-7000-8000-000000000001",
	Type:          "IDDocumentObtained",
	SchemaVersion: 1,
	Data:          json.RawMessage(`{"document":"birth-certificate","authority":"civil-registry","jurisdiction":"MX-CMX","personal":{"sealed":"c2VhbGVkIHBlcnNvbmFsIGRhdGEgc2VhbGVkIHBlcnNvbmFsIGRhdGE="}}`),
	Metadata: eventstore.Metadata{
		Actor: "user-7", Role: "caseworker", Organisation: "org-shelter-1", CommandID: "cmd-1",
		CorrelationID: "corr-1", CausationID: "cause-1", RecordedAt: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
	},
}

var syncModes = []string{SyncInterval, SyncAlways}

// BenchmarkAppend appends one event per op to one stream with an Exact expectation:
// head from the cache (this store wrote it) + encode + publish with expected last
// subject sequence. headreads/op counts the heads read from the server instead.
func BenchmarkAppend(b *testing.B) {
	for _, mode := range syncModes {
		b.Run("sync="+mode, func(b *testing.B) {
			s := mustOpen(b, Config{DataDir: b.TempDir(), Sync: mode})
			defer s.Close()
			last := mustAppendT(b, s, "case-bench", eventstore.NoStream, benchEvent).LastRevision
			for b.Loop() {
				r, err := s.Append(b.Context(), "case-bench", eventstore.Exact(last), benchEvent)
				if err != nil {
					b.Fatal(err)
				}
				last = r.LastRevision
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			b.ReportMetric(float64(s.headReads.Load())/float64(b.N), "headreads/op")
		})
	}
}

// BenchmarkRawPublish is the floor under BenchmarkAppend: the same bytes published
// with the expected last subject sequence, no head read and no encoding.
func BenchmarkRawPublish(b *testing.B) {
	raw, _, err := eventstore.EncodeRecord("case-bench", 0, "", benchEvent)
	if err != nil {
		b.Fatal(err)
	}
	payload := appendFrame(nil, raw)
	for _, mode := range syncModes {
		b.Run("sync="+mode, func(b *testing.B) {
			s := mustOpen(b, Config{DataDir: b.TempDir(), Sync: mode})
			defer s.Close()
			last := uint64(0)
			for b.Loop() {
				ack, err := s.js.Publish(b.Context(), "waymark.events.raw-bench", payload, jetstream.WithExpectLastSequencePerSubject(last))
				if err != nil {
					b.Fatal(err)
				}
				last = ack.Sequence
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "publishes/s")
			b.ReportMetric(float64(len(payload)), "bytes/msg")
		})
	}
}

// BenchmarkReadStream20 loads a 20-event stream written as 20 appends, among other
// streams' messages.
func BenchmarkReadStream20(b *testing.B) {
	s := mustOpen(b, Config{DataDir: b.TempDir(), Sync: SyncInterval})
	defer s.Close()
	for range 20 {
		mustAppendT(b, s, "case-load", eventstore.Any, benchEvent)
		mustAppendT(b, s, "case-noise", eventstore.Any, benchEvent)
	}
	for b.Loop() {
		events, err := s.ReadStream(b.Context(), "case-load", 0)
		if err != nil || len(events) != 20 {
			b.Fatalf("read %d events: %v", len(events), err)
		}
	}
}

// BenchmarkReadStreamMissing reads a stream that has no messages (among other
// streams' messages): the cost of learning ErrStreamNotFound.
func BenchmarkReadStreamMissing(b *testing.B) {
	s := mustOpen(b, Config{DataDir: b.TempDir(), Sync: SyncInterval})
	defer s.Close()
	for range 20 {
		mustAppendT(b, s, "case-noise", eventstore.Any, benchEvent)
	}
	for b.Loop() {
		if _, err := s.ReadStream(b.Context(), "case-absent", 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
			b.Fatalf("read missing stream: %v", err)
		}
	}
}
