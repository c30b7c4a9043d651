package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/sealing"
)

// ledger is an erasure ledger in memory; fail makes it refuse.
type ledger struct {
	mu   sync.Mutex
	got  []sealing.Erasure
	fail error
}

func (l *ledger) RecordErasure(_ context.Context, e sealing.Erasure) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return l.fail
	}
	l.got = append(l.got, e)
	return nil
}

func serviceWithLedger(t *testing.T, store eventstore.Store, ks sealing.KeyStore, l sealing.ErasureLedger) *app.Service {
	t.Helper()
	vault, err := sealing.NewVault(ks, keyring)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(app.Config{Store: store, HashKey: key, Logger: quiet(), Vault: vault, Erasures: l,
		Clock: app.NewFixedClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: app.NewSequentialIDs(9)})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

var keyring = func() sealing.Keyring {
	ring, err := sealing.GenerateKeyring("kek-ledger")
	if err != nil {
		panic(err)
	}
	return ring
}()

// The erasure is in the ledger before the key goes: one line naming the case, the
// SurvivorDataErased event that was appended, its time and reason. A ledger that
// cannot write stops the erasure before anything is destroyed.
func TestErasureIsRecordedInTheLedgerFirst(t *testing.T) {
	ctx := context.Background()
	store, ks, l := openStore(t), sealing.NewMemKeyStore(), &ledger{}
	svc := serviceWithLedger(t, store, ks, l)
	caseID := setup(t, svc)
	stream := eventstore.StreamName(eventstore.KindCase, caseID)

	l.fail = errors.New("disk full")
	erase := app.CaseCommand{CommandID: "erase", CaseID: caseID, Command: domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest}}
	if _, err := svc.ChangeCase(ctx, worker, erase); err == nil {
		t.Fatal("an erasure the ledger could not record went ahead")
	}
	if _, err := ks.Get(ctx, caseID); err != nil {
		t.Fatalf("the key went although the ledger refused: %v", err)
	}
	if recs, _ := store.ReadStream(ctx, stream, 0); recs[len(recs)-1].Type == "SurvivorDataErased" {
		t.Fatal("the erasure was appended although the ledger refused")
	}

	l.fail = nil
	if _, err := svc.ChangeCase(ctx, worker, erase); err != nil {
		t.Fatal(err)
	}
	recs, err := store.ReadStream(ctx, stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	want := sealing.Erasure{At: last.Metadata.RecordedAt.UTC(), CaseID: caseID, EventID: last.ID, Reason: "survivor_request"}
	if last.Type != "SurvivorDataErased" || len(l.got) != 1 || l.got[0] != want {
		t.Fatalf("ledger %+v, want %+v (last event %s)", l.got, want, last.Type)
	}
	if _, err := ks.Get(ctx, caseID); !errors.Is(err, sealing.ErrKeyDestroyed) {
		t.Fatalf("key after the erasure: %v", err)
	}
}

// A store restored from a backup taken before the erasure holds the case, and (its
// keys restored too) its key: applying the ledger destroys the key again and appends
// the erasure, once; a case the store does not hold is left alone.
func TestReapplyErasureFromTheLedger(t *testing.T) {
	ctx := context.Background()
	l := &ledger{}
	before := serviceWithLedger(t, openStore(t), sealing.NewMemKeyStore(), l)
	caseID := setup(t, before)
	if _, err := before.ChangeCase(ctx, worker, app.CaseCommand{CommandID: "erase", CaseID: caseID,
		Command: domain.EraseSurvivorData{ReasonCode: domain.ErasureLegalObligation}}); err != nil {
		t.Fatal(err)
	}
	entry := l.got[0]

	// The restored store: the same case (the same derived id), its key alive.
	store, ks := testkit.Store(t), sealing.NewMemKeyStore()
	restored := serviceWithLedger(t, store, ks, nil)
	if setup(t, restored) != caseID {
		t.Fatal("the restored case has another id")
	}
	got, err := restored.ReapplyErasure(ctx, entry)
	if err != nil || got != app.ReappliedErased {
		t.Fatalf("apply the ledger: %q %v", got, err)
	}
	if _, err := ks.Get(ctx, caseID); !errors.Is(err, sealing.ErrKeyDestroyed) {
		t.Fatalf("the restored key survived the ledger: %v", err)
	}
	recs, err := store.ReadStream(ctx, eventstore.StreamName(eventstore.KindCase, caseID), 0)
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	if md := last.Metadata; last.Type != "SurvivorDataErased" || md.Actor != app.LedgerActorID || md.Role != app.SystemRole ||
		md.CommandID != "erasure-ledger-"+entry.EventID {
		t.Fatalf("last event %s %+v", last.Type, md)
	}
	if got, err := restored.ReapplyErasure(ctx, entry); err != nil || got != app.ReappliedAlready {
		t.Errorf("the same line again: %q %v", got, err)
	}
	if n, _ := store.ReadStream(ctx, eventstore.StreamName(eventstore.KindCase, caseID), 0); len(n) != len(recs) {
		t.Errorf("the same line again appended %d events", len(n)-len(recs))
	}
	other := sealing.Erasure{CaseID: "0190a0b0-0000-8000-8000-00000000abcd", EventID: "e", Reason: "other"}
	if got, err := restored.ReapplyErasure(ctx, other); err != nil || got != app.ReappliedNoCase {
		t.Errorf("a case the store does not hold: %q %v", got, err)
	}
}
