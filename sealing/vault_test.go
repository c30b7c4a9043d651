package sealing

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

var personal = []byte(`{"name":"José María","document_number":"ABC-123 45"}`)

// vaultWithCase returns a vault (over a fresh store) whose case c1 has a key.
func vaultWithCase(t *testing.T) (*Vault, KeyStore, Keyring) {
	t.Helper()
	ks := openStore(t)
	ring := newRing(t, "k1")
	v := newVault(t, ks, ring)
	if err := v.EnsureCaseKey(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	return v, ks, ring
}

func mustSeal(t *testing.T, v *Vault, caseID, eventID string, schema int, pt []byte) json.RawMessage {
	t.Helper()
	s, err := v.Seal(context.Background(), caseID, eventID, schema, pt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	v, _, _ := vaultWithCase(t)
	sealed := mustSeal(t, v, "c1", "e1", 1, personal)
	if !IsSealed(sealed) || IsSealed(personal) || IsSealed(json.RawMessage("null")) {
		t.Errorf("IsSealed wrong: sealed %s", sealed)
	}
	// Whole values, with a space: a base64 ciphertext can hold "ABC" by chance (one run
	// in a few thousand failed so), never a space.
	if bytes.Contains(sealed, []byte("José María")) || bytes.Contains(sealed, []byte("ABC-123 45")) {
		t.Errorf("sealed form holds plaintext: %s", sealed)
	}
	var form map[string]any
	if err := json.Unmarshal(sealed, &form); err != nil || form["sealed"] != 1.0 || form["alg"] != "A256GCM" || len(form) != 4 {
		t.Errorf("sealed form = %s, want {sealed:1, alg:A256GCM, n, c}", sealed)
	}
	got, err := v.Open(context.Background(), "c1", "e1", 1, sealed)
	if err != nil || !bytes.Equal(got, personal) {
		t.Fatalf("Open = %q, %v; want %q", got, err, personal)
	}
	// A fresh vault (no cached key) opens it too.
	v2 := newVault(t, v.ks, v.ring)
	if got, err := v2.Open(context.Background(), "c1", "e1", 1, sealed); err != nil || !bytes.Equal(got, personal) {
		t.Fatalf("fresh vault Open = %q, %v", got, err)
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	t.Parallel()
	v, _, _ := vaultWithCase(t)
	a, b := mustSeal(t, v, "c1", "e1", 1, personal), mustSeal(t, v, "c1", "e1", 1, personal)
	sa, _ := decodeSealed(a)
	sb, _ := decodeSealed(b)
	if bytes.Equal(sa.N, sb.N) || bytes.Equal(sa.C, sb.C) {
		t.Errorf("two seals of the same plaintext share a nonce or ciphertext:\n%s\n%s", a, b)
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, _, _ := vaultWithCase(t)
	if err := v.EnsureCaseKey(ctx, "c2"); err != nil {
		t.Fatal(err)
	}
	sealed := mustSeal(t, v, "c1", "e1", 1, personal)
	s, _ := decodeSealed(sealed)

	flip := func(field string, i int) json.RawMessage {
		n, c := bytes.Clone(s.N), bytes.Clone(s.C)
		if field == "n" {
			n[i] ^= 0x01
		} else {
			c[i] ^= 0x80
		}
		out, _ := encodeSealed(n, c)
		return out
	}
	rewrite := func(f func(m map[string]any)) json.RawMessage {
		var m map[string]any
		_ = json.Unmarshal(sealed, &m)
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	type open struct {
		caseID, eventID string
		schema          int
		sealed          json.RawMessage
	}
	cases := map[string]open{
		"first ciphertext byte":  {"c1", "e1", 1, flip("c", 0)},
		"middle ciphertext byte": {"c1", "e1", 1, flip("c", len(s.C)/2)},
		"last tag byte":          {"c1", "e1", 1, flip("c", len(s.C)-1)},
		"nonce byte":             {"c1", "e1", 1, flip("n", 3)},
		"truncated":              {"c1", "e1", 1, rewrite(func(m map[string]any) { m["c"] = base64.StdEncoding.EncodeToString(s.C[:len(s.C)-1]) })},
		"other algorithm":        {"c1", "e1", 1, rewrite(func(m map[string]any) { m["alg"] = "A128GCM" })},
		"other version":          {"c1", "e1", 1, rewrite(func(m map[string]any) { m["sealed"] = 2 })},
		"extra field":            {"c1", "e1", 1, rewrite(func(m map[string]any) { m["kid"] = "x" })},
		"not sealed":             {"c1", "e1", 1, personal},
		"moved to another case":  {"c2", "e1", 1, sealed},
		"moved to another event": {"c1", "e2", 1, sealed},
		"another schema version": {"c1", "e1", 2, sealed},
	}
	for name, tc := range cases {
		got, err := v.Open(ctx, tc.caseID, tc.eventID, tc.schema, tc.sealed)
		if !errors.Is(err, ErrTampered) || got != nil {
			t.Errorf("%s: Open = %q, %v; want ErrTampered", name, got, err)
		}
	}
	if _, err := v.Open(ctx, "c1", "e1", 1, sealed); err != nil {
		t.Fatalf("the original no longer opens: %v", err)
	}
}

// TestOpenRejectsTamperedStoredKey: a changed wrapped key, or one moved to another case,
// fails authentication too.
func TestOpenRejectsTamperedStoredKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, ks, ring := vaultWithCase(t)
	if err := v.EnsureCaseKey(ctx, "c2"); err != nil {
		t.Fatal(err)
	}
	sealed := mustSeal(t, v, "c1", "e1", 1, personal)
	wk1, _ := ks.Get(ctx, "c1")
	wk2, _ := ks.Get(ctx, "c2")
	wk1.Ciphertext[5] ^= 1
	if err := ks.Replace(ctx, "c1", wk1); err != nil {
		t.Fatal(err)
	}
	if err := ks.Replace(ctx, "c2", WrappedKey{KEKID: wk2.KEKID, Nonce: wk1.Nonce, Ciphertext: wk2.Ciphertext}); err != nil {
		t.Fatal(err)
	}
	fresh := newVault(t, ks, ring)
	if _, err := fresh.Open(ctx, "c1", "e1", 1, sealed); !errors.Is(err, ErrTampered) {
		t.Errorf("Open with a changed wrapped key = %v, want ErrTampered", err)
	}
	if _, err := fresh.Seal(ctx, "c2", "e1", 1, personal); !errors.Is(err, ErrTampered) {
		t.Errorf("Seal with a changed wrapped key = %v, want ErrTampered", err)
	}
}

// TestDestroyedCaseNeverOpens: data sealed before Destroy is ErrKeyDestroyed, from the
// same vault (cache dropped) and a fresh one; nothing new is sealed and the case never
// gets a new key. (After a restart of the store: sealing/jskeys.)
func TestDestroyedCaseNeverOpens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, ks, ring := vaultWithCase(t)
	sealed := mustSeal(t, v, "c1", "e1", 1, personal)
	if _, err := v.Open(ctx, "c1", "e1", 1, sealed); err != nil { // caches the key
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := v.Destroy(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
	}
	check := func(stage string, v *Vault) {
		t.Helper()
		if got, err := v.Open(ctx, "c1", "e1", 1, sealed); !errors.Is(err, ErrKeyDestroyed) || got != nil {
			t.Errorf("%s: Open = %q, %v; want ErrKeyDestroyed", stage, got, err)
		}
		if _, err := v.Open(ctx, "c1", "e1", 1, json.RawMessage(`{"garbage":true}`)); !errors.Is(err, ErrKeyDestroyed) {
			t.Errorf("%s: Open of garbage = %v; want ErrKeyDestroyed (erasure first)", stage, err)
		}
		if _, err := v.Seal(ctx, "c1", "e2", 1, personal); !errors.Is(err, ErrKeyDestroyed) {
			t.Errorf("%s: Seal = %v; want ErrKeyDestroyed", stage, err)
		}
		if err := v.EnsureCaseKey(ctx, "c1"); !errors.Is(err, ErrKeyDestroyed) {
			t.Errorf("%s: EnsureCaseKey = %v; want ErrKeyDestroyed", stage, err)
		}
	}
	check("same vault", v)
	check("fresh vault", newVault(t, ks, ring))
}

func TestSealNeedsACaseKey(t *testing.T) {
	t.Parallel()
	v, _, _ := vaultWithCase(t)
	if _, err := v.Seal(context.Background(), "no-key", "e1", 1, personal); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Seal without a key = %v, want ErrKeyNotFound", err)
	}
	if _, err := v.Seal(context.Background(), "c1", "", 1, personal); err == nil {
		t.Error("Seal without an event id succeeded")
	}
}

// TestConcurrentEnsureCaseKeyMakesOneKey: goroutines on two vaults race to create one
// case's key and seal with it; every seal opens with a fresh vault, so all used one key.
func TestConcurrentEnsureCaseKeyMakesOneKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks := openStore(t)
	ring := newRing(t, "k1")
	vaults := []*Vault{newVault(t, ks, ring), newVault(t, ks, ring)}
	const n = 32
	sealed := make([]json.RawMessage, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v := vaults[i%2]
			if errs[i] = v.EnsureCaseKey(ctx, "c1"); errs[i] == nil {
				sealed[i], errs[i] = v.Seal(ctx, "c1", fmt.Sprint("e", i), 1, personal)
			}
		})
	}
	wg.Wait()
	fresh := newVault(t, ks, ring)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if _, err := fresh.Open(ctx, "c1", fmt.Sprint("e", i), 1, sealed[i]); err != nil {
			t.Errorf("seal %d does not open with the stored key: %v", i, err)
		}
	}
}

// TestDestroyWhileOpening: readers racing a Destroy may finish before it, but every Open
// that starts after Destroy returns fails: no key fetched before it is cached after it.
func TestDestroyWhileOpening(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, _, _ := vaultWithCase(t)
	sealed := mustSeal(t, v, "c1", "e1", 1, personal)
	var destroyed atomic.Bool
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for !destroyed.Load() {
				v.cache.remove("other") // bump the epoch: exercise the fetch path too
				_, _ = v.Open(ctx, "c1", "e1", 1, sealed)
			}
			_, err := v.Open(ctx, "c1", "e1", 1, sealed)
			errs <- err
		})
	}
	if err := v.Destroy(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	destroyed.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, ErrKeyDestroyed) {
			t.Errorf("Open after Destroy = %v, want ErrKeyDestroyed", err)
		}
	}
}
