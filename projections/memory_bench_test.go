package projections_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/sealing"
)

// BenchmarkCaseMemory measures the live heap the read models hold per case, for the
// cases 'waymark bench' writes (a referral and 19 notes, ids as the service draws
// them). A heap profile of what is held:
//
//	HEAP_PROFILE=heap.out go test -run x -bench CaseMemory -benchtime 1x ./projections/
//	go tool pprof -sample_index=inuse_space heap.out
func BenchmarkCaseMemory(b *testing.B) {
	const n = 2000
	w := newWorldWith(b, testkit.Vault(b))
	writeNoteCases(b, w, n)
	for b.Loop() {
		before := liveHeap()
		m := newModels(w).run(b, w)
		m.stop(b)
		after := liveHeap()
		if m.cases.Len() != n {
			b.Fatalf("%d cases", m.cases.Len())
		}
		b.ReportMetric(float64(after-before)/n, "heap_bytes/case")
		if path := os.Getenv("HEAP_PROFILE"); path != "" {
			writeHeapProfile(b, path)
		}
		runtime.KeepAlive(m)
	}
	b.ReportMetric(0, "ns/op")
}

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// writeNoteCases appends n cases of a referral and 19 notes, as cmd/waymark's bench
// data, straight to the store.
func writeNoteCases(b *testing.B, w *world, n int) {
	b.Helper()
	ctx := context.Background()
	const text = "Called her at the shelter: the bank appointment is on Tuesday at ten; she asked for a female adviser and for the letter in Spanish."
	var wg sync.WaitGroup
	for part := range 8 {
		wg.Go(func() {
			for i := part; i < n; i += 8 {
				caseID := fmt.Sprintf("0197a5c4-%04x-7000-8000-%012x", i%65536, i)
				if err := w.vault.EnsureCaseKey(ctx, caseID); err != nil {
					b.Error(err)
					return
				}
				seal := func(eventID string, schemaVersion int, plaintext []byte) (json.RawMessage, error) {
					return w.vault.Seal(ctx, caseID, eventID, schemaVersion, plaintext)
				}
				at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
				stream := eventstore.StreamName(eventstore.KindCase, caseID)
				for k := range 20 {
					var e domain.Event
					var index []string
					if k == 0 {
						name := fmt.Sprintf("Bench Survivor %d", i)
						e = domain.SurvivorReferred{ReferringOrganisation: "mx-refugio-esperanza", Jurisdiction: "MX",
							Needs: []domain.Need{domain.NeedBankAccount, domain.NeedIDDocument}, Barriers: []domain.Barrier{domain.BarrierNoID},
							At: at, Personal: &domain.SurvivorDetails{FullName: name, DateOfBirth: "1994-05-17"}}
						index = []string{w.vault.BlindIndex(sealing.KindName, name)}
					} else {
						e = domain.CaseNoteAdded{NoteID: fmt.Sprintf("0197a5c4-%04x-7000-9000-%012x", k, i), At: at,
							Personal: &domain.NoteDetails{Text: text}}
					}
					md := eventstore.Metadata{Actor: "bench-writer", Role: "caseworker", Organisation: "mx-refugio-esperanza",
						CommandID: fmt.Sprintf("bench-case-%d-note-%d", i, k), RecordedAt: at}
					d, err := codec.Encode(e, fmt.Sprintf("0197a5c4-%04x-7000-a000-%012x", k, i), md, seal, index)
					if err != nil {
						b.Error(err)
						return
					}
					expected := eventstore.NoStream
					if k > 0 {
						expected = eventstore.Exact(uint64(k - 1))
					}
					if _, err := w.store.Append(ctx, stream, expected, d); err != nil {
						b.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}
