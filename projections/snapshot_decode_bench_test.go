package projections

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/sealing"
)

// BenchmarkSnapshotDecode reads a snapshot of 20,000 cases shaped as 'waymark bench'
// writes them (a referral and 19 notes) from memory: checking the MAC, decoding every
// section and opening each case's blind index with its key read at once from an
// in-memory key store (Vault.Preload). It is the CPU a restart spends on the snapshot
// itself, without the file and the key store's disk:
//
//	go test -run x -bench SnapshotDecode -cpuprofile cpu.out ./projections/
func BenchmarkSnapshotDecode(b *testing.B) {
	const n = 20_000
	vault := testkit.Vault(b)
	m := &readModels{figures: dashboard.NewFigures().AppendTo(nil)}
	for i := range n {
		m.cases = append(m.cases, benchView(b, vault, i))
	}
	var buf bytes.Buffer
	key := snapshotKey(bytes.Repeat([]byte{7}, 32))
	if _, err := encodeSnapshot(&buf, key, m); err != nil {
		b.Fatal(err)
	}
	raw := buf.Bytes()
	s := &Snapshots{cases: NewCases(vault), logger: slog.New(slog.DiscardHandler)}
	b.ResetTimer()
	for b.Loop() {
		p, err := parseSnapshot(raw, key)
		if err != nil {
			b.Fatal(err)
		}
		keys := s.startKeys(context.Background())
		models, chunks, err := decodeSections(context.Background(), p)
		if err != nil {
			b.Fatal(err)
		}
		got, err := openIndexes(context.Background(), prefetched{parsed: p, models: models, chunks: chunks}, keys().open)
		if err != nil || len(got.cases) != n || len(got.cases[n-1].BlindIndex) != 1 {
			b.Fatalf("%d cases, %v", len(got.cases), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/n, "us/case")
	b.ReportMetric(float64(len(raw))/n, "bytes/case")
}

// benchView is case i's view after a referral and 19 notes.
func benchView(b *testing.B, vault *sealing.Vault, i int) *CaseView {
	ctx := context.Background()
	caseID := fmt.Sprintf("0197a5c4-%04x-7000-8000-%012x", i%65536, i)
	if err := vault.EnsureCaseKey(ctx, caseID); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	sealed := func(n int) json.RawMessage {
		c := make([]byte, n)
		rand.Read(c)
		out, _ := json.Marshal(map[string]any{"sealed": 1, "alg": "A256GCM", "n": c[:12], "c": c})
		return out
	}
	v := &CaseView{ID: caseID, ReferralPosition: eventstore.NewPosition(uint64(i*20+1), 0)}
	for k := range 20 {
		var e domain.Event
		var extras codec.Extras
		eventID := fmt.Sprintf("0197a5c4-%04x-7000-a000-%012x", k, i)
		if k == 0 {
			e = domain.SurvivorReferred{ReferringOrganisation: "mx-refugio-esperanza", Jurisdiction: "MX",
				Needs: []domain.Need{domain.NeedBankAccount, domain.NeedIDDocument}, Barriers: []domain.Barrier{domain.BarrierNoID}, At: at}
			extras.Personal = codec.Personal{EventID: eventID, SchemaVersion: 1, Data: sealed(60)}
			tokens, _ := json.Marshal([]string{vault.BlindIndex(sealing.KindName, fmt.Sprint("Bench Survivor ", i))})
			index, err := vault.Seal(ctx, caseID, codec.BlindIndexEventID(eventID), 1, tokens)
			if err != nil {
				b.Fatal(err)
			}
			extras.BlindIndex = codec.Personal{EventID: codec.BlindIndexEventID(eventID), SchemaVersion: 1, Data: index}
		} else {
			e = domain.CaseNoteAdded{NoteID: fmt.Sprintf("0197a5c4-%04x-7000-9000-%012x", k, i), At: at}
			extras.Personal = codec.Personal{EventID: eventID, SchemaVersion: 1, Data: sealed(150)}
		}
		rec := eventstore.RecordedEvent{Revision: uint64(k), Position: eventstore.NewPosition(uint64(i*20+k+1), 0),
			EventData: eventstore.EventData{ID: eventID, Type: e.EventType(), Metadata: eventstore.Metadata{Organisation: "mx-refugio-esperanza", RecordedAt: at}}}
		next := v
		if k > 0 {
			next = v.next()
		}
		if err := next.apply(Envelope{Record: rec, Event: e, Extras: extras}, func(string, codec.Personal) ([]string, error) { return nil, nil }); err != nil {
			b.Fatal(err)
		}
		v = next
	}
	return v
}
