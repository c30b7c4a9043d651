package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// countingStore counts appends: each is one durable write (one fsync with
// sync=always).
type countingStore struct {
	eventstore.Store
	appends atomic.Int64
}

func (s *countingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	s.appends.Add(1)
	return s.Store.Append(ctx, stream, expected, events...)
}

// countingKeys counts case keys created: each is one durable write to the key store.
type countingKeys struct {
	sealing.KeyStore
	creates atomic.Int64
}

func (k *countingKeys) Create(ctx context.Context, caseID string, w sealing.WrappedKey) error {
	k.creates.Add(1)
	return k.KeyStore.Create(ctx, caseID, w)
}

func vaultOn(t *testing.T, keys sealing.KeyStore) *sealing.Vault {
	t.Helper()
	t.Cleanup(func() { keys.Close() })
	v, err := sealing.NewVault(keys, testkit.Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// One durable write per command: a case command is one append and nothing else; a
// referral is one append and the new case's key; a retry writes nothing.
func TestOneDurableWritePerCommand(t *testing.T) {
	ctx := context.Background()
	store := &countingStore{Store: openStore(t)}
	keys := &countingKeys{KeyStore: sealing.NewMemKeyStore()}
	svc := newServiceWithVault(t, store, vaultOn(t, keys), 1)
	admin := app.Actor{ID: "a", Role: app.RoleAdmin}

	writes := func(what string, wantAppends, wantKeys int64, run func() error) {
		t.Helper()
		a, k := store.appends.Load(), keys.creates.Load()
		if err := run(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if da, dk := store.appends.Load()-a, keys.creates.Load()-k; da != wantAppends || dk != wantKeys {
			t.Errorf("%s: %d appends and %d case keys, want %d and %d", what, da, dk, wantAppends, wantKeys)
		}
	}
	register := func() error {
		_, err := svc.RegisterOrganisation(ctx, admin, "org", "shelter", domain.RegisterOrganisation{Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "MX"})
		return err
	}
	writes("register an organisation", 1, 0, register)
	writes("its retry", 0, 0, register)
	writes("register one without an id", 1, 0, func() error {
		_, err := svc.RegisterOrganisation(ctx, admin, "org-2", "", domain.RegisterOrganisation{Name: "Bank", Kind: domain.OrgBank, Jurisdiction: "MX"})
		return err
	})
	var caseID string
	refer := func() error {
		res, err := svc.ReferSurvivor(ctx, worker, "refer", domain.ReferSurvivor{
			ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX", Survivor: domain.SurvivorDetails{FullName: "Test Person"}})
		caseID = res.ID
		return err
	}
	writes("a referral", 1, 1, refer)
	writes("its retry", 0, 0, refer)
	for i, cmd := range []domain.Command{
		domain.AddCaseNote{Text: "hello"},
		domain.RequestIDDocument{Kind: domain.DocCURP, IssuingAuthority: "RC"},
		domain.CloseCase{Outcome: domain.ClosureOther},
	} {
		in := app.CaseCommand{CommandID: "c" + string(rune('0'+i)), CaseID: caseID, Command: cmd}
		change := func() error { _, err := svc.ChangeCase(ctx, worker, in); return err }
		writes(cmd.CommandType(), 1, 0, change)
		writes(cmd.CommandType()+"'s retry", 0, 0, change)
	}
	writes("a revocation", 1, 0, func() error {
		_, err := svc.RevokeToken(ctx, admin, "revoke", "TOKEN1")
		return err
	})
}

// A referral sent 32 times at once (a client retrying hard, a load balancer fanning
// out) makes one case: one append, one key, and every copy gets its result.
func TestReferralRetriedConcurrentlyAppendsOnce(t *testing.T) {
	ctx := context.Background()
	store := &countingStore{Store: openStore(t)}
	keys := &countingKeys{KeyStore: sealing.NewMemKeyStore()}
	vault := vaultOn(t, keys)
	a, b := newServiceWithVault(t, store, vault, 1), newServiceWithVault(t, store, vault, 2)
	setup(t, a)
	head, _ := store.Head(ctx)
	keysBefore := keys.creates.Load()

	const copies = 32
	results := make([]app.Result, copies)
	errs := make([]error, copies)
	var wg sync.WaitGroup
	for i := range copies {
		wg.Go(func() {
			svc := a
			if i%2 == 1 {
				svc = b // two replicas on one store
			}
			results[i], errs[i] = svc.ReferSurvivor(ctx, worker, "refer-hard", domain.ReferSurvivor{
				ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
				Survivor: domain.SurvivorDetails{FullName: "Concurrent Person"}})
		})
	}
	wg.Wait()
	for i := range copies {
		if errs[i] != nil || results[i] != results[0] {
			t.Fatalf("copy %d: %+v %v; copy 0: %+v", i, results[i], errs[i], results[0])
		}
	}
	events, err := store.ReadStream(ctx, "case-"+results[0].ID, 0)
	if err != nil || len(events) != 1 {
		t.Fatalf("the case has %d events (%v), want 1", len(events), err)
	}
	sub, _ := store.Subscribe(ctx, head)
	if got := (<-sub.Events()).Stream; got != "case-"+results[0].ID {
		t.Errorf("first event after the race is on %s", got)
	}
	sub.Close()
	if last, _ := store.Head(ctx); last != results[0].Position {
		t.Errorf("the log's head is %s, not the referral's %s: something else was appended", last, results[0].Position)
	}
	if n := keys.creates.Load() - keysBefore; n < 1 {
		t.Errorf("no case key was created")
	}
	if _, err := vault.CaseMAC(ctx, results[0].ID, "probe", nil); err != nil {
		t.Errorf("the case's key: %v", err)
	}
}

// startReplica returns a service on store whose read model of command ids is fed
// from the log, as a node's is: another replica, or this one after a restart.
func startReplica(t *testing.T, store eventstore.Store, vault *sealing.Vault, idPrefix uint32) (*app.Service, *projections.Runner) {
	t.Helper()
	commands := projections.NewCommandIDs(key)
	runner := projections.NewRunner(store, quiet(), commands)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { runner.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	svc, err := app.New(app.Config{Store: store, HashKey: key, Logger: quiet(), Vault: vault, Runner: runner, Commands: commands,
		Clock: app.NewFixedClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: app.NewSequentialIDs(idPrefix)})
	if err != nil {
		t.Fatal(err)
	}
	return svc, runner
}

// A command id is one command's for ever, per organisation and across replicas and
// restarts: a retry returns the first result; the id with other input, on the same
// stream or on another (another case, another kind of stream), is ErrCommandReused,
// and nothing is appended.
func TestCommandIDReusedOnAnotherStream(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	vault := testkit.Vault(t)
	first := newServiceWithVault(t, store, vault, 1)
	caseID := setup(t, first)
	noted, err := first.ChangeCase(ctx, worker, note("n1", caseID, "hello", nil))
	if err != nil {
		t.Fatal(err)
	}
	other, err := first.ReferSurvivor(ctx, worker, "refer-2", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX", Survivor: domain.SurvivorDetails{FullName: "Other Person"}})
	if err != nil {
		t.Fatal(err)
	}

	// The same replica knows at once; another one (or this one restarted) from the log.
	restarted, runner := startReplica(t, store, vault, 2)
	head, _ := store.Head(ctx)
	if err := runner.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	for name, svc := range map[string]*app.Service{"same replica": first, "restarted": restarted} {
		if res, err := svc.ChangeCase(ctx, worker, note("n1", caseID, "hello", nil)); err != nil || res != noted {
			t.Errorf("%s: retry = %+v %v, want %+v", name, res, err, noted)
		}
		for what, try := range map[string]func() error{
			"same stream, other input": func() error { _, err := svc.ChangeCase(ctx, worker, note("n1", caseID, "other", nil)); return err },
			"another case":             func() error { _, err := svc.ChangeCase(ctx, worker, note("n1", other.ID, "hello", nil)); return err },
			"a referral": func() error {
				_, err := svc.ReferSurvivor(ctx, worker, "n1", domain.ReferSurvivor{
					ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX", Survivor: domain.SurvivorDetails{FullName: "Third Person"}})
				return err
			},
			"the referral's id on another case": func() error { _, err := svc.ChangeCase(ctx, worker, note("refer-2", caseID, "x", nil)); return err },
		} {
			if err := try(); !errors.Is(err, app.ErrCommandReused) {
				t.Errorf("%s, %s: %v, want ErrCommandReused", name, what, err)
			}
		}
	}
	if after, _ := store.Head(ctx); after != head {
		t.Errorf("reused ids appended: head %s, was %s", after, head)
	}
}

// The read model of command ids lags the log: two first uses of one id on two
// different streams, by replicas that have not seen each other's, both land (each
// stays idempotent on its own stream), and the id is refused on any third stream.
// This test pins the window down; README ("Command ids") documents it.
func TestCommandIDReuseWindow(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	vault := testkit.Vault(t)
	a := newServiceWithVault(t, store, vault, 1)
	one := setup(t, a)
	two, err := a.ReferSurvivor(ctx, worker, "refer-2", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX", Survivor: domain.SurvivorDetails{FullName: "Other Person"}})
	if err != nil {
		t.Fatal(err)
	}
	b := newServiceWithVault(t, store, vault, 2) // its read model has not seen a's commands
	onA, err := a.ChangeCase(ctx, worker, note("twice", one, "hello", nil))
	if err != nil {
		t.Fatal(err)
	}
	onB, err := b.ChangeCase(ctx, worker, note("twice", two.ID, "hello", nil))
	if err != nil {
		t.Fatalf("the second first use, within the window: %v", err)
	}
	if again, err := a.ChangeCase(ctx, worker, note("twice", one, "hello", nil)); err != nil || again != onA {
		t.Errorf("retry on the first stream: %+v %v, want %+v", again, err, onA)
	}
	if again, err := b.ChangeCase(ctx, worker, note("twice", two.ID, "hello", nil)); err != nil || again != onB {
		t.Errorf("retry on the second stream: %+v %v, want %+v", again, err, onB)
	}
	restarted, runner := startReplica(t, store, vault, 3)
	if err := runner.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	third := setupCase(t, restarted, "refer-3")
	if _, err := restarted.ChangeCase(ctx, worker, note("twice", third, "hello", nil)); !errors.Is(err, app.ErrCommandReused) {
		t.Errorf("a third stream once the read model has seen both: %v", err)
	}
}

func setupCase(t *testing.T, svc *app.Service, commandID string) string {
	t.Helper()
	res, err := svc.ReferSurvivor(context.Background(), worker, commandID, domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX", Survivor: domain.SurvivorDetails{FullName: "Case " + commandID}})
	if err != nil {
		t.Fatal(err)
	}
	return res.ID
}

// A command recorded before commands kept their type and fingerprint (its events carry
// only the command id and organisation) cannot be checked: its retry gets the recorded
// result if its caller may act on the stream, and ErrCommandReused otherwise.
func TestCommandsRecordedBeforeFingerprints(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	vault := testkit.Vault(t)
	svc := newServiceWithVault(t, store, vault, 1)
	admin := app.Actor{ID: "a", Role: app.RoleAdmin}
	if _, err := svc.RegisterOrganisation(ctx, admin, "org-bank", "bank", domain.RegisterOrganisation{Name: "Bank", Kind: domain.OrgBank, Jurisdiction: "MX"}); err != nil {
		t.Fatal(err)
	}
	caseID := setup(t, svc)
	// As the hardening release appended them (its claim streams are not needed).
	legacy := func(commandID, org string, rev uint64) app.Result {
		t.Helper()
		md := eventstore.Metadata{Actor: "x", Role: "caseworker", Organisation: org, CommandID: commandID, RecordedAt: time.Now()}
		d, err := codec.Encode(domain.CaseNoteAdded{NoteID: commandID, At: time.Now(), Personal: &domain.NoteDetails{Text: "legacy"}}, "evt-"+commandID, md,
			func(eventID string, v int, plain []byte) (json.RawMessage, error) {
				return vault.Seal(ctx, caseID, eventID, v, plain)
			}, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := store.Append(ctx, "case-"+caseID, eventstore.Exact(rev), d)
		if err != nil {
			t.Fatal(err)
		}
		return app.Result{ID: caseID, Version: res.LastRevision + 1, Position: res.Last()}
	}
	mine := legacy("old-note", "shelter", 0)
	banks := legacy("old-bank-note", "bank", 1)
	head, _ := store.Head(ctx)

	if res, err := svc.ChangeCase(ctx, worker, note("old-note", caseID, "legacy", nil)); err != nil || res != mine {
		t.Errorf("a retry by the case's caseworker: %+v %v, want %+v", res, err, mine)
	}
	banker := app.Actor{ID: "b", Role: app.RoleBank, Organisation: "bank"}
	if _, err := svc.ChangeCase(ctx, banker, note("old-bank-note", caseID, "legacy", nil)); !errors.Is(err, app.ErrCommandReused) {
		t.Errorf("a retry by a caller who may not act on the case: %v, want ErrCommandReused (recorded %+v)", err, banks)
	}
	if after, _ := store.Head(ctx); after != head {
		t.Errorf("retries appended: head %s, was %s", after, head)
	}
}
