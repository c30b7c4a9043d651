package sealing

import (
	"context"
	"crypto/cipher"
	"encoding/json"
	"fmt"
)

// KeyScanner is implemented by key stores that can read every live key in one pass:
// far cheaper than one Get per case when every case's key is wanted at once (a read
// model opening each case's blind index at start took one key-store round trip a case).
type KeyScanner interface {
	// ScanKeys returns the wrapped key of every case with a live key (never one of a
	// destroyed case), by case id. The map is the caller's.
	ScanKeys(ctx context.Context) (map[string]WrappedKey, error)
}

// KeySet opens sealed data of many cases with keys read from the key store in one
// pass (Vault.Preload): it holds them wrapped, and unwraps a case's key only to open
// its data, clearing it after. A case it does not hold (one created since, or a key
// store that cannot scan) is opened by the vault as usual, which also tells a
// destroyed case from one that never had a key. Drop it once done: a key destroyed
// after the scan is still in it.
type KeySet struct {
	v       *Vault
	wrapped map[string]WrappedKey
	// keks is AES-GCM under each KEK of the vault's ring when the set was read,
	// made once: making it for every case was a third of opening its blind index.
	keks map[string]cipher.AEAD
}

// Preload reads every live case key from the vault's key store in one pass, if it
// can scan (KeyScanner); otherwise the set opens everything through the vault.
func (v *Vault) Preload(ctx context.Context) (*KeySet, error) {
	ks := &KeySet{v: v}
	scanner, ok := v.ks.(KeyScanner)
	if !ok {
		return ks, nil
	}
	wrapped, err := scanner.ScanKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("sealing: read every case key: %w", err)
	}
	v.mu.RLock()
	ring := v.ring
	v.mu.RUnlock()
	ks.keks = make(map[string]cipher.AEAD, len(ring.KEKs))
	for id, kek := range ring.KEKs {
		aead, err := newGCM(kek)
		if err != nil {
			return nil, fmt.Errorf("sealing: KEK %q: %w", id, err)
		}
		ks.keks[id] = aead
	}
	ks.wrapped = wrapped
	return ks, nil
}

// Len returns how many case keys the set holds.
func (s *KeySet) Len() int { return len(s.wrapped) }

// Open is Vault.Open with the case's key from the set.
func (s *KeySet) Open(ctx context.Context, caseID, eventID string, schemaVersion int, sealed json.RawMessage) ([]byte, error) {
	wk, ok := s.wrapped[caseID]
	kek, known := s.keks[wk.KEKID]
	if !ok || !known { // a case it lacks, or a key under a KEK it lacks: the vault says why
		return s.v.Open(ctx, caseID, eventID, schemaVersion, sealed)
	}
	if err := ValidCaseID(caseID); err != nil {
		return nil, err
	}
	dk, err := unwrapWith(kek, caseID, wk)
	if err != nil {
		return nil, fmt.Errorf("sealing: open event %s: %w", eventID, err)
	}
	defer clear(dk)
	aead, err := newGCM(dk)
	if err != nil {
		return nil, err
	}
	so, err := decodeSealed(sealed)
	if err != nil {
		return nil, fmt.Errorf("sealing: open event %s of case %s: %w", eventID, caseID, err)
	}
	pt, err := openWith(aead, so.N, so.C, dataAAD(caseID, eventID, schemaVersion))
	if err != nil {
		return nil, fmt.Errorf("sealing: open event %s of case %s: %w", eventID, caseID, err)
	}
	return pt, nil
}
