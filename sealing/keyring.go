package sealing

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
)

// KeySize is the size of every key in this package: KEKs, data keys and the index key.
const KeySize = 32

// maxKEKIDLen bounds a KEK id; ids are stored with every wrapped key.
const maxKEKIDLen = 64

// Keyring holds the key-encryption keys (KEKs), each KeySize bytes, by id; Active wraps
// new data keys. IndexKey (KeySize bytes) keys the blind index and never rotates with the
// KEKs (rotating it would orphan every stored index entry).
//
// The stored form (WriteKeyring, EncodeKeyring; read by ReadKeyring, ParseKeyring and
// so WAYMARK_MASTER_KEY) is the JSON
//
//	{"active":"k2","keks":{"k1":"<base64>","k2":"<base64>"},"index_key":"<base64>"}
//
// A Keyring never shows its key bytes elsewhere: not through fmt (%v, %s, %+v, %#v), not
// through slog, not through json.Marshal (MarshalJSON writes ids only, so a keyring
// inside a logged or encoded config struct stays secret).
type Keyring struct {
	Active   string
	KEKs     map[string][]byte
	IndexKey []byte
}

// GenerateKeyring returns a keyring with one fresh KEK, id, active, and a fresh index key.
func GenerateKeyring(id string) (Keyring, error) {
	if err := validKEKID(id); err != nil {
		return Keyring{}, err
	}
	kek, err := randomKey()
	if err != nil {
		return Keyring{}, err
	}
	ik, err := randomKey()
	if err != nil {
		return Keyring{}, err
	}
	return Keyring{Active: id, KEKs: map[string][]byte{id: kek}, IndexKey: ik}, nil
}

// WithNewKEK returns a copy of k with a fresh KEK, id, active. The older KEKs stay, to
// unwrap the keys not yet rewrapped; drop them (delete from KEKs) once Vault.Rotate has
// finished. k itself is not changed.
func (k Keyring) WithNewKEK(id string) (Keyring, error) {
	if err := validKEKID(id); err != nil {
		return Keyring{}, err
	}
	if _, ok := k.KEKs[id]; ok {
		return Keyring{}, fmt.Errorf("sealing: keyring already has a KEK %q", id)
	}
	kek, err := randomKey()
	if err != nil {
		return Keyring{}, err
	}
	out := k.clone()
	out.KEKs[id] = kek
	out.Active = id
	return out, nil
}

// Validate checks that the active KEK exists and that every key has KeySize bytes.
func (k Keyring) Validate() error {
	if k.Active == "" {
		return errors.New("sealing: keyring has no active KEK")
	}
	if _, ok := k.KEKs[k.Active]; !ok {
		return fmt.Errorf("sealing: keyring's active KEK %q is not in the keyring", k.Active)
	}
	for _, id := range slices.Sorted(maps.Keys(k.KEKs)) {
		if err := validKEKID(id); err != nil {
			return err
		}
		if n := len(k.KEKs[id]); n != KeySize {
			return fmt.Errorf("sealing: KEK %q has %d bytes, want %d", id, n, KeySize)
		}
	}
	if n := len(k.IndexKey); n != KeySize {
		return fmt.Errorf("sealing: index key has %d bytes, want %d", n, KeySize)
	}
	for _, id := range slices.Sorted(maps.Keys(k.KEKs)) {
		if string(k.KEKs[id]) == string(k.IndexKey) {
			return fmt.Errorf("sealing: KEK %q is the same as the index key", id)
		}
	}
	return nil
}

// String describes the keyring without its key bytes: "keyring{active=k2, keks=[k1 k2]}".
func (k Keyring) String() string {
	return fmt.Sprintf("keyring{active=%s, keks=[%s]}", k.Active,
		strings.Join(slices.Sorted(maps.Keys(k.KEKs)), " "))
}

// GoString keeps %#v from printing key bytes.
func (k Keyring) GoString() string { return "sealing." + k.String() }

// LogValue keeps slog from printing key bytes.
func (k Keyring) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalJSON writes the ids only, {"active":"k2","keks":["k1","k2"]}: json.Marshal of a
// struct holding a keyring (or slog's JSON handler) must not leak it. Save a keyring with
// WriteKeyring or EncodeKeyring.
func (k Keyring) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Active string   `json:"active"`
		KEKs   []string `json:"keks"`
	}{k.Active, slices.Sorted(maps.Keys(k.KEKs))})
}

// kek returns the KEK with id, or ErrUnknownKEK.
func (k Keyring) kek(id string) ([]byte, error) {
	b, ok := k.KEKs[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKEK, id)
	}
	return b, nil
}

// clone copies k deeply.
func (k Keyring) clone() Keyring {
	out := Keyring{Active: k.Active, KEKs: make(map[string][]byte, len(k.KEKs)+1), IndexKey: slices.Clone(k.IndexKey)}
	for id, b := range k.KEKs {
		out.KEKs[id] = slices.Clone(b)
	}
	return out
}

// mergeRings returns next with the KEKs of prev it lacks, so that keys wrapped under
// either can be unwrapped while a rotation runs. The same id with other bytes, or another
// index key, is an error: it would make data unopenable or orphan the blind index.
func mergeRings(prev, next Keyring) (Keyring, error) {
	if string(prev.IndexKey) != string(next.IndexKey) {
		return Keyring{}, errors.New("sealing: the new keyring has another index key; the index key never rotates")
	}
	out := next.clone()
	for id, b := range prev.KEKs {
		if nb, ok := out.KEKs[id]; ok {
			if string(nb) != string(b) {
				return Keyring{}, fmt.Errorf("sealing: KEK %q has other bytes in the new keyring", id)
			}
			continue
		}
		out.KEKs[id] = slices.Clone(b)
	}
	return out, nil
}

// validKEKID accepts 1–64 characters of [A-Za-z0-9._-].
func validKEKID(id string) error {
	if id == "" || len(id) > maxKEKIDLen {
		return fmt.Errorf("sealing: KEK id %q: want 1 to %d characters", id, maxKEKIDLen)
	}
	for _, r := range id {
		if !isIDRune(r) && r != '.' {
			return fmt.Errorf("sealing: KEK id %q: only letters, digits, '.', '-' and '_'", id)
		}
	}
	return nil
}

func isIDRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// randomKey returns KeySize bytes from crypto/rand.
func randomKey() ([]byte, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("sealing: random key: %w", err)
	}
	return b, nil
}
