package sealing

import (
	"context"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Vault seals and opens the personal sub-object of events with per-case data keys. Data
// keys never leave it unwrapped; it keeps a small bounded cache of them (keycache.go),
// dropped on Destroy. It does not own its KeyStore: close that separately. Safe for
// concurrent use.
type Vault struct {
	ks    KeyStore
	cache *keyCache

	// mu guards ring. EnsureCaseKey holds it shared from wrapping to storing a new key, so
	// Rotate, which takes it exclusively to switch rings, sees every key created before.
	mu   sync.RWMutex
	ring Keyring

	rotating sync.Mutex // one Rotate at a time
}

// NewVault returns a vault over ks with the keys of ring (which it copies). Make one per
// KeyStore and share it: Destroy drops the key from this vault's cache only.
func NewVault(ks KeyStore, ring Keyring) (*Vault, error) {
	if ks == nil {
		return nil, errors.New("sealing: a key store is required")
	}
	if err := ring.Validate(); err != nil {
		return nil, err
	}
	return &Vault{ks: ks, ring: ring.clone(), cache: newKeyCache(defaultKeyCacheSize)}, nil
}

// EnsureCaseKey gives the case a random data key wrapped by the active KEK, unless it has
// one. Concurrent callers race safely: the store keeps the first key and the others get
// ErrKeyExists, which means the key is there. A destroyed case is ErrKeyDestroyed.
func (v *Vault) EnsureCaseKey(ctx context.Context, caseID string) error {
	if err := ValidCaseID(caseID); err != nil {
		return err
	}
	_, err := v.ks.Get(ctx, caseID)
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrKeyNotFound) {
		return err
	}
	dk, err := randomKey()
	if err != nil {
		return err
	}
	defer clear(dk)
	epoch := v.cache.currentEpoch()
	v.mu.RLock()
	wk, err := wrapKey(v.ring, caseID, dk)
	if err == nil {
		err = v.ks.Create(ctx, caseID, wk)
	}
	v.mu.RUnlock()
	switch {
	case errors.Is(err, ErrKeyExists):
		return nil
	case err != nil:
		return fmt.Errorf("sealing: create key of case %s: %w", caseID, err)
	}
	v.cache.putIfCurrent(caseID, dk, epoch)
	return nil
}

// Seal encrypts plaintext (an event's personal sub-object) with the case's data key and
// returns the sealed form that replaces it in the event's data. The case must have a key
// (EnsureCaseKey): ErrKeyNotFound otherwise, ErrKeyDestroyed after erasure.
func (v *Vault) Seal(ctx context.Context, caseID, eventID string, schemaVersion int, plaintext []byte) (json.RawMessage, error) {
	if eventID == "" {
		return nil, errors.New("sealing: seal: an event id is required")
	}
	aead, err := v.caseAEAD(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("sealing: seal event %s: %w", eventID, err)
	}
	nonce, ct, err := sealWith(aead, plaintext, dataAAD(caseID, eventID, schemaVersion))
	if err != nil {
		return nil, err
	}
	return encodeSealed(nonce, ct)
}

// Open authenticates and decrypts a sealed personal sub-object of event eventID (schema
// version schemaVersion) of case caseID. ErrKeyDestroyed after erasure (whatever sealed
// holds); ErrTampered if authentication fails: changed bytes, or a ciphertext moved to
// another case, event or schema version; ErrKeyNotFound if the case never had a key;
// ErrUnknownKEK if its key is wrapped under a KEK the keyring lacks.
func (v *Vault) Open(ctx context.Context, caseID, eventID string, schemaVersion int, sealed json.RawMessage) ([]byte, error) {
	aead, err := v.caseAEAD(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("sealing: open event %s: %w", eventID, err)
	}
	s, err := decodeSealed(sealed)
	if err != nil {
		return nil, fmt.Errorf("sealing: open event %s of case %s: %w", eventID, caseID, err)
	}
	pt, err := openWith(aead, s.N, s.C, dataAAD(caseID, eventID, schemaVersion))
	if err != nil {
		return nil, fmt.Errorf("sealing: open event %s of case %s: %w", eventID, caseID, err)
	}
	return pt, nil
}

// Destroy erases the case's key (KeyStore.Destroy: unrecoverable from the store's files)
// and drops any cached copy. From then on Open of its data is ErrKeyDestroyed.
// Idempotent.
func (v *Vault) Destroy(ctx context.Context, caseID string) error {
	if err := ValidCaseID(caseID); err != nil {
		return err
	}
	err := v.ks.Destroy(ctx, caseID)
	v.cache.remove(caseID) // also on error: never keep a key we meant to destroy
	if err != nil {
		return fmt.Errorf("sealing: destroy key of case %s: %w", caseID, err)
	}
	return nil
}

// Forget drops any cached copy of the case's data key, leaving the key store as it is:
// another replica destroyed the key, and this one must not keep it in memory.
func (v *Vault) Forget(caseID string) { v.cache.remove(caseID) }

// Rotate rewraps every live case key under ring.Active and switches the vault to ring.
// Data keys (and so sealed data) do not change. While it runs the vault uses ring plus
// the KEKs of its current ring, so keys wrapped under either open; keys created meanwhile
// are wrapped under ring.Active. On success the vault holds exactly ring: the old KEKs may
// then be dropped from the configuration. A key that cannot be rewrapped (unknown KEK,
// tampered record) does not stop the others; the errors are joined, the vault keeps the
// merged ring, and Rotate can be run again (keys already under ring.Active are skipped).
// Cases destroyed meanwhile are skipped. rewrapped counts the keys rewrapped by this call.
func (v *Vault) Rotate(ctx context.Context, ring Keyring) (rewrapped int, err error) {
	if err := ring.Validate(); err != nil {
		return 0, err
	}
	v.rotating.Lock()
	defer v.rotating.Unlock()

	v.mu.Lock()
	merged, err := mergeRings(v.ring, ring)
	if err == nil {
		v.ring = merged
	}
	v.mu.Unlock()
	if err != nil {
		return 0, err
	}

	ids, err := v.ks.CaseIDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("sealing: rotate: list cases: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return rewrapped, errors.Join(append(errs, err)...)
		}
		done, err := v.rewrap(ctx, merged, ring, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("sealing: rotate case %s: %w", id, err))
		} else if done {
			rewrapped++
		}
	}
	if len(errs) > 0 {
		return rewrapped, errors.Join(errs...)
	}
	v.mu.Lock()
	v.ring = ring.clone()
	v.mu.Unlock()
	return rewrapped, nil
}

// rewrap moves one case's key under next.Active, unwrapping with merged.
func (v *Vault) rewrap(ctx context.Context, merged, next Keyring, caseID string) (bool, error) {
	wk, err := v.ks.Get(ctx, caseID)
	if errors.Is(err, ErrKeyDestroyed) || errors.Is(err, ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if wk.KEKID == next.Active {
		return false, nil
	}
	dk, err := unwrapKey(merged, caseID, wk)
	if err != nil {
		return false, err
	}
	defer clear(dk)
	nwk, err := wrapKey(next, caseID, dk)
	if err != nil {
		return false, err
	}
	err = v.ks.Replace(ctx, caseID, nwk)
	if errors.Is(err, ErrKeyDestroyed) || errors.Is(err, ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// caseAEAD returns AES-GCM under the case's data key: the cached one, or one made
// from the key fetched (and cached) now.
func (v *Vault) caseAEAD(ctx context.Context, caseID string) (cipher.AEAD, error) {
	if err := ValidCaseID(caseID); err != nil {
		return nil, err
	}
	if aead, ok := v.cache.aead(caseID); ok {
		return aead, nil
	}
	dk, err := v.dataKey(ctx, caseID)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	return newGCM(dk)
}

// dataKey returns a copy of the case's unwrapped data key (the caller clears it).
func (v *Vault) dataKey(ctx context.Context, caseID string) ([]byte, error) {
	if err := ValidCaseID(caseID); err != nil {
		return nil, err
	}
	if dk, ok := v.cache.get(caseID); ok {
		return dk, nil
	}
	epoch := v.cache.currentEpoch()
	wk, err := v.ks.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	v.mu.RLock()
	ring := v.ring
	v.mu.RUnlock()
	dk, err := unwrapKey(ring, caseID, wk)
	if err != nil {
		return nil, err
	}
	v.cache.putIfCurrent(caseID, dk, epoch)
	return dk, nil
}
