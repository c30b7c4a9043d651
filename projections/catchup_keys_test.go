package projections_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// countingKeys is the in-memory key store, counting one-case reads (Get) by case and
// reads of every key (ScanKeys).
type countingKeys struct {
	*sealing.MemKeyStore
	mu    sync.Mutex
	gets  []string
	scans int
}

func (k *countingKeys) Get(ctx context.Context, caseID string) (sealing.WrappedKey, error) {
	k.mu.Lock()
	k.gets = append(k.gets, caseID)
	k.mu.Unlock()
	return k.MemKeyStore.Get(ctx, caseID)
}

func (k *countingKeys) ScanKeys(ctx context.Context) (map[string]sealing.WrappedKey, error) {
	k.mu.Lock()
	k.scans++
	k.mu.Unlock()
	return k.MemKeyStore.ScanKeys(ctx)
}

// countedKeys returns a counting key store and a function making a vault on it with
// a cold cache of keys, as after a restart.
func countedKeys(t *testing.T) (*countingKeys, func() *sealing.Vault) {
	keys := &countingKeys{MemKeyStore: sealing.NewMemKeyStore()}
	t.Cleanup(func() { keys.Close() })
	ring := testkit.Keyring(t)
	return keys, func() *sealing.Vault {
		v, err := sealing.NewVault(keys, ring)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// reads returns the cases read one by one and the scans since the last call.
func (k *countingKeys) reads() (gets []string, scans int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	gets, scans = k.gets, k.scans
	k.gets, k.scans = nil, 0
	return gets, scans
}

// A rebuild opens the blind index of every case it meets. Far behind the head, it
// reads every case key in one pass instead of one key-store round trip a case (the
// applying goroutine waited on those for a third of a rebuild of 100,000 cases), and
// builds the same read models: every case found by name and document number, the
// erased case by nothing. Once caught up it drops the key set, so that a key
// destroyed later never opens from it.
func TestLongCatchUpReadsEveryCaseKeyAtOnce(t *testing.T) {
	keys, vaultOn := countedKeys(t)
	w := newWorldWith(t, vaultOn())
	w.registerShelter(t)
	names := []string{"Ana Uno Ejemplo", "Berta Dos Ejemplo", "Carla Tres Ejemplo"}
	live := make([]string, len(names))
	for i, name := range names {
		live[i] = w.refer(t, name, fmt.Sprintf("DOC-%d", i), "a note")
	}
	gone := w.refer(t, "Dora Borrada Ejemplo", "GONE-4", "erase me")
	w.change(t, gone, "erase", domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest})

	rebuild := func(catchUpMin uint64) (m *models, gets []string, scans int) {
		cold := *w
		cold.vault = vaultOn()
		keys.reads()
		m = newModels(&cold)
		projections.SetCatchUpKeysMin(m.runner, catchUpMin)
		m.run(t, &cold)
		gets, scans = keys.reads()
		return m, gets, scans
	}
	long, gets, scans := rebuild(1)
	if scans != 1 {
		t.Errorf("a long catch-up read every key %d times, want once", scans)
	}
	for _, id := range live {
		if slices.Contains(gets, id) {
			t.Errorf("a long catch-up read the key of live case %s on its own (reads: %v)", id, gets)
		}
	}
	if projections.HoldsCatchUpKeys(long.cases) {
		t.Error("the read model kept the catch-up's key set after catching up")
	}

	short, gets, scans := rebuild(math.MaxUint64)
	if scans != 0 || !slices.Contains(gets, live[0]) {
		t.Fatalf("a short catch-up: %d scans, one-case reads %v; want none and each case's (the test's premise)", scans, gets)
	}
	sameModels(t, long, short)
	for i, name := range names {
		if long.found(w, sealing.KindName, name) != 1 || long.found(w, sealing.KindDocument, fmt.Sprintf("DOC-%d", i)) != 1 {
			t.Errorf("after a long catch-up, case %s is not found by name and document number", live[i])
		}
	}
	if long.found(w, sealing.KindName, "Dora Borrada Ejemplo") != 0 || long.found(w, sealing.KindDocument, "GONE-4") != 0 {
		t.Error("after a long catch-up, the erased case is found")
	}
}

// A start from a snapshot far behind the head (a crash up to 50,000 events after the
// last snapshot) catches up with the keys the snapshot's load just read: one pass over
// the key store, not a second (seconds at a million cases).
func TestLongCatchUpAfterASnapshotReusesItsKeys(t *testing.T) {
	keys, vaultOn := countedKeys(t)
	w := newWorldWith(t, vaultOn())
	w.registerShelter(t)
	before := w.refer(t, "Elsa Antes Ejemplo", "BEFORE-1", "a note")
	dir := t.TempDir()
	newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w).stop(t)
	after := w.refer(t, "Fanny Despues Ejemplo", "AFTER-2", "a note")

	cold := *w
	cold.vault = vaultOn()
	keys.reads()
	m := newModels(&cold).withSnapshots(t, projections.SnapshotConfig{Dir: dir})
	projections.SetCatchUpKeysMin(m.runner, 1)
	m.run(t, &cold)
	if _, ok := m.snaps.Loaded(); !ok {
		t.Fatal("the snapshot was not loaded")
	}
	gets, scans := keys.reads()
	if scans != 1 {
		t.Errorf("a load and its long catch-up read every key %d times, want once", scans)
	}
	for _, id := range []string{before, after} {
		if slices.Contains(gets, id) {
			t.Errorf("case %s's key was read on its own (reads: %v)", id, gets)
		}
	}
	if m.found(w, sealing.KindName, "Fanny Despues Ejemplo") != 1 || m.found(w, sealing.KindDocument, "AFTER-2") != 1 {
		t.Error("the case referred after the snapshot is not found by name and document number")
	}
	if projections.HoldsCatchUpKeys(m.cases) {
		t.Error("the read model kept the load's key set after catching up")
	}
}
