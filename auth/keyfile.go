package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Key files are PEM. The private key is a PKCS#8 "PRIVATE KEY" block, the public key
// a PKIX "PUBLIC KEY" block; both carry the key id in a "Key-Id" PEM header.
const (
	pemPrivateType = "PRIVATE KEY"
	pemPublicType  = "PUBLIC KEY"
	pemKeyIDHeader = "Key-Id"

	// PublicKeySuffix names the public key files ReadPublicKeys picks up from a
	// directory.
	PublicKeySuffix = ".pub.pem"
)

// WriteSigningKey writes k to a new file at path, mode 0600. It refuses to
// overwrite an existing file (O_EXCL), so a key in use is never replaced by mistake.
func WriteSigningKey(path string, k SigningKey) error {
	if err := k.check(); err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return fmt.Errorf("encode signing key %q: %w", k.ID, err)
	}
	block := &pem.Block{Type: pemPrivateType, Headers: map[string]string{pemKeyIDHeader: k.ID}, Bytes: der}
	return writeNewFile(path, pem.EncodeToMemory(block), 0o600)
}

// ReadSigningKey reads a signing key written by WriteSigningKey.
func ReadSigningKey(path string) (SigningKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return SigningKey{}, fmt.Errorf("read signing key: %w", err)
	}
	blocks, err := decodePEM(data, pemPrivateType)
	if err != nil {
		return SigningKey{}, fmt.Errorf("signing key %s: %w", path, err)
	}
	if len(blocks) != 1 {
		return SigningKey{}, fmt.Errorf("%w: %s holds %d private keys, want 1", ErrInvalidKey, path, len(blocks))
	}
	parsed, err := x509.ParsePKCS8PrivateKey(blocks[0].Bytes)
	if err != nil {
		// The parser's message names no key bytes, but keep it out all the same.
		return SigningKey{}, fmt.Errorf("%w: %s is not a PKCS#8 private key", ErrInvalidKey, path)
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return SigningKey{}, fmt.Errorf("%w: %s is not an Ed25519 private key", ErrInvalidKey, path)
	}
	k := SigningKey{ID: blocks[0].Headers[pemKeyIDHeader], Private: priv}
	if err := k.check(); err != nil {
		return SigningKey{}, fmt.Errorf("signing key %s: %w", path, err)
	}
	return k, nil
}

// WritePublicKey writes k to a new file at path, mode 0644. Like WriteSigningKey it
// refuses to overwrite an existing file: replacing a trusted public key silently
// would change who can sign tokens. Name it <id>.pub.pem so that ReadPublicKeys
// finds it in a directory.
func WritePublicKey(path string, k VerifyingKey) error {
	if err := k.check(); err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public)
	if err != nil {
		return fmt.Errorf("encode public key %q: %w", k.ID, err)
	}
	block := &pem.Block{Type: pemPublicType, Headers: map[string]string{pemKeyIDHeader: k.ID}, Bytes: der}
	return writeNewFile(path, pem.EncodeToMemory(block), 0o644)
}

// ReadPublicKeys reads public keys from each path: a file (which may hold several
// "PUBLIC KEY" blocks) or a directory, of which it reads every *.pub.pem file (not
// recursively). It fails if nothing is found, if a file is malformed, or if two
// different keys share an id; the same key found twice is kept once.
func ReadPublicKeys(paths ...string) ([]VerifyingKey, error) {
	var keys []VerifyingKey
	seen := map[string]ed25519.PublicKey{}
	for _, p := range paths {
		files, err := publicKeyFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			found, err := readPublicKeyFile(f)
			if err != nil {
				return nil, err
			}
			for _, k := range found {
				if prev, dup := seen[k.ID]; dup {
					if !prev.Equal(k.Public) {
						return nil, fmt.Errorf("%w: two different public keys have id %q (second in %s)", ErrInvalidKey, k.ID, f)
					}
					continue
				}
				seen[k.ID] = k.Public
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no public keys found in %s", ErrInvalidKey, strings.Join(paths, ", "))
	}
	return keys, nil
}

// publicKeyFiles expands p to itself if it is a file, or to its *.pub.pem files in
// name order if it is a directory.
func publicKeyFiles(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read public keys: %w", err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, fmt.Errorf("read public keys: %w", err)
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), PublicKeySuffix) {
			files = append(files, filepath.Join(p, e.Name()))
		}
	}
	return files, nil
}

func readPublicKeyFile(path string) ([]VerifyingKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	blocks, err := decodePEM(data, pemPublicType)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", path, err)
	}
	keys := make([]VerifyingKey, 0, len(blocks))
	for _, b := range blocks {
		parsed, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: not a PKIX public key", ErrInvalidKey, path)
		}
		pub, ok := parsed.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: %s: not an Ed25519 public key", ErrInvalidKey, path)
		}
		k := VerifyingKey{ID: b.Headers[pemKeyIDHeader], Public: pub}
		if err := k.check(); err != nil {
			return nil, fmt.Errorf("public key %s: %w", path, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// decodePEM returns every PEM block in data, each of type want. Anything but
// whitespace after the last block is an error, so a damaged file is not half read.
func decodePEM(data []byte, want string) ([]*pem.Block, error) {
	var blocks []*pem.Block
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != want {
			return nil, fmt.Errorf("%w: PEM block is %q, want %q", ErrInvalidKey, b.Type, want)
		}
		blocks = append(blocks, b)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: data outside PEM blocks", ErrInvalidKey)
	}
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%w: no PEM block", ErrInvalidKey)
	}
	return blocks, nil
}

// writeNewFile creates path (failing if it exists), writes data, syncs and closes;
// on any failure it removes what it created.
func writeNewFile(path string, data []byte, perm os.FileMode) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("refusing to overwrite key file: %w", err)
		}
		return fmt.Errorf("write key file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync key file %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("close key file %s: %w", path, err)
	}
	return nil
}
