package projections_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// Two replicas share one key store, each with its own vault and its cache of keys.
// Replica A erases a case: it destroys the key and drops its own copy. Replica B
// still holds the key in memory, and would open the case's sealed bytes with it,
// until its read model applies SurvivorDataErased from the log: then it drops it too.
func TestErasureDropsTheKeyAnotherReplicaCached(t *testing.T) {
	ctx := context.Background()
	ks := sealing.NewMemKeyStore()
	ring := testkit.Keyring(t)
	a, err := sealing.NewVault(ks, ring)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sealing.NewVault(ks, ring)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.EnsureCaseKey(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	sealed, err := a.Seal(ctx, "a", "e1", 1, []byte(`{"fullName":"Ana Demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(ctx, "a", "e1", 1, sealed); err != nil { // B reads the case: its key is cached
		t.Fatal(err)
	}
	if err := a.Destroy(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(ctx, "a", "e1", 1, sealed); err != nil {
		t.Fatalf("before its read model knows of the erasure, B opens from its cache: %v (the test's premise)", err)
	}

	s := openStore(t)
	cases := projections.NewCases(b)
	r := projections.NewRunner(s, slog.New(slog.NewTextHandler(io.Discard, nil)), cases)
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	go r.Run(run)
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	referral := domain.SurvivorReferred{ReferringOrganisation: "shelter", Jurisdiction: "MX", At: at}
	erased := domain.SurvivorDataErased{ReasonCode: domain.ErasureSurvivorRequest, At: at}
	if err := r.WaitFor(wait, appendEvents(t, s, "case-a", referral, erased)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(ctx, "a", "e1", 1, sealed); !errors.Is(err, sealing.ErrKeyDestroyed) {
		t.Errorf("after B's read model applied the erasure, B opens the case's data: %v; want ErrKeyDestroyed", err)
	}
}
