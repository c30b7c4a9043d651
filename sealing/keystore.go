package sealing

import (
	"context"
	"errors"
	"fmt"
)

// Errors callers branch on. Each is wrapped with detail; test with errors.Is.
var (
	// ErrKeyNotFound: the case has no data key (never had one).
	ErrKeyNotFound = errors.New("sealing: case key not found")
	// ErrKeyExists: Create found a live key for the case already.
	ErrKeyExists = errors.New("sealing: case key already exists")
	// ErrKeyDestroyed: the case's key was destroyed (survivor data erased); its sealed
	// data can never be opened again and it never gets a new key.
	ErrKeyDestroyed = errors.New("sealing: case key destroyed")
	// ErrTampered: authentication failed. The ciphertext, its nonce or its wrapped key
	// was changed, or it was moved to another case, event or schema version.
	ErrTampered = errors.New("sealing: sealed data failed authentication")
	// ErrUnknownKEK: a key is wrapped under a KEK the keyring does not hold.
	ErrUnknownKEK = errors.New("sealing: unknown key-encryption key")
	// ErrKeyStoreClosed is returned by a KeyStore's methods after Close.
	ErrKeyStoreClosed = errors.New("sealing: key store closed")
	// ErrKeyStoreUnavailable: the key store did not answer in time or has no leader
	// for the moment; the call may be tried again shortly.
	ErrKeyStoreUnavailable = errors.New("sealing: key store unavailable")
)

// maxCaseIDLen bounds a case id: it becomes a subject token or a file name in a key
// store, and part of every associated-data encoding.
const maxCaseIDLen = 128

// WrappedKey is a case's data key encrypted (AES-256-GCM) under the KEK KEKID.
type WrappedKey struct {
	KEKID      string
	Nonce      []byte
	Ciphertext []byte // the data key's ciphertext and GCM tag
}

// KeyStore keeps wrapped case keys apart from the events. Implementations are safe for
// concurrent use, never share a WrappedKey's bytes with their caller (what Get returns
// is the caller's to change), and pass sealing/keystoretest, the contract below as
// tests. The default one, on its own embedded NATS server, is sealing/jskeys;
// NewMemKeyStore keeps keys in memory for tests.
type KeyStore interface {
	// Create stores the case's first key. ErrKeyExists if it has a live one,
	// ErrKeyDestroyed if it was destroyed: a destroyed case never gets a new key.
	// Concurrent Creates of one case: exactly one succeeds.
	Create(ctx context.Context, caseID string, k WrappedKey) error
	// Get returns the case's key: ErrKeyNotFound if it has none, ErrKeyDestroyed after
	// Destroy.
	Get(ctx context.Context, caseID string) (WrappedKey, error)
	// Replace stores a rewrapped key (rotation), then securely deletes the old bytes.
	// ErrKeyNotFound or ErrKeyDestroyed as Get.
	Replace(ctx context.Context, caseID string, k WrappedKey) error
	// Destroy deletes the case's key so that its bytes can no longer be recovered from
	// the store's files, and remembers the case as destroyed. Idempotent; destroying a
	// case that never had a key also bars it from ever getting one.
	Destroy(ctx context.Context, caseID string) error
	// CaseIDs lists the cases with a live key, sorted.
	CaseIDs(ctx context.Context) ([]string, error)
	// Close releases the store; every method after it is ErrKeyStoreClosed.
	Close() error
}

// ValidCaseID accepts 1–128 characters of [A-Za-z0-9_-] (UUIDs and the like): a case
// id becomes a subject token in a key store and part of every associated-data
// encoding. Key stores refuse other ids with its error.
func ValidCaseID(id string) error {
	if id == "" || len(id) > maxCaseIDLen {
		return fmt.Errorf("sealing: case id %q: want 1 to %d characters", id, maxCaseIDLen)
	}
	for _, r := range id {
		if !isIDRune(r) {
			return fmt.Errorf("sealing: case id %q: only letters, digits, '-' and '_'", id)
		}
	}
	return nil
}

// CheckWrite is what a key store checks before it stores k for caseID (Create,
// Replace): a valid case id, a valid KEK id, a GCM nonce and at least a GCM tag of
// ciphertext. Anything else was never made by a Vault.
func CheckWrite(caseID string, k WrappedKey) error {
	if err := ValidCaseID(caseID); err != nil {
		return err
	}
	if err := validKEKID(k.KEKID); err != nil {
		return err
	}
	if len(k.Nonce) != gcmNonceSize || len(k.Ciphertext) < gcmTagSize {
		return fmt.Errorf("sealing: case %s: malformed wrapped key", caseID)
	}
	return nil
}

// Clone returns a copy of k that shares no bytes with it.
func (k WrappedKey) Clone() WrappedKey {
	return WrappedKey{KEKID: k.KEKID, Nonce: clone(k.Nonce), Ciphertext: clone(k.Ciphertext)}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
