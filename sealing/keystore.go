package sealing

import (
	"context"
	"encoding/binary"
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
)

// maxCaseIDLen bounds a case id: it becomes a NATS subject token.
const maxCaseIDLen = 128

// WrappedKey is a case's data key encrypted (AES-256-GCM) under the KEK KEKID.
type WrappedKey struct {
	KEKID      string
	Nonce      []byte
	Ciphertext []byte // the data key's ciphertext and GCM tag
}

// KeyStore keeps wrapped case keys apart from the events. Implementations are safe for
// concurrent use.
type KeyStore interface {
	// Create stores the case's first key. ErrKeyExists if it has a live one,
	// ErrKeyDestroyed if it was destroyed: a destroyed case never gets a new key.
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
	// Close releases the store.
	Close() error
}

// validCaseID accepts 1–128 characters of [A-Za-z0-9_-] (UUIDs and the like): a case id
// becomes a NATS subject token and part of every associated-data encoding.
func validCaseID(id string) error {
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

// The stored record of a wrapped key is binary, not JSON or base64, so that a scan of the
// store's files for the raw ciphertext bytes finds them exactly where they are:
//
//	"WK" 0x01 | uvarint len(KEKID) | KEKID | uvarint len(Nonce) | Nonce | Ciphertext
const recordVersion = 1

var recordMagic = [3]byte{'W', 'K', recordVersion}

// encodeRecord returns the stored form of k.
func encodeRecord(k WrappedKey) []byte {
	b := make([]byte, 0, len(recordMagic)+2*binary.MaxVarintLen16+len(k.KEKID)+len(k.Nonce)+len(k.Ciphertext))
	b = append(b, recordMagic[:]...)
	b = binary.AppendUvarint(b, uint64(len(k.KEKID)))
	b = append(b, k.KEKID...)
	b = binary.AppendUvarint(b, uint64(len(k.Nonce)))
	b = append(b, k.Nonce...)
	return append(b, k.Ciphertext...)
}

// decodeRecord parses a stored record; a malformed one is ErrTampered.
func decodeRecord(b []byte) (WrappedKey, error) {
	bad := func(what string) (WrappedKey, error) {
		return WrappedKey{}, fmt.Errorf("%w: stored key record: %s", ErrTampered, what)
	}
	if len(b) < len(recordMagic) || [3]byte(b[:3]) != recordMagic {
		return bad("unknown format")
	}
	b = b[len(recordMagic):]
	field := func() ([]byte, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, false
		}
		f := b[w : w+int(n)]
		b = b[w+int(n):]
		return f, true
	}
	id, ok := field()
	if !ok {
		return bad("truncated KEK id")
	}
	nonce, ok := field()
	if !ok {
		return bad("truncated nonce")
	}
	return WrappedKey{KEKID: string(id), Nonce: clone(nonce), Ciphertext: clone(b)}, nil
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
