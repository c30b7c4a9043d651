package sealing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
)

// Associated data. Every AES-GCM operation authenticates a fixed binary encoding of what
// the ciphertext belongs to, so a ciphertext moved anywhere else fails to open.
// Strings are length-prefixed (big-endian uint32), so no two tuples share an encoding.
//
// Wrapping a data key (KEK → data key):
//
//	"waymark/sealing/key/v1" 0x00 | u32 len(caseID) | caseID | u32 len(kekID) | kekID
//
// Sealing a personal sub-object (data key → plaintext):
//
//	"waymark/sealing/data/v1" 0x00 | u32 len(caseID) | caseID | u32 len(eventID) | eventID
//	  | u64 schemaVersion (big-endian, two's complement)
const (
	keyAADLabel  = "waymark/sealing/key/v1"
	dataAADLabel = "waymark/sealing/data/v1"
)

// keyAAD binds a wrapped data key to its case and its KEK id.
func keyAAD(caseID, kekID string) []byte {
	b := make([]byte, 0, len(keyAADLabel)+1+8+len(caseID)+len(kekID))
	b = append(append(b, keyAADLabel...), 0)
	b = appendString(b, caseID)
	return appendString(b, kekID)
}

// dataAAD binds a sealed personal sub-object to its case, event and schema version.
func dataAAD(caseID, eventID string, schemaVersion int) []byte {
	b := make([]byte, 0, len(dataAADLabel)+1+16+len(caseID)+len(eventID))
	b = append(append(b, dataAADLabel...), 0)
	b = appendString(b, caseID)
	b = appendString(b, eventID)
	return binary.BigEndian.AppendUint64(b, uint64(int64(schemaVersion)))
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// newGCM returns AES-256-GCM with the standard 12-byte nonce and 16-byte tag.
func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealing: key has %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts plaintext under key with a fresh random nonce from crypto/rand.
func seal(key, plaintext, aad []byte) (nonce, ciphertext []byte, err error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, nil, err
	}
	return sealWith(aead, plaintext, aad)
}

// sealWith encrypts plaintext with aead under a fresh random nonce from crypto/rand.
func sealWith(aead cipher.AEAD, plaintext, aad []byte) (nonce, ciphertext []byte, err error) {
	nonce = make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, fmt.Errorf("sealing: random nonce: %w", err)
	}
	return nonce, aead.Seal(nil, nonce, plaintext, aad), nil
}

// open decrypts and authenticates; any failure is ErrTampered.
func open(key, nonce, ciphertext, aad []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return openWith(aead, nonce, ciphertext, aad)
}

// openWith decrypts and authenticates with aead; any failure is ErrTampered.
func openWith(aead cipher.AEAD, nonce, ciphertext, aad []byte) ([]byte, error) {
	if len(nonce) != aead.NonceSize() || len(ciphertext) < aead.Overhead() {
		return nil, fmt.Errorf("%w: bad nonce or ciphertext length", ErrTampered)
	}
	pt, err := aead.Open(nil, nonce, ciphertext, aad)
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}

// wrapKey encrypts a data key for caseID under the ring's active KEK.
func wrapKey(ring Keyring, caseID string, dataKey []byte) (WrappedKey, error) {
	kek, err := ring.kek(ring.Active)
	if err != nil {
		return WrappedKey{}, err
	}
	nonce, ct, err := seal(kek, dataKey, keyAAD(caseID, ring.Active))
	if err != nil {
		return WrappedKey{}, err
	}
	return WrappedKey{KEKID: ring.Active, Nonce: nonce, Ciphertext: ct}, nil
}

// unwrapKey decrypts caseID's data key: ErrUnknownKEK if the ring lacks its KEK,
// ErrTampered if it does not authenticate (changed, or another case's key).
func unwrapKey(ring Keyring, caseID string, k WrappedKey) ([]byte, error) {
	kek, err := ring.kek(k.KEKID)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", caseID, err)
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	return unwrapWith(aead, caseID, k)
}

// unwrapWith is unwrapKey with AES-GCM under k's KEK already made.
func unwrapWith(kek cipher.AEAD, caseID string, k WrappedKey) ([]byte, error) {
	dk, err := openWith(kek, k.Nonce, k.Ciphertext, keyAAD(caseID, k.KEKID))
	if err != nil {
		return nil, fmt.Errorf("case %s: wrapped key: %w", caseID, err)
	}
	if len(dk) != KeySize {
		clear(dk)
		return nil, fmt.Errorf("case %s: wrapped key: %w: data key has %d bytes", caseID, ErrTampered, len(dk))
	}
	return dk, nil
}
