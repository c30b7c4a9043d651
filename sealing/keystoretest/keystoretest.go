// Package keystoretest is the contract every sealing.KeyStore keeps, as tests. A key
// store's test calls Run with a function that opens it on fresh, empty data:
//
//	func TestContract(t *testing.T) {
//		keystoretest.Run(t, func(t *testing.T) sealing.KeyStore { ... })
//	}
//
// open must close the store at cleanup; Close must tolerate a second call. Every
// subtest opens its own store, so subtests run in parallel. What only a store on disk
// can promise (no key bytes left in its files after Destroy or Replace) is for that
// store's own tests.
package keystoretest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/sealing"
)

// Run runs the contract against the store open returns.
func Run(t *testing.T, open func(t *testing.T) sealing.KeyStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, ks sealing.KeyStore)
	}{
		{"CreateGet", testCreateGet},
		{"Replace", testReplace},
		{"Destroy", testDestroy},
		{"CaseIDs", testCaseIDs},
		{"ScanKeys", testScanKeys},
		{"Refuses", testRefuses},
		{"NoSharedBytes", testNoSharedBytes},
		{"ConcurrentCreate", testConcurrentCreate},
		{"Closed", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// Key returns a well-formed wrapped key under kekID: a GCM nonce and the ciphertext of
// a 32-byte data key with its tag, random. A store cannot tell it from a Vault's.
func Key(kekID string) sealing.WrappedKey {
	k := sealing.WrappedKey{KEKID: kekID, Nonce: make([]byte, 12), Ciphertext: make([]byte, sealing.KeySize+16)}
	_, _ = rand.Read(k.Nonce)
	_, _ = rand.Read(k.Ciphertext)
	return k
}

func same(a, b sealing.WrappedKey) bool {
	return a.KEKID == b.KEKID && slices.Equal(a.Nonce, b.Nonce) && slices.Equal(a.Ciphertext, b.Ciphertext)
}

func mustCreate(t *testing.T, ks sealing.KeyStore, caseID string, k sealing.WrappedKey) {
	t.Helper()
	if err := ks.Create(t.Context(), caseID, k); err != nil {
		t.Fatalf("Create(%s): %v", caseID, err)
	}
}

func wantGet(t *testing.T, ks sealing.KeyStore, caseID string, want sealing.WrappedKey) {
	t.Helper()
	got, err := ks.Get(t.Context(), caseID)
	if err != nil || !same(got, want) {
		t.Errorf("Get(%s) = %+v, %v; want %+v", caseID, got, err, want)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s = %v, want %v", what, err, want)
	}
}

func testCreateGet(t *testing.T, ks sealing.KeyStore) {
	ctx := t.Context()
	_, err := ks.Get(ctx, "c1")
	wantErr(t, "Get of a new case", err, sealing.ErrKeyNotFound)
	k := Key("k1")
	mustCreate(t, ks, "c1", k)
	wantGet(t, ks, "c1", k)
	wantErr(t, "second Create", ks.Create(ctx, "c1", Key("k1")), sealing.ErrKeyExists)
	wantGet(t, ks, "c1", k) // the first key stays
}

func testReplace(t *testing.T, ks sealing.KeyStore) {
	ctx := t.Context()
	wantErr(t, "Replace of a new case", ks.Replace(ctx, "c1", Key("k1")), sealing.ErrKeyNotFound)
	mustCreate(t, ks, "c1", Key("k1"))
	for _, kek := range []string{"k2", "k3"} {
		next := Key(kek)
		if err := ks.Replace(ctx, "c1", next); err != nil {
			t.Fatalf("Replace under %s: %v", kek, err)
		}
		wantGet(t, ks, "c1", next)
	}
	if ids, err := ks.CaseIDs(ctx); err != nil || !slices.Equal(ids, []string{"c1"}) {
		t.Errorf("CaseIDs after Replace = %v, %v; want [c1]", ids, err)
	}
}

func testDestroy(t *testing.T, ks sealing.KeyStore) {
	ctx := t.Context()
	mustCreate(t, ks, "c1", Key("k1"))
	// Idempotent, and destroying a case that never had a key bars it from getting one.
	for _, id := range []string{"c1", "c1", "never"} {
		if err := ks.Destroy(ctx, id); err != nil {
			t.Fatalf("Destroy(%s) = %v (must be idempotent)", id, err)
		}
	}
	for _, id := range []string{"c1", "never"} {
		_, err := ks.Get(ctx, id)
		wantErr(t, "Get of destroyed "+id, err, sealing.ErrKeyDestroyed)
		wantErr(t, "Create of destroyed "+id, ks.Create(ctx, id, Key("k1")), sealing.ErrKeyDestroyed)
		wantErr(t, "Replace of destroyed "+id, ks.Replace(ctx, id, Key("k1")), sealing.ErrKeyDestroyed)
	}
}

func testCaseIDs(t *testing.T, ks sealing.KeyStore) {
	ctx := t.Context()
	if ids, err := ks.CaseIDs(ctx); err != nil || len(ids) != 0 {
		t.Errorf("CaseIDs of an empty store = %v, %v", ids, err)
	}
	for _, id := range []string{"c3", "c1", "c2", "c4"} {
		mustCreate(t, ks, id, Key("k1"))
	}
	if err := ks.Destroy(ctx, "c2"); err != nil {
		t.Fatal(err)
	}
	if err := ks.Destroy(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if ids, err := ks.CaseIDs(ctx); err != nil || !slices.Equal(ids, []string{"c1", "c3", "c4"}) {
		t.Errorf("CaseIDs = %v, %v; want [c1 c3 c4]", ids, err)
	}
}

// testScanKeys: a store that scans (sealing.KeyScanner) returns every live key as Get
// does — the newest after a Replace — and none of a destroyed case.
func testScanKeys(t *testing.T, ks sealing.KeyStore) {
	scanner, ok := ks.(sealing.KeyScanner)
	if !ok {
		return // optional: the vault then gets each key on its own
	}
	ctx := t.Context()
	if keys, err := scanner.ScanKeys(ctx); err != nil || len(keys) != 0 {
		t.Errorf("ScanKeys of an empty store = %v, %v", keys, err)
	}
	want := map[string]sealing.WrappedKey{}
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		want[id] = Key("k1")
		mustCreate(t, ks, id, want[id])
	}
	want["c3"] = Key("k2")
	if err := ks.Replace(ctx, "c3", want["c3"]); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"c2", "c4"} {
		if err := ks.Destroy(ctx, id); err != nil {
			t.Fatal(err)
		}
		delete(want, id)
	}
	keys, err := scanner.ScanKeys(ctx)
	if err != nil || len(keys) != len(want) {
		t.Fatalf("ScanKeys = %d keys, %v; want %d", len(keys), err, len(want))
	}
	for id, k := range want {
		if !same(keys[id], k) {
			t.Errorf("ScanKeys: case %s has another key than the one stored", id)
		}
	}
}

func testRefuses(t *testing.T, ks sealing.KeyStore) {
	ctx := t.Context()
	for _, bad := range []string{"", "a.b", "a*", ">", "a b", "casé", string(make([]byte, 129))} {
		if err := ks.Create(ctx, bad, Key("k1")); err == nil {
			t.Errorf("Create(%q) accepted a bad case id", bad)
		}
		if _, err := ks.Get(ctx, bad); err == nil {
			t.Errorf("Get(%q) accepted a bad case id", bad)
		}
		if err := ks.Destroy(ctx, bad); err == nil {
			t.Errorf("Destroy(%q) accepted a bad case id", bad)
		}
	}
	malformed := map[string]sealing.WrappedKey{
		"no nonce or ciphertext": {KEKID: "k1"},
		"short nonce":            {KEKID: "k1", Nonce: make([]byte, 8), Ciphertext: make([]byte, 48)},
		"no tag":                 {KEKID: "k1", Nonce: make([]byte, 12), Ciphertext: make([]byte, 8)},
		"no KEK id":              {Nonce: make([]byte, 12), Ciphertext: make([]byte, 48)},
		"bad KEK id":             {KEKID: "k 1", Nonce: make([]byte, 12), Ciphertext: make([]byte, 48)},
	}
	for what, k := range malformed {
		if err := ks.Create(ctx, "c9", k); err == nil {
			t.Errorf("Create accepted a wrapped key with %s", what)
		}
	}
	mustCreate(t, ks, "c1", Key("k1"))
	if err := ks.Replace(ctx, "c1", sealing.WrappedKey{KEKID: "k2"}); err == nil {
		t.Error("Replace accepted a malformed wrapped key")
	}
	if _, err := ks.Get(ctx, "c9"); !errors.Is(err, sealing.ErrKeyNotFound) {
		t.Errorf("a refused Create stored something: Get = %v", err)
	}
}

// testNoSharedBytes: a caller changing the bytes it gave or got changes nothing
// stored (the vault clears keys it is done with).
func testNoSharedBytes(t *testing.T, ks sealing.KeyStore) {
	k := Key("k1")
	want := sealing.WrappedKey{KEKID: k.KEKID, Nonce: slices.Clone(k.Nonce), Ciphertext: slices.Clone(k.Ciphertext)}
	mustCreate(t, ks, "c1", k)
	clear(k.Ciphertext)
	clear(k.Nonce)
	got, err := ks.Get(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	clear(got.Ciphertext)
	wantGet(t, ks, "c1", want)
}

// testConcurrentCreate: of many Creates of one case at once, exactly one stores its
// key and the others are ErrKeyExists.
func testConcurrentCreate(t *testing.T, ks sealing.KeyStore) {
	const n = 16
	keys := make([]sealing.WrappedKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		keys[i] = Key(fmt.Sprint("k", i))
		wg.Go(func() {
			<-start
			errs[i] = ks.Create(t.Context(), "c1", keys[i])
		})
	}
	close(start)
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("Creates %d and %d both succeeded", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, sealing.ErrKeyExists):
			t.Errorf("Create %d: %v, want nil or ErrKeyExists", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no Create succeeded")
	}
	wantGet(t, ks, "c1", keys[won])
}

func testClosed(t *testing.T, ks sealing.KeyStore) {
	ctx := context.Background()
	mustCreate(t, ks, "c1", Key("k1"))
	if err := ks.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ks.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err := ks.Get(ctx, "c1")
	wantErr(t, "Get after Close", err, sealing.ErrKeyStoreClosed)
	wantErr(t, "Create after Close", ks.Create(ctx, "c2", Key("k1")), sealing.ErrKeyStoreClosed)
	wantErr(t, "Replace after Close", ks.Replace(ctx, "c1", Key("k1")), sealing.ErrKeyStoreClosed)
	wantErr(t, "Destroy after Close", ks.Destroy(ctx, "c1"), sealing.ErrKeyStoreClosed)
	_, err = ks.CaseIDs(ctx)
	wantErr(t, "CaseIDs after Close", err, sealing.ErrKeyStoreClosed)
}
