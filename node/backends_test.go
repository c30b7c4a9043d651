package node_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/memstore"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/sealing"
)

// memSink keeps access-log entries in memory and remembers being closed.
type memSink struct {
	mu      sync.Mutex
	entries []accesslog.Entry
	closed  bool
}

func (s *memSink) Publish(_ context.Context, entries []accesslog.Entry) []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = append(s.entries, entries...)
	return make([]error, len(entries))
}

func (s *memSink) ForCase(_ context.Context, caseID string) ([]accesslog.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []accesslog.Entry
	for _, e := range s.entries {
		if e.CaseID == caseID {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *memSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// A node runs on any backends behind the interfaces: here every one in memory. A
// command is sealed with the key store's key, the read model folds it, a read of
// personal data is recorded in the sink, and Close closes all three.
func TestNodeRunsOnAnyBackends(t *testing.T) {
	ctx := context.Background()
	store, keys, sink := memstore.New(0), sealing.NewMemKeyStore(), &memSink{}
	ring, err := sealing.GenerateKeyring("k1")
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Start(ctx, node.Config{
		Backends: node.Backends{Events: store, Keys: keys, AccessLog: sink},
		Keyring:  ring, HashKey: fixtureHashKey, Clock: app.NewFixedClock(fixtureStart),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()

	admin := app.Actor{ID: "a", Role: app.RoleAdmin}
	if _, err := n.Service.RegisterOrganisation(ctx, admin, "org", "shelter", domain.RegisterOrganisation{
		Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
		t.Fatal(err)
	}
	worker := app.Actor{ID: "w", Role: app.RoleCaseworker, Organisation: "shelter", Kind: domain.OrgShelter}
	res, err := n.Service.ReferSurvivor(ctx, worker, "refer", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Memory Person"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := keys.CaseIDs(ctx); err != nil || len(ids) != 1 || ids[0] != res.ID {
		t.Errorf("key store holds %v, %v; want the case's key", ids, err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := n.Runner.WaitFor(waitCtx, res.Position); err != nil {
		t.Fatal(err)
	}
	v, ok := n.Cases.Get(res.ID)
	if !ok {
		t.Fatal("the read model has no case")
	}
	opener, err := n.Service.OpenGroup(ctx, worker, v, access.GroupIdentity)
	if err != nil {
		t.Fatal(err)
	}
	var s domain.SurvivorDetails
	if err := opener.Open(ctx, v.Survivor, &s); err != nil || s.FullName != "Memory Person" {
		t.Errorf("identity = %+v, %v", s, err)
	}
	if entries, _ := sink.ForCase(ctx, res.ID); len(entries) != 1 || entries[0].Actor != "w" {
		t.Errorf("access log = %+v, want the caseworker's read", entries)
	}

	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Head(ctx); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("event store after Close: %v, want ErrClosed", err)
	}
	if _, err := keys.CaseIDs(ctx); !errors.Is(err, sealing.ErrKeyStoreClosed) {
		t.Errorf("key store after Close: %v, want ErrKeyStoreClosed", err)
	}
	if !sink.closed {
		t.Error("access log sink not closed")
	}
}

// Start owns the backends from the call on: when it refuses them, it closes them.
func TestStartClosesBackendsItRefuses(t *testing.T) {
	ctx := context.Background()
	ring, err := sealing.GenerateKeyring("k1")
	if err != nil {
		t.Fatal(err)
	}
	store, keys := memstore.New(0), sealing.NewMemKeyStore()
	_, err = node.Start(ctx, node.Config{Backends: node.Backends{Events: store, Keys: keys}, Keyring: ring, HashKey: fixtureHashKey})
	if err == nil {
		t.Fatal("started without an access log")
	}
	if _, err := store.Head(ctx); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("event store after a failed Start: %v, want ErrClosed", err)
	}
	if _, err := keys.CaseIDs(ctx); !errors.Is(err, sealing.ErrKeyStoreClosed) {
		t.Errorf("key store after a failed Start: %v, want ErrKeyStoreClosed", err)
	}
}
