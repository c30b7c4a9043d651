package projections_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// Starting the read models: from the log (rebuild), next to reading the same log raw,
// and from a snapshot, next to the rebuild. Each ratio is measured in one run on one
// store (BENCHMARKS.md); one iteration of both takes under a minute on 2 cores:
//
//	go test -run x -bench 'SnapshotLoad|Rebuild' -benchtime 1x ./projections/
//
// The store holds benchCases journeys of 20 events each (referral, consent, an ID
// document requested and obtained, a bank referral, offer, choice, application and
// account, safe-contact rules, a credit report, a dispute with its items decided,
// barriers resolved and notes), with the personal data sealed and blind-indexed as the
// application does, one event per append, the journeys interleaved as they are in
// life.
const benchCases = 5000

// BenchmarkRebuild builds the read models from an empty checkpoint, and reads the
// same stream raw — an ordered consumer taking every message without decoding it —
// in the same run. x_raw is how many times longer the rebuild takes.
func BenchmarkRebuild(b *testing.B) {
	w, events := benchWorld(b, testkit.Vault(b), benchCases)
	var rebuild, raw time.Duration
	for b.Loop() {
		began := time.Now()
		rawReplay(b, w.store)
		raw += time.Since(began)
		began = time.Now()
		newModels(w).run(b, w).stop(b)
		rebuild += time.Since(began)
	}
	b.ReportMetric(float64(events)*float64(b.N)/rebuild.Seconds(), "events/s")
	b.ReportMetric(float64(events)*float64(b.N)/raw.Seconds(), "raw_events/s")
	b.ReportMetric(rebuild.Seconds()/raw.Seconds(), "x_raw")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSnapshotLoad starts the read models from a snapshot at the head (until
// ready: read, check, decode, open the blind indexes, subscribe) and from the log, in
// the same run, with the case keys in memory and in the JetStream key store (where
// opening a case's blind indexes first reads its key from the key store's server).
// x_faster is how many times faster the start from the snapshot is.
func BenchmarkSnapshotLoad(b *testing.B) {
	for _, keys := range []string{"memory", "jetstream"} {
		b.Run("keys="+keys, func(b *testing.B) {
			vault := testkit.Vault(b)
			if keys == "jetstream" {
				vault = testkit.JetStreamVault(b)
			}
			w, events := benchWorld(b, vault, benchCases)
			dir := b.TempDir()
			written := &tookHandler{}
			m := newModels(w).withSnapshots(b, projections.SnapshotConfig{Dir: dir, Logger: slog.New(written)}).run(b, w)
			m.snaps.Wait() // the one written once caught up
			m.stop(b)
			info, err := os.Stat(m.snaps.Path())
			if err != nil {
				b.Fatal(err)
			}

			var load, rebuild time.Duration
			for b.Loop() {
				began := time.Now()
				loaded := newModels(w).withSnapshots(b, projections.SnapshotConfig{Dir: dir}).run(b, w)
				load += time.Since(began)
				if _, ok := loaded.snaps.Loaded(); !ok || loaded.cases.Len() != benchCases {
					b.Fatalf("not loaded: %d cases", loaded.cases.Len())
				}
				loaded.stop(b)
				began = time.Now()
				newModels(w).run(b, w).stop(b)
				rebuild += time.Since(began)
			}
			n := float64(b.N)
			b.ReportMetric(float64(load.Microseconds())/n/benchCases, "load_us/case")
			b.ReportMetric(float64(rebuild.Microseconds())/n/benchCases, "rebuild_us/case")
			b.ReportMetric(rebuild.Seconds()/load.Seconds(), "x_faster")
			b.ReportMetric(float64(events)/benchCases, "events/case")
			b.ReportMetric(float64(info.Size())/benchCases, "bytes/case")
			b.ReportMetric(float64(written.took.Microseconds())/benchCases, "write_us/case")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// tookHandler keeps how long the last snapshot took to write, from its log line.
type tookHandler struct {
	mu   sync.Mutex
	took time.Duration
}

func (h *tookHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *tookHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *tookHandler) WithGroup(string) slog.Handler            { return h }
func (h *tookHandler) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if r.Message == "projections: snapshot written" && a.Key == "took" {
			h.mu.Lock()
			h.took = a.Value.Duration()
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

// rawReplay reads every message of the event stream in order, decoding nothing.
func rawReplay(b *testing.B, s *jetstream.Store) {
	b.Helper()
	if _, err := jetstream.ReadRaw(context.Background(), s); err != nil {
		b.Fatal(err)
	}
}

// benchWorld is a store holding n journeys (see benchCases) sealed with vault's keys,
// and its event count.
func benchWorld(b *testing.B, vault *sealing.Vault, n int) (*world, int) {
	b.Helper()
	w := newWorldWith(b, vault)
	ctx := context.Background()
	journeys := make([][]eventstore.EventData, n)
	var wg sync.WaitGroup
	for part := range 4 {
		wg.Go(func() {
			for i := part; i < n; i += 4 {
				journeys[i] = benchJourney(b, w.vault, i)
			}
		})
	}
	wg.Wait()
	// Step by step over every journey, as cases move on together.
	events := 0
	for step := range journeys[0] {
		var wg sync.WaitGroup
		for part := range 8 {
			wg.Go(func() {
				for i := part; i < n; i += 8 {
					stream := eventstore.StreamName(eventstore.KindCase, benchCaseID(i))
					expected := eventstore.NoStream
					if step > 0 {
						expected = eventstore.Exact(uint64(step - 1))
					}
					if _, err := w.store.Append(ctx, stream, expected, journeys[i][step]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		events += n
	}
	if b.Failed() {
		b.FailNow()
	}
	return w, events
}

func benchCaseID(i int) string { return fmt.Sprintf("bench-case-%06d", i) }

// benchJourney encodes journey i's events as the application would store them.
func benchJourney(b *testing.B, vault *sealing.Vault, i int) []eventstore.EventData {
	ctx := context.Background()
	caseID := benchCaseID(i)
	if err := vault.EnsureCaseKey(ctx, caseID); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	next := func() time.Time { at = at.Add(36 * time.Hour); return at }
	name := fmt.Sprintf("Survivor %d Ejemplo", i)
	doc := fmt.Sprintf("DOC%08d", i)
	bank, bureau := "bank-"+fmt.Sprint(i%3), "bureau-1"
	events := []domain.Event{
		domain.SurvivorReferred{ReferringOrganisation: fmt.Sprintf("shelter-%d", i%11), Jurisdiction: "MX",
			Needs:    []domain.Need{domain.NeedBankAccount, domain.NeedIDDocument, domain.NeedCreditRepair},
			Barriers: []domain.Barrier{domain.BarrierNoID}, At: next(),
			Personal: &domain.SurvivorDetails{FullName: name, DateOfBirth: "1994-05-17", Phone: "+52 55 5555 0000"}},
		domain.CaseNoteAdded{NoteID: "n1", At: next(), Personal: &domain.NoteDetails{Text: "first meeting at the shelter; she asked about a bank account"}},
		domain.ConsentGranted{GrantID: "g1", Recipient: bank, Categories: []domain.DataCategory{domain.DataIdentity, domain.DataBanking},
			Purposes: []domain.Purpose{domain.PurposeBanking}, ExpiresAt: at.AddDate(1, 0, 0), At: next()},
		domain.IDDocumentRequested{DocumentID: "d1", Kind: domain.DocNationalID, At: next(), Personal: &domain.AuthorityDetails{IssuingAuthority: "Registro Civil"}},
		domain.SafeContactRulesSet{Allowed: []domain.ContactChannel{domain.ChannelThroughShelter, domain.ChannelInPerson},
			Forbidden: []domain.ContactChannel{domain.ChannelPost}, At: next(), Personal: &domain.ContactDetails{Notes: "never by post to the old address"}},
		domain.IDDocumentObtained{DocumentID: "d1", At: next(), Personal: &domain.DocumentDetails{DocumentNumber: doc}},
		domain.BarrierResolved{Barrier: domain.BarrierNoID, At: next()},
		domain.BankReferralMade{Bank: bank, GrantID: "g1", At: next()},
		domain.BankOfferMade{OfferID: "o1", Bank: bank, Product: domain.ProductBasicAccount, MonthlyFee: domain.Money{Currency: "MXN"},
			AcceptedDocuments: []domain.DocumentKind{domain.DocNationalID}, AcceptsAlternativePack: true, At: next()},
		domain.SurvivorChoseOffer{OfferID: "o1", Bank: bank, At: next()},
		domain.AccountApplicationSubmitted{Bank: bank, Product: domain.ProductBasicAccount, At: next()},
		domain.CaseNoteAdded{NoteID: "n2", At: next(), Personal: &domain.NoteDetails{Text: "went with her to the branch"}},
		domain.BankAccountOpened{Bank: bank, Product: domain.ProductBasicAccount, At: next()},
		domain.ConsentGranted{GrantID: "g2", Recipient: bureau, Categories: []domain.DataCategory{domain.DataCredit},
			Purposes: []domain.Purpose{domain.PurposeCreditRepair}, ExpiresAt: at.AddDate(1, 0, 0), At: next()},
		domain.CreditReportObtained{ReportID: "r1", Bureau: bureau, At: next()},
		domain.CreditDisputeFiled{DisputeID: "x1", Bureau: bureau, ItemCount: 2,
			Items:    []domain.DisputeItemFiled{{ItemID: "i1", Kind: domain.ItemDebt}, {ItemID: "i2", Kind: domain.ItemAccount}},
			Evidence: []domain.EvidenceKind{domain.EvidenceProofOfIdentity}, At: next(),
			Personal: &domain.DisputeItemsDetails{Items: []domain.DisputeItemDetails{{ItemID: "i1", Creditor: "Prestamos Express"}, {ItemID: "i2", Creditor: "Tarjetas"}}}},
		domain.CreditDisputeItemDecided{DisputeID: "x1", ItemID: "i1", Outcome: domain.ItemBlocked, At: next()},
		domain.CreditDisputeItemDecided{DisputeID: "x1", ItemID: "i2", Outcome: domain.ItemBlocked, At: next()},
		domain.CaseNoteAdded{NoteID: "n3", At: next(), Personal: &domain.NoteDetails{Text: "both items blocked"}},
		domain.NeedMet{Need: domain.NeedBankAccount, At: next()},
	}
	seal := func(eventID string, schemaVersion int, plaintext []byte) (json.RawMessage, error) {
		return vault.Seal(ctx, caseID, eventID, schemaVersion, plaintext)
	}
	out := make([]eventstore.EventData, len(events))
	for k, e := range events {
		var index []string
		switch e := e.(type) {
		case domain.SurvivorReferred:
			index = []string{vault.BlindIndex(sealing.KindName, e.Personal.FullName)}
		case domain.IDDocumentObtained:
			index = []string{vault.BlindIndex(sealing.KindDocument, e.Personal.DocumentNumber)}
		}
		md := eventstore.Metadata{Actor: "bench", Role: "caseworker", Organisation: "shelter", CommandID: fmt.Sprintf("cmd-%d-%d", i, k), RecordedAt: at}
		d, err := codec.Encode(e, fmt.Sprintf("%s-event-%02d", caseID, k), md, seal, index)
		if err != nil {
			b.Fatal(err)
		}
		out[k] = d
	}
	return out
}
