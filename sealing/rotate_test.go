package sealing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// TestRotateRewrapsEveryKey: every live key moves under the new KEK, old data still
// opens, and a vault holding only the new KEK opens it all. (That the old bytes leave
// the disk: sealing/jskeys.)
func TestRotateRewrapsEveryKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks := openStore(t)
	ring1 := newRing(t, "k1")
	v := newVault(t, ks, ring1)
	ids := caseIDs(5)
	sealed := map[string]json.RawMessage{}
	old := map[string]WrappedKey{}
	for _, id := range ids {
		if err := v.EnsureCaseKey(ctx, id); err != nil {
			t.Fatal(err)
		}
		sealed[id] = mustSeal(t, v, id, "e-"+id, 3, personal)
		old[id], _ = ks.Get(ctx, id)
	}
	if err := v.Destroy(ctx, ids[4]); err != nil { // destroyed cases are skipped
		t.Fatal(err)
	}

	ring2, err := ring1.WithNewKEK("k2")
	if err != nil {
		t.Fatal(err)
	}
	n, err := v.Rotate(ctx, ring2)
	if err != nil || n != 4 {
		t.Fatalf("Rotate = %d, %v; want 4 keys rewrapped", n, err)
	}
	for _, id := range ids[:4] {
		wk, err := ks.Get(ctx, id)
		if err != nil || wk.KEKID != "k2" {
			t.Errorf("%s after rotation: %+v, %v; want wrapped under k2", id, wk, err)
		}
		if wk.KEKID == old[id].KEKID || bytes.Equal(wk.Ciphertext, old[id].Ciphertext) {
			t.Errorf("%s: the key wrapped under k1 is still stored", id)
		}
		if got, err := v.Open(ctx, id, "e-"+id, 3, sealed[id]); err != nil || !bytes.Equal(got, personal) {
			t.Errorf("%s: old data after rotation: %q, %v", id, got, err)
		}
	}
	if n, err := v.Rotate(ctx, ring2); err != nil || n != 0 {
		t.Errorf("second Rotate = %d, %v; want 0, nil", n, err)
	}

	// Drop k1: a vault with only k2 (empty cache) opens everything.
	ring3 := ring2.clone()
	delete(ring3.KEKs, "k1")
	v3 := newVault(t, ks, ring3)
	for _, id := range ids[:4] {
		if got, err := v3.Open(ctx, id, "e-"+id, 3, sealed[id]); err != nil || !bytes.Equal(got, personal) {
			t.Errorf("%s with only k2: %q, %v", id, got, err)
		}
	}
	if _, err := v3.Open(ctx, ids[4], "e-"+ids[4], 3, sealed[ids[4]]); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("destroyed case after rotation: %v, want ErrKeyDestroyed", err)
	}
}

// TestUnknownKEK: a key wrapped under a KEK the ring lacks is ErrUnknownKEK, for Open and
// for Rotate (which rewraps the other keys and keeps a ring that can open all of them).
func TestUnknownKEK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks := openStore(t)
	ring1 := newRing(t, "k1")
	v1 := newVault(t, ks, ring1)
	if err := v1.EnsureCaseKey(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	sealedOld := mustSeal(t, v1, "old", "e1", 1, personal)

	ring2, _ := ring1.WithNewKEK("k2")
	delete(ring2.KEKs, "k1")
	v2 := newVault(t, ks, ring2)
	if _, err := v2.Open(ctx, "old", "e1", 1, sealedOld); !errors.Is(err, ErrUnknownKEK) {
		t.Errorf("Open = %v, want ErrUnknownKEK", err)
	}
	if err := v2.EnsureCaseKey(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	ring3, _ := ring2.WithNewKEK("k3")
	n, err := v2.Rotate(ctx, ring3)
	if !errors.Is(err, ErrUnknownKEK) || n != 1 {
		t.Errorf("Rotate = %d, %v; want 1 rewrapped and ErrUnknownKEK", n, err)
	}
	if wk, _ := ks.Get(ctx, "new"); wk.KEKID != "k3" {
		t.Errorf("case new wrapped under %q, want k3", wk.KEKID)
	}
	if _, err := v2.Seal(ctx, "new", "e1", 1, personal); err != nil {
		t.Errorf("after a partial rotation: %v", err)
	}
}

func TestRotateRefusesConflictingRings(t *testing.T) {
	t.Parallel()
	ks := openStore(t)
	ring := newRing(t, "k1")
	v := newVault(t, ks, ring)
	other := newRing(t, "k1") // same id, other bytes, other index key
	if _, err := v.Rotate(context.Background(), other); err == nil {
		t.Error("Rotate accepted another index key and another k1")
	}
	other.IndexKey = ring.IndexKey
	if _, err := v.Rotate(context.Background(), other); err == nil {
		t.Error("Rotate accepted a k1 with other bytes")
	}
}
