package jskeys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/jsstream"
	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/keystoretest"
)

// keyBytes is what must vanish from disk when a case key is destroyed.
type keyBytes struct {
	wrapped sealing.WrappedKey
	dataKey []byte
}

// makeKeys gives each case a key through a vault and returns its stored and unwrapped
// bytes.
func makeKeys(t *testing.T, ks sealing.KeyStore, ring sealing.Keyring, ids ...string) map[string]keyBytes {
	t.Helper()
	ctx := context.Background()
	v := newVault(t, ks, ring)
	out := make(map[string]keyBytes, len(ids))
	for _, id := range ids {
		if err := v.EnsureCaseKey(ctx, id); err != nil {
			t.Fatal(err)
		}
		wk, err := ks.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = keyBytes{wrapped: wk, dataKey: unwrap(t, ring, id, wk)}
	}
	return out
}

func caseIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("case-%02d", i)
	}
	return ids
}

// TestDestroyLeavesNoKeyBytesOnDisk destroys the first, an interior and the last key of
// the block and scans every file of the store for them: while open, after Close, after
// reopening.
func TestDestroyLeavesNoKeyBytesOnDisk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ring := newRing(t, "k1")
	ks := openStore(t, dir)
	ids := caseIDs(9)
	keys := makeKeys(t, ks, ring, ids...)
	victims := []string{ids[0], ids[4], ids[8]}

	for _, id := range victims {
		assertPresent(t, dir, id+" wrapped key", keys[id].wrapped.Ciphertext)
	}
	for _, id := range victims {
		if err := ks.Destroy(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	check := func(stage string, ks sealing.KeyStore) {
		t.Helper()
		for _, id := range ids {
			k := keys[id]
			if slices.Contains(victims, id) {
				assertAbsent(t, dir, stage+": "+id+" wrapped key", k.wrapped.Ciphertext)
				assertAbsent(t, dir, stage+": "+id+" data key", k.dataKey)
				continue
			}
			assertPresent(t, dir, stage+": "+id+" wrapped key (not destroyed)", k.wrapped.Ciphertext)
			assertAbsent(t, dir, stage+": "+id+" data key (never stored unwrapped)", k.dataKey)
			if ks == nil {
				continue
			}
			if got, err := ks.Get(ctx, id); err != nil || !slices.Equal(got.Ciphertext, k.wrapped.Ciphertext) {
				t.Errorf("%s: Get(%s) = %v, want the key untouched", stage, id, err)
			}
		}
		if ks == nil {
			return
		}
		for _, id := range victims {
			if _, err := ks.Get(ctx, id); !errors.Is(err, sealing.ErrKeyDestroyed) {
				t.Errorf("%s: Get(%s) = %v, want sealing.ErrKeyDestroyed", stage, id, err)
			}
		}
	}
	check("open", ks)
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed", nil)
	ks = openStore(t, dir)
	check("reopened", ks)
	if err := ks.Create(ctx, victims[1], keys[ids[1]].wrapped); !errors.Is(err, sealing.ErrKeyDestroyed) {
		t.Errorf("Create after Destroy = %v, want sealing.ErrKeyDestroyed", err)
	}
}

// TestReplaceErasesOldKeyBytes: after Replace the old wrapped key is gone from disk.
func TestReplaceErasesOldKeyBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ring := newRing(t, "k1")
	ks := openStore(t, dir)
	keys := makeKeys(t, ks, ring, caseIDs(3)...)
	old := keys["case-01"]
	assertPresent(t, dir, "old wrapped key", old.wrapped.Ciphertext)

	ring2, err := ring.WithNewKEK("k2")
	if err != nil {
		t.Fatal(err)
	}
	nwk := wrap(t, ring2, "case-01", old.dataKey)
	if err := ks.Replace(ctx, "case-01", nwk); err != nil {
		t.Fatal(err)
	}
	assertAbsent(t, dir, "old wrapped key", old.wrapped.Ciphertext)
	assertPresent(t, dir, "new wrapped key", nwk.Ciphertext)
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	ks = openStore(t, dir)
	assertAbsent(t, dir, "old wrapped key after reopen", old.wrapped.Ciphertext)
	got, err := ks.Get(ctx, "case-01")
	if err != nil || got.KEKID != "k2" || !slices.Equal(got.Ciphertext, nwk.Ciphertext) {
		t.Fatalf("Get after Replace = %+v, %v; want the new key", got, err)
	}
}

// TestOpenFinishesInterruptedOperations: a crash between Replace's publish and its erase,
// or between Destroy's tombstone and its erase, is finished when the store reopens,
// whether Open finds it from the stream's totals and the tombstones alone or lists
// every key subject.
func TestOpenFinishesInterruptedOperations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cases     int
		replace   string // a case whose Replace is cut off
		destroy   string // a case whose Destroy is cut off
		destroyed int    // cases destroyed in full before (the tombstones a start sees)
		listings  uint64 // listings of every key subject the reopen makes
	}{
		{name: "a Replace", cases: 20, replace: "case-00", listings: 1},
		{name: "a Destroy, looked up among few tombstones", cases: 30, destroy: "case-01", destroyed: 1, listings: 0},
		{name: "a Destroy, listed among many tombstones", cases: 20, destroy: "case-01", destroyed: 4, listings: 1},
		{name: "a Replace and a Destroy", cases: 2, replace: "case-00", destroy: "case-01", listings: 1},
		{name: "nothing", cases: 20, destroyed: 1, listings: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir := t.TempDir()
			ring := newRing(t, "k1")
			s := openStore(t, dir)
			ids := caseIDs(tt.cases)
			keys := makeKeys(t, s, ring, ids...)
			for _, id := range ids[len(ids)-tt.destroyed:] {
				if err := s.Destroy(ctx, id); err != nil {
					t.Fatal(err)
				}
			}
			if tt.replace != "" {
				// The new key published, the old one not yet erased.
				ring2, _ := ring.WithNewKEK("k2")
				nwk := wrap(t, ring2, tt.replace, keys[tt.replace].dataKey)
				last, err := s.stream.GetLastMsgForSubject(ctx, keySubject+tt.replace)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.publish(ctx, keySubject+tt.replace, encodeRecord(nwk), last.Sequence); err != nil {
					t.Fatal(err)
				}
				assertPresent(t, dir, tt.replace+" old key", keys[tt.replace].wrapped.Ciphertext)
			}
			if tt.destroy != "" {
				// The tombstone written, the key not yet erased.
				if err := s.publish(ctx, destroyedSubject+tt.destroy, nil, 0); err != nil {
					t.Fatal(err)
				}
				assertPresent(t, dir, tt.destroy+" key", keys[tt.destroy].wrapped.Ciphertext)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			s = openStore(t, dir)
			if got := s.keyListings.Load(); got != tt.listings {
				t.Errorf("listings of every key subject = %d, want %d", got, tt.listings)
			}
			want := slices.Clone(ids[:len(ids)-tt.destroyed])
			if tt.replace != "" {
				assertAbsent(t, dir, tt.replace+" old key", keys[tt.replace].wrapped.Ciphertext)
				if got, err := s.Get(ctx, tt.replace); err != nil || got.KEKID != "k2" {
					t.Errorf("%s = %+v, %v; want the new key", tt.replace, got, err)
				}
			}
			if tt.destroy != "" {
				assertAbsent(t, dir, tt.destroy+" key", keys[tt.destroy].wrapped.Ciphertext)
				if _, err := s.Get(ctx, tt.destroy); !errors.Is(err, sealing.ErrKeyDestroyed) {
					t.Errorf("%s = %v, want sealing.ErrKeyDestroyed", tt.destroy, err)
				}
				want = slices.DeleteFunc(want, func(id string) bool { return id == tt.destroy })
			}
			for _, id := range want {
				if id != tt.replace {
					assertPresent(t, dir, id+" key", keys[id].wrapped.Ciphertext)
				}
			}
			if got, err := s.CaseIDs(ctx); err != nil || !slices.Equal(got, want) {
				t.Errorf("CaseIDs = %v, %v; want %v", got, err, want)
			}
		})
	}
}

// TestKeyStreamKeepsNoDedupeWindow: no key message carries a Nats-Msg-Id, so the key
// stream keeps the server's least duplicate window (a start reads every message
// within it), also where an older release created it with the default.
func TestKeyStreamKeepsNoDedupeWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	old := keyStreamConfig(1)
	old.Duplicates = 2 * time.Minute
	if _, err := s.js.UpdateStream(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir)
	info, err := s.stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Duplicates != jsstream.NoDedupe {
		t.Errorf("duplicate window = %s, want %s", info.Config.Duplicates, jsstream.NoDedupe)
	}
}

// TestContract runs the contract every KeyStore keeps.
func TestContract(t *testing.T) {
	t.Parallel()
	keystoretest.Run(t, func(t *testing.T) sealing.KeyStore { return openStore(t, t.TempDir()) })
}

// TestConcurrentEnsureCaseKeyStoresOneMessage: vaults racing to make one case's key
// leave exactly one message on the case's subject (the losers' publishes were refused
// by the expected last sequence, not stored and erased).
func TestConcurrentEnsureCaseKeyStoresOneMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks := openStore(t, t.TempDir())
	ring := newRing(t, "k1")
	vaults := []*sealing.Vault{newVault(t, ks, ring), newVault(t, ks, ring)}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			if err := vaults[i%2].EnsureCaseKey(ctx, "c1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seqs, err := ks.keySeqs(ctx, "c1")
	if err != nil || len(seqs) != 1 {
		t.Errorf("stored key messages = %v, %v; want exactly one", seqs, err)
	}
}

// TestRotationLeavesNoOldKeyBytes: after Vault.Rotate every old wrapped key is gone from
// disk, and after a restart a vault holding only the new KEK opens everything.
func TestRotationLeavesNoOldKeyBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ks := openStore(t, dir)
	ring1 := newRing(t, "k1")
	v := newVault(t, ks, ring1)
	ids := caseIDs(4)
	sealed := map[string][]byte{}
	old := makeKeys(t, ks, ring1, ids...)
	for _, id := range ids {
		s, err := v.Seal(ctx, id, "e-"+id, 1, []byte(`{"name":"Ana"}`))
		if err != nil {
			t.Fatal(err)
		}
		sealed[id] = s
	}
	ring2, err := ring1.WithNewKEK("k2")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := v.Rotate(ctx, ring2); err != nil || n != len(ids) {
		t.Fatalf("Rotate = %d, %v; want %d keys rewrapped", n, err, len(ids))
	}
	for _, id := range ids {
		assertAbsent(t, dir, id+" key wrapped under k1", old[id].wrapped.Ciphertext)
	}
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	only2 := ring2
	only2.KEKs = map[string][]byte{"k2": ring2.KEKs["k2"]}
	v2 := newVault(t, openStore(t, dir), only2)
	for _, id := range ids {
		if _, err := v2.Open(ctx, id, "e-"+id, 1, sealed[id]); err != nil {
			t.Errorf("%s after a restart with only k2: %v", id, err)
		}
	}
}

// TestDestroyedCaseNeverOpensAfterRestart: erasure holds across a restart of the store.
func TestDestroyedCaseNeverOpensAfterRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ks := openStore(t, dir)
	ring := newRing(t, "k1")
	v := newVault(t, ks, ring)
	if err := v.EnsureCaseKey(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	sealed, err := v.Seal(ctx, "c1", "e1", 1, []byte(`{"name":"Ana"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Destroy(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	v = newVault(t, openStore(t, dir), ring)
	if _, err := v.Open(ctx, "c1", "e1", 1, sealed); !errors.Is(err, sealing.ErrKeyDestroyed) {
		t.Errorf("Open after a restart = %v, want ErrKeyDestroyed", err)
	}
	if err := v.EnsureCaseKey(ctx, "c1"); !errors.Is(err, sealing.ErrKeyDestroyed) {
		t.Errorf("EnsureCaseKey after a restart = %v, want ErrKeyDestroyed", err)
	}
}

// TestKeyStoreRefusesSharedDir: a directory with other streams (say, the events) is not
// a key store's.
func TestKeyStoreRefusesSharedDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ks := openStore(t, dir)
	if _, err := ks.js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "WAYMARK", Subjects: []string{"waymark.events.>"}, Storage: jetstream.FileStorage,
	}); err != nil {
		t.Fatal(err)
	}
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	if ks, err := Open(ctx, dir, quietLogger()); err == nil {
		_ = ks.Close()
		t.Fatal("opened a key store in a directory holding the event stream")
	}
}
