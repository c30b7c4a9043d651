package app_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/memstore"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/sealing"
)

var (
	worker = app.Actor{ID: "w", Role: app.RoleCaseworker, Organisation: "shelter"}
	key    = bytes.Repeat([]byte{3}, 32)
)

// openStore is an in-memory store: these tests are about the application (command
// ids, caches, replicas sharing one store), which the store's contract is all they
// rely on.
func openStore(t *testing.T) *memstore.Store { return testkit.Store(t) }

func newService(t *testing.T, store eventstore.Store, idPrefix uint32) *app.Service {
	t.Helper()
	return newServiceWithVault(t, store, testkit.Vault(t), idPrefix)
}

func newServiceWithVault(t *testing.T, store eventstore.Store, vault *sealing.Vault, idPrefix uint32) *app.Service {
	t.Helper()
	svc, err := app.New(app.Config{Store: store, HashKey: key, Logger: quiet(), Vault: vault,
		Clock: app.NewFixedClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: app.NewSequentialIDs(idPrefix)})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func setup(t *testing.T, svc *app.Service) string {
	t.Helper()
	ctx := context.Background()
	admin := app.Actor{ID: "a", Role: app.RoleAdmin}
	if _, err := svc.RegisterOrganisation(ctx, admin, "org", "shelter", domain.RegisterOrganisation{
		Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.ReferSurvivor(ctx, worker, "refer", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Test Person"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.ID
}

func note(commandID, caseID, text string, expected *uint64) app.CaseCommand {
	return app.CaseCommand{CommandID: commandID, CaseID: caseID, ExpectedVersion: expected, Command: domain.AddCaseNote{Text: text}}
}

// A replica's cached view of a case goes stale when another replica writes; its next
// command still lands at the right revision, and an expectedVersion the other replica
// made current is accepted, not reported as a conflict.
func TestStaleCacheAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	vault := testkit.Vault(t)
	a, b := newServiceWithVault(t, store, vault, 1), newServiceWithVault(t, store, vault, 2)
	caseID := setup(t, a)

	if _, err := a.ChangeCase(ctx, worker, note("n1", caseID, "from a", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ChangeCase(ctx, worker, note("n2", caseID, "from b", nil)); err != nil {
		t.Fatal(err)
	}
	v := uint64(3)
	res, err := a.ChangeCase(ctx, worker, note("n3", caseID, "from a again", &v))
	if err != nil {
		t.Fatalf("a with expectedVersion 3 after b wrote: %v", err)
	}
	if res.Version != 4 {
		t.Errorf("version = %d, want 4", res.Version)
	}
	stale := uint64(2)
	_, err = b.ChangeCase(ctx, worker, note("n4", caseID, "late", &stale))
	var conflict *app.ConflictError
	if !errors.As(err, &conflict) || conflict.Actual != 4 {
		t.Fatalf("stale expectedVersion: %v, want a conflict at version 4", err)
	}
	events, err := store.ReadStream(ctx, "case-"+caseID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 4 {
		t.Errorf("case has %d events, want 4", len(events))
	}
	if err := eventstore.VerifyChain("case-"+caseID, events); err != nil {
		t.Error(err)
	}
}

// A replica that dies before its append leaves nothing: no claim is written first
// (there is none any more: the command's events carry its id), so there is nothing to
// take over, and a retry on any replica runs the command once. (The case this test
// replaced, a replica dying between its claim and its append, no longer exists.)
func TestReplicaDyingBeforeItsAppendLeavesNothing(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	vault := testkit.Vault(t)
	svc := newServiceWithVault(t, store, vault, 1)
	caseID := setup(t, svc)
	head, _ := store.Head(ctx)

	// Replica b decides, encodes and dies as it appends: the append never reaches the store.
	dying := &failingStore{Store: store, fail: errors.New("replica died")}
	b := newServiceWithVault(t, dying, vault, 2)
	if _, err := b.ChangeCase(ctx, worker, note("dies", caseID, "hello", nil)); err == nil {
		t.Fatal("the dying replica's append succeeded")
	}
	if after, _ := store.Head(ctx); after != head {
		t.Fatalf("a replica that died before its append moved the log from %s to %s", head, after)
	}

	res, err := svc.ChangeCase(ctx, worker, note("dies", caseID, "hello", nil))
	if err != nil {
		t.Fatalf("retry after the replica died: %v", err)
	}
	again, err := svc.ChangeCase(ctx, worker, note("dies", caseID, "hello", nil))
	if err != nil || again != res {
		t.Fatalf("second retry = %+v, %v; want %+v", again, err, res)
	}
	if _, err := svc.ChangeCase(ctx, worker, note("dies", caseID, "other text", nil)); !errors.Is(err, app.ErrCommandReused) {
		t.Errorf("other input under the id: %v, want ErrCommandReused", err)
	}
	events, _ := store.ReadStream(ctx, "case-"+caseID, 0)
	if len(events) != 2 {
		t.Errorf("case has %d events, want 2 (the command ran once)", len(events))
	}

	// A referral whose replica dies before its append leaves the new case's key alone;
	// the retry lands on the same case, finds the key and appends once.
	refer := domain.ReferSurvivor{ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Second Person"}}
	if _, err := b.ReferSurvivor(ctx, worker, "refer-dies", refer); err == nil {
		t.Fatal("the dying replica's referral succeeded")
	}
	ref, err := svc.ReferSurvivor(ctx, worker, "refer-dies", refer)
	if err != nil || ref.ID != svc.DerivedCaseID("shelter", "refer-dies") || ref.Version != 1 {
		t.Fatalf("the referral's retry: %+v %v", ref, err)
	}
}

// failingStore fails every append with fail, before it reaches the store.
type failingStore struct {
	eventstore.Store
	fail error
}

func (s *failingStore) Append(context.Context, string, eventstore.ExpectedRevision, ...eventstore.EventData) (eventstore.AppendResult, error) {
	return eventstore.AppendResult{}, s.fail
}

// A command the domain rejects writes nothing — no event, and for a referral no case
// key — so the same id can be used again once the input is fixed. So does a command
// its caller may not run, and one whose id was used with other input.
func TestRejectedCommandWritesNothing(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	keys := &countingKeys{KeyStore: sealing.NewMemKeyStore()}
	svc := newServiceWithVault(t, store, vaultOn(t, keys), 1)
	caseID := setup(t, svc)
	head, _ := store.Head(ctx)
	created := keys.creates.Load()

	if _, err := svc.ChangeCase(ctx, worker, note("fixme", caseID, "  ", nil)); !errors.Is(err, domain.ErrInvalidInput) {
		t.Fatalf("empty note: %v", err)
	}
	bad := domain.ReferSurvivor{ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "ZZ",
		Survivor: domain.SurvivorDetails{FullName: "Test Person"}}
	if _, err := svc.ReferSurvivor(ctx, worker, "refer-fixme", bad); !errors.Is(err, app.ErrBadInput) {
		t.Fatalf("a referral with a jurisdiction that is none: %v", err)
	}
	outsider := app.Actor{ID: "o", Role: app.RoleCaseworker, Organisation: "other-shelter"}
	good := bad
	good.Jurisdiction = "MX"
	if _, err := svc.ReferSurvivor(ctx, outsider, "refer-fixme", good); !errors.Is(err, app.ErrForbidden) {
		t.Fatalf("a referral for another organisation: %v", err)
	}
	if _, err := svc.ChangeCase(ctx, outsider, note("fixme", caseID, "hello", nil)); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("a note on another organisation's case: %v", err)
	}
	other := good
	other.Survivor.FullName = "Somebody Else"
	if _, err := svc.ReferSurvivor(ctx, worker, "refer", other); !errors.Is(err, app.ErrCommandReused) {
		t.Fatalf("the referral's id with other input: %v", err)
	}
	if after, _ := store.Head(ctx); after != head {
		t.Fatalf("rejected commands moved the log from %s to %s", head, after)
	}
	if n := keys.creates.Load(); n != created {
		t.Fatalf("rejected commands created %d case keys", n-created)
	}
	if _, err := svc.ChangeCase(ctx, worker, note("fixme", caseID, "fixed", nil)); err != nil {
		t.Fatalf("same id with fixed input: %v", err)
	}
	if _, err := svc.ReferSurvivor(ctx, worker, "refer-fixme", good); err != nil {
		t.Fatalf("the referral's id with fixed input: %v", err)
	}
}

// hookStore runs hook once, just before the first append to a case stream: a way to
// put another replica's write exactly between a command's decision and its append.
type hookStore struct {
	eventstore.Store
	hook func()
}

func (s *hookStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if strings.HasPrefix(stream, "case-") && s.hook != nil {
		hook := s.hook
		s.hook = nil
		hook()
	}
	return s.Store.Append(ctx, stream, expected, events...)
}

// The same command (same id, same input, with an expectedVersion) reaches two replicas
// at once. The one that loses the append race returns the winner's result — not a
// conflict — and the id keeps refusing other input.
func TestSameCommandRacingOnTwoReplicas(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	vault := testkit.Vault(t)
	a := newServiceWithVault(t, store, vault, 1)
	caseID := setup(t, a)
	hooked := &hookStore{Store: store}
	b := newServiceWithVault(t, hooked, vault, 2)
	v := uint64(1)
	var first app.Result
	hooked.hook = func() {
		var err error
		// Replica a runs the same command and finishes first.
		if first, err = a.ChangeCase(ctx, worker, note("dup", caseID, "hello", &v)); err != nil {
			t.Errorf("replica a: %v", err)
		}
	}
	got, err := b.ChangeCase(ctx, worker, note("dup", caseID, "hello", &v))
	if err != nil || got != first {
		t.Fatalf("replica b = %+v, %v; want replica a's result %+v", got, err, first)
	}
	if _, err := b.ChangeCase(ctx, worker, note("dup", caseID, "other text", nil)); !errors.Is(err, app.ErrCommandReused) {
		t.Errorf("other input under the id afterwards: %v, want ErrCommandReused", err)
	}
	if events, _ := store.ReadStream(ctx, "case-"+caseID, 0); len(events) != 2 {
		t.Errorf("case has %d events, want 2", len(events))
	}
}

// A replica whose cached case is behind another replica's writes does not reject a
// command that the current history allows.
func TestStaleCacheDoesNotReject(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	vault := testkit.Vault(t)
	a, b := newServiceWithVault(t, store, vault, 1), newServiceWithVault(t, store, vault, 2)
	caseID := setup(t, a)
	if _, err := a.LoadCase(ctx, worker, caseID); err != nil { // a has the case cached
		t.Fatal(err)
	}
	if _, err := a.ChangeCase(ctx, worker, note("warm", caseID, "x", nil)); err != nil {
		t.Fatal(err)
	}
	req := app.CaseCommand{CommandID: "req-doc", CaseID: caseID, Command: domain.RequestIDDocument{Kind: domain.DocCURP, IssuingAuthority: "RC"}}
	if _, err := b.ChangeCase(ctx, worker, req); err != nil {
		t.Fatal(err)
	}
	state, err := b.LoadCase(ctx, worker, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var docID string
	for id := range state.Documents {
		docID = id
	}
	obtained := app.CaseCommand{CommandID: "doc-ok", CaseID: caseID, Command: domain.RecordIDDocumentObtained{DocumentID: docID, DocumentNumber: "N1"}}
	if _, err := a.ChangeCase(ctx, worker, obtained); err != nil {
		t.Errorf("replica a, its cache behind b's request: %v", err)
	}
}
