package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/testkit"
)

// BenchmarkVerifyAll measures what `waymark verify --all` costs: every chain and the
// running hash of the global log recomputed from the stored bytes and compared with a
// signed checkpoint at the head (the first, covering everything, is as many as its
// heads need: the checkpoints metric), next to a raw ordered replay of the same events from
// the same store (an ordered consumer taking every message without decoding it), in
// the same run. x_raw is how many times longer verification takes than the raw read.
//
// The store holds WAYMARK_BENCH_EVENTS events (default 20,000, so that a plain
// `go test -bench .` stays short), written straight through the store, one event per
// append, 20 per stream, the streams interleaved:
//
//	WAYMARK_BENCH_EVENTS=100000 go test -run x -bench VerifyAll -benchtime 1x ./audit/
//	WAYMARK_BENCH_EVENTS=1000000 go test -run x -bench VerifyAll -benchtime 1x -timeout 2h ./audit/
func BenchmarkVerifyAll(b *testing.B) {
	n := benchEvents(b)
	store := testkit.JetStreamStore(b)
	writeBenchEvents(b, store, n)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer := &audit.Signer{Store: store, KeyID: "audit-bench", Key: priv, Now: time.Now}
	began := time.Now()
	if _, made, err := signer.Checkpoint(b.Context()); err != nil || !made {
		b.Fatalf("checkpoint: made %v, %v", made, err)
	}
	checkpoint := time.Since(began)
	cps, err := audit.StoredCheckpoints(b.Context(), store)
	if err != nil {
		b.Fatal(err)
	}
	var verify, raw time.Duration
	for b.Loop() {
		began := time.Now()
		got := rawReplay(b, store)
		raw += time.Since(began)
		began = time.Now()
		r, err := audit.VerifyAll(b.Context(), store, nil, cps, pub)
		verify += time.Since(began)
		if err != nil || r.Events != uint64(n+len(cps)) || r.Checkpoints != len(cps) || got != n+len(cps) {
			b.Fatalf("verify: %+v, %v (raw replay read %d messages)", r, err, got)
		}
	}
	iters := float64(b.N)
	b.ReportMetric(verify.Seconds()/iters, "verify_s")
	b.ReportMetric(raw.Seconds()/iters, "raw_s")
	b.ReportMetric(verify.Seconds()/raw.Seconds(), "x_raw")
	b.ReportMetric(float64(n)*iters/verify.Seconds(), "events/s")
	b.ReportMetric(checkpoint.Seconds(), "first_checkpoint_s")
	b.ReportMetric(float64(len(cps)), "checkpoints")
	b.ReportMetric(0, "ns/op")
}

// benchEvents is how many events the benchmark writes (WAYMARK_BENCH_EVENTS).
func benchEvents(b *testing.B) int {
	b.Helper()
	v, ok := os.LookupEnv("WAYMARK_BENCH_EVENTS")
	if !ok {
		return 20_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 20 {
		b.Fatalf("WAYMARK_BENCH_EVENTS=%q: want a number of events, 20 or more", v)
	}
	return n - n%20
}

// writeBenchEvents appends n events (a multiple of 20) to n/20 case streams, one
// event per append, every stream moving on a step at a time as cases do. The data is
// about the size of a real event's with a sealed personal part.
func writeBenchEvents(b *testing.B, store eventstore.Store, n int) {
	b.Helper()
	ctx := context.Background()
	streams := n / 20
	data := []byte(`{"jurisdiction":"MX","needs":["BANK_ACCOUNT"],"barriers":["NO_ID"],"personal":{"sealed":"` + strings.Repeat("A", 320) + `"}}`)
	for step := range 20 {
		var wg sync.WaitGroup
		for part := range 8 {
			wg.Go(func() {
				for i := part; i < streams; i += 8 {
					expected := eventstore.NoStream
					if step > 0 {
						expected = eventstore.Exact(uint64(step - 1))
					}
					_, err := store.Append(ctx, eventstore.StreamName(eventstore.KindCase, fmt.Sprintf("bench-%07d", i)), expected, eventstore.EventData{
						ID: uuid.Must(uuid.NewV7()).String(), Type: "Noted", SchemaVersion: 1, Data: data,
						Metadata: eventstore.Metadata{Actor: "bench", Role: "caseworker", Organisation: "mx-refugio-esperanza", RecordedAt: testNow},
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if b.Failed() {
			b.FailNow()
		}
	}
}

// rawReplay reads the whole event stream in order without decoding a message and
// returns how many it read.
func rawReplay(b *testing.B, s *jetstream.Store) int {
	b.Helper()
	n, err := jetstream.ReadRaw(context.Background(), s)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
