package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
)

// maxKeyIDLen bounds a key id; it travels in every token header and names files.
const maxKeyIDLen = 64

// SigningKey is an Ed25519 private key and the id ("kid") that tokens signed with it
// carry, so verifiers can pick the matching public key during rotation.
//
// SigningKey formats and logs as its id only: the private key never reaches a log
// line or an error message through fmt or log/slog.
type SigningKey struct {
	ID      string
	Private ed25519.PrivateKey
}

// VerifyingKey is the public half of a SigningKey, under the same id.
type VerifyingKey struct {
	ID     string
	Public ed25519.PublicKey
}

// GenerateSigningKey draws a new Ed25519 key from crypto/rand under the given id.
// An id is 1–64 characters from [A-Za-z0-9._-].
func GenerateSigningKey(id string) (SigningKey, error) {
	if err := checkKeyID(id); err != nil {
		return SigningKey{}, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SigningKey{}, fmt.Errorf("generate signing key %q: %w", id, err)
	}
	return SigningKey{ID: id, Private: priv}, nil
}

// Public returns the verifying half of k. A SigningKey without a well-formed private
// key yields a VerifyingKey with a nil Public, which verifies nothing.
func (k SigningKey) Public() VerifyingKey {
	if len(k.Private) != ed25519.PrivateKeySize {
		return VerifyingKey{ID: k.ID}
	}
	return VerifyingKey{ID: k.ID, Public: k.Private.Public().(ed25519.PublicKey)}
}

// String shows the key id only.
func (k SigningKey) String() string { return fmt.Sprintf("SigningKey(%s)", k.ID) }

// GoString keeps %#v from printing the private key.
func (k SigningKey) GoString() string { return k.String() }

// LogValue keeps log/slog from printing the private key.
func (k SigningKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// check reports whether k is usable for signing.
func (k SigningKey) check() error {
	if err := checkKeyID(k.ID); err != nil {
		return err
	}
	if len(k.Private) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: signing key %q is not an Ed25519 private key", ErrInvalidKey, k.ID)
	}
	return nil
}

// check reports whether k is usable for verifying.
func (k VerifyingKey) check() error {
	if err := checkKeyID(k.ID); err != nil {
		return err
	}
	if len(k.Public) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: verifying key %q is not an Ed25519 public key", ErrInvalidKey, k.ID)
	}
	return nil
}

// checkKeyID accepts 1–64 characters from [A-Za-z0-9._-]: safe in a JWT header, a
// PEM header and a file name.
func checkKeyID(id string) error {
	if id == "" || len(id) > maxKeyIDLen {
		return fmt.Errorf("%w: key id must be 1-%d characters", ErrInvalidKey, maxKeyIDLen)
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '.' || r == '_' || r == '-'
		if !ok {
			return fmt.Errorf("%w: key id %q may hold only letters, digits, '.', '_' and '-'", ErrInvalidKey, id)
		}
	}
	return nil
}
