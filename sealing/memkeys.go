package sealing

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// MemKeyStore is a KeyStore in memory, for tests of the code above the key store (the
// vault, the application): it keeps the same contract as the default store
// (sealing/keystoretest) with nothing on disk. Never use it for real data: a restart
// loses every key, which erases every case.
type MemKeyStore struct {
	mu        sync.Mutex
	keys      map[string]WrappedKey
	destroyed map[string]bool
	closed    bool
}

var _ KeyStore = (*MemKeyStore)(nil)

// NewMemKeyStore returns an empty in-memory key store.
func NewMemKeyStore() *MemKeyStore {
	return &MemKeyStore{keys: map[string]WrappedKey{}, destroyed: map[string]bool{}}
}

// Create stores the case's first key.
func (s *MemKeyStore) Create(_ context.Context, caseID string, k WrappedKey) error {
	if err := CheckWrite(caseID, k); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(caseID); err != nil {
		return err
	}
	if _, ok := s.keys[caseID]; ok {
		return fmt.Errorf("case %s: %w", caseID, ErrKeyExists)
	}
	s.keys[caseID] = k.Clone()
	return nil
}

// Get returns a copy of the case's key.
func (s *MemKeyStore) Get(_ context.Context, caseID string) (WrappedKey, error) {
	if err := ValidCaseID(caseID); err != nil {
		return WrappedKey{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(caseID); err != nil {
		return WrappedKey{}, err
	}
	k, ok := s.keys[caseID]
	if !ok {
		return WrappedKey{}, fmt.Errorf("case %s: %w", caseID, ErrKeyNotFound)
	}
	return k.Clone(), nil
}

// Replace stores a rewrapped key; the old one is zeroed.
func (s *MemKeyStore) Replace(_ context.Context, caseID string, k WrappedKey) error {
	if err := CheckWrite(caseID, k); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(caseID); err != nil {
		return err
	}
	old, ok := s.keys[caseID]
	if !ok {
		return fmt.Errorf("case %s: %w", caseID, ErrKeyNotFound)
	}
	zero(old)
	s.keys[caseID] = k.Clone()
	return nil
}

// Destroy zeroes and drops the case's key and bars the case from getting another.
func (s *MemKeyStore) Destroy(_ context.Context, caseID string) error {
	if err := ValidCaseID(caseID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrKeyStoreClosed
	}
	if k, ok := s.keys[caseID]; ok {
		zero(k)
		delete(s.keys, caseID)
	}
	s.destroyed[caseID] = true
	return nil
}

// CaseIDs lists the cases with a live key, sorted.
func (s *MemKeyStore) CaseIDs(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrKeyStoreClosed
	}
	ids := make([]string, 0, len(s.keys))
	for id := range s.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// Close zeroes every key; the store refuses everything afterwards.
func (s *MemKeyStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		zero(k)
	}
	s.keys, s.closed = nil, true
	return nil
}

// usable is ErrKeyStoreClosed after Close and ErrKeyDestroyed for a destroyed case.
// Called with s.mu held.
func (s *MemKeyStore) usable(caseID string) error {
	if s.closed {
		return ErrKeyStoreClosed
	}
	if s.destroyed[caseID] {
		return fmt.Errorf("case %s: %w", caseID, ErrKeyDestroyed)
	}
	return nil
}

func zero(k WrappedKey) {
	clear(k.Nonce)
	clear(k.Ciphertext)
}

// ScanKeys returns a copy of every live key.
func (s *MemKeyStore) ScanKeys(context.Context) (map[string]WrappedKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrKeyStoreClosed
	}
	out := make(map[string]WrappedKey, len(s.keys))
	for id, k := range s.keys {
		if !s.destroyed[id] {
			out[id] = k.Clone()
		}
	}
	return out, nil
}
