package sealing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// keyBytes is what must vanish from disk when a case key is destroyed.
type keyBytes struct {
	wrapped WrappedKey
	dataKey []byte
}

// makeKeys gives each case a key through a vault and returns its stored and unwrapped
// bytes.
func makeKeys(t *testing.T, ks KeyStore, ring Keyring, ids ...string) map[string]keyBytes {
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
		dk, err := unwrapKey(ring, id, wk)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = keyBytes{wrapped: wk, dataKey: dk}
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
	check := func(stage string, ks KeyStore) {
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
			if _, err := ks.Get(ctx, id); !errors.Is(err, ErrKeyDestroyed) {
				t.Errorf("%s: Get(%s) = %v, want ErrKeyDestroyed", stage, id, err)
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
	if err := ks.Create(ctx, victims[1], keys[ids[1]].wrapped); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("Create after Destroy = %v, want ErrKeyDestroyed", err)
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
	nwk, err := wrapKey(ring2, "case-01", old.dataKey)
	if err != nil {
		t.Fatal(err)
	}
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
// or between Destroy's tombstone and its erase, is finished when the store reopens.
func TestOpenFinishesInterruptedOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ring := newRing(t, "k1")
	ks := openStore(t, dir)
	keys := makeKeys(t, ks, ring, "case-a", "case-b")
	s := ks.(*jsKeyStore)

	// Half a Replace of case-a: the new key published, the old one not yet erased.
	ring2, _ := ring.WithNewKEK("k2")
	nwk, err := wrapKey(ring2, "case-a", keys["case-a"].dataKey)
	if err != nil {
		t.Fatal(err)
	}
	last, err := s.stream.GetLastMsgForSubject(ctx, keySubject+"case-a")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.publish(ctx, keySubject+"case-a", encodeRecord(nwk), last.Sequence); err != nil {
		t.Fatal(err)
	}
	// Half a Destroy of case-b: the tombstone written, the key not yet erased.
	if err := s.publish(ctx, destroyedSubject+"case-b", nil, 0); err != nil {
		t.Fatal(err)
	}
	assertPresent(t, dir, "case-a old key", keys["case-a"].wrapped.Ciphertext)
	assertPresent(t, dir, "case-b key", keys["case-b"].wrapped.Ciphertext)
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}

	ks = openStore(t, dir)
	assertAbsent(t, dir, "case-a old key", keys["case-a"].wrapped.Ciphertext)
	assertAbsent(t, dir, "case-b key", keys["case-b"].wrapped.Ciphertext)
	if got, err := ks.Get(ctx, "case-a"); err != nil || got.KEKID != "k2" {
		t.Errorf("case-a = %+v, %v; want the new key", got, err)
	}
	if _, err := ks.Get(ctx, "case-b"); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("case-b = %v, want ErrKeyDestroyed", err)
	}
	if ids, err := ks.CaseIDs(ctx); err != nil || !slices.Equal(ids, []string{"case-a"}) {
		t.Errorf("CaseIDs = %v, %v; want [case-a]", ids, err)
	}
}

func TestKeyStoreContract(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks := openStore(t, t.TempDir())
	ring := newRing(t, "k1")
	wk, err := wrapKey(ring, "c1", make([]byte, KeySize))
	if err != nil {
		t.Fatal(err)
	}

	if _, err := ks.Get(ctx, "c1"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Get of a new case = %v, want ErrKeyNotFound", err)
	}
	if err := ks.Replace(ctx, "c1", wk); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Replace of a new case = %v, want ErrKeyNotFound", err)
	}
	if err := ks.Create(ctx, "c1", wk); err != nil {
		t.Fatal(err)
	}
	if err := ks.Create(ctx, "c1", wk); !errors.Is(err, ErrKeyExists) {
		t.Errorf("second Create = %v, want ErrKeyExists", err)
	}
	if got, err := ks.Get(ctx, "c1"); err != nil || got.KEKID != wk.KEKID ||
		!slices.Equal(got.Nonce, wk.Nonce) || !slices.Equal(got.Ciphertext, wk.Ciphertext) {
		t.Errorf("Get = %+v, %v; want %+v", got, err, wk)
	}
	for _, id := range []string{"c3", "c2"} {
		if err := ks.Create(ctx, id, wk); err != nil {
			t.Fatal(err)
		}
	}
	// Destroying a case that never had a key bars it from getting one.
	for _, id := range []string{"c2", "c2", "never"} {
		if err := ks.Destroy(ctx, id); err != nil {
			t.Fatalf("Destroy(%s) = %v (must be idempotent)", id, err)
		}
	}
	if err := ks.Create(ctx, "never", wk); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("Create of a destroyed case = %v, want ErrKeyDestroyed", err)
	}
	if err := ks.Replace(ctx, "c2", wk); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("Replace of a destroyed case = %v, want ErrKeyDestroyed", err)
	}
	if ids, err := ks.CaseIDs(ctx); err != nil || !slices.Equal(ids, []string{"c1", "c3"}) {
		t.Errorf("CaseIDs = %v, %v; want [c1 c3]", ids, err)
	}
	for _, bad := range []string{"", "a.b", "a*", ">", "a b", "casé"} {
		if err := ks.Create(ctx, bad, wk); err == nil {
			t.Errorf("Create(%q) accepted a bad case id", bad)
		}
	}
	if err := ks.Create(ctx, "c9", WrappedKey{KEKID: "k1"}); err == nil {
		t.Error("Create accepted a wrapped key without nonce or ciphertext")
	}
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Get(ctx, "c1"); !errors.Is(err, ErrKeyStoreClosed) {
		t.Errorf("Get after Close = %v, want ErrKeyStoreClosed", err)
	}
}

// TestKeyStoreRefusesSharedDir: a directory with other streams (say, the events) is not
// a key store's.
func TestKeyStoreRefusesSharedDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ks := openStore(t, dir)
	if _, err := ks.(*jsKeyStore).js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "WAYMARK", Subjects: []string{"waymark.events.>"}, Storage: jetstream.FileStorage,
	}); err != nil {
		t.Fatal(err)
	}
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	if ks, err := OpenJetStreamKeyStore(ctx, dir, quietLogger()); err == nil {
		_ = ks.Close()
		t.Fatal("opened a key store in a directory holding the event stream")
	}
}
