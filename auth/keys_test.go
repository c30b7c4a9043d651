package auth

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateSigningKey(t *testing.T) {
	t.Parallel()
	a, b := newKey(t, "k1"), newKey(t, "k1")
	if len(a.Private) != ed25519.PrivateKeySize {
		t.Fatalf("private key is %d bytes", len(a.Private))
	}
	if a.Private.Equal(b.Private) {
		t.Fatal("two generated keys are equal")
	}
	pub := a.Public()
	if pub.ID != "k1" || !pub.Public.Equal(a.Private.Public()) {
		t.Fatalf("Public() = %+v", pub)
	}
}

func TestGenerateSigningKeyRejectsBadIDs(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", "has space", "a:b", "new\nline", "../x", strings.Repeat("a", 65)} {
		if _, err := GenerateSigningKey(id); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("GenerateSigningKey(%q) err = %v, want ErrInvalidKey", id, err)
		}
	}
	if _, err := GenerateSigningKey("waymark-2026.03_a"); err != nil {
		t.Errorf("valid id refused: %v", err)
	}
}

func TestSigningKeyNeverFormatsPrivateKey(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	secret := hex.EncodeToString(k.Private.Seed())
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "k", k)
	for _, s := range []string{
		fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %x", k, k, k, k, k), logged.String(),
	} {
		if strings.Contains(s, secret) || strings.Contains(s, fmt.Sprint([]byte(k.Private))) || strings.Contains(s, hex.EncodeToString(k.Private)) {
			t.Fatalf("private key leaked in %q", s)
		}
		if !strings.Contains(s, "k1") {
			t.Fatalf("key id missing from %q", s)
		}
	}
}

func TestSigningKeyFileRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "k1.pem")
	k := newKey(t, "k1")
	if err := WriteSigningKey(path, k); err != nil {
		t.Fatalf("WriteSigningKey: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("signing key file mode = %o, want 600", perm)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "-----BEGIN PRIVATE KEY-----") || !strings.Contains(string(data), "Key-Id: k1") {
		t.Errorf("unexpected file:\n%s", data)
	}
	got, err := ReadSigningKey(path)
	if err != nil {
		t.Fatalf("ReadSigningKey: %v", err)
	}
	if got.ID != k.ID || !got.Private.Equal(k.Private) {
		t.Fatalf("read %v, wrote %v", got, k)
	}
}

func TestWriteSigningKeyRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "k1.pem")
	first, second := newKey(t, "k1"), newKey(t, "k2")
	if err := WriteSigningKey(path, first); err != nil {
		t.Fatal(err)
	}
	err := WriteSigningKey(path, second)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second write err = %v, want fs.ErrExist", err)
	}
	got, err := ReadSigningKey(path)
	if err != nil || got.ID != "k1" || !got.Private.Equal(first.Private) {
		t.Fatalf("file changed by refused write: %v, %v", got, err)
	}
	if err := WritePublicKey(path, second.Public()); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("WritePublicKey over existing file err = %v, want fs.ErrExist", err)
	}
}

func TestPublicKeyFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, k2 := newKey(t, "k1"), newKey(t, "k2")
	for _, k := range []SigningKey{k1, k2} {
		if err := WritePublicKey(filepath.Join(dir, k.ID+PublicKeySuffix), k.Public()); err != nil {
			t.Fatalf("WritePublicKey: %v", err)
		}
	}
	info, _ := os.Stat(filepath.Join(dir, "k1"+PublicKeySuffix))
	if perm := info.Mode().Perm(); perm != 0o644 {
		t.Errorf("public key file mode = %o, want 644", perm)
	}
	// Files a directory read must skip: a private key and an unrelated file.
	if err := WriteSigningKey(filepath.Join(dir, "k1.pem"), k1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("not a key"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A single file given by path, also found in the directory: kept once.
	single := filepath.Join(t.TempDir(), "k3.pem")
	k3 := newKey(t, "k3")
	if err := WritePublicKey(single, k3.Public()); err != nil {
		t.Fatal(err)
	}

	got, err := ReadPublicKeys(dir, single, filepath.Join(dir, "k2"+PublicKeySuffix))
	if err != nil {
		t.Fatalf("ReadPublicKeys: %v", err)
	}
	want := []VerifyingKey{k1.Public(), k2.Public(), k3.Public()}
	if len(got) != len(want) {
		t.Fatalf("got %d keys, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].ID != want[i].ID || !got[i].Public.Equal(want[i].Public) {
			t.Errorf("key %d = %s, want %s", i, got[i].ID, want[i].ID)
		}
	}
}

func TestReadPublicKeysRejects(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1 := newKey(t, "k1")
	privPath := filepath.Join(dir, "k1.pem")
	if err := WriteSigningKey(privPath, k1); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := WritePublicKey(filepath.Join(other, "a"+PublicKeySuffix), k1.Public()); err != nil {
		t.Fatal(err)
	}
	impostor := newKey(t, "k1") // same id, different key
	if err := WritePublicKey(filepath.Join(other, "b"+PublicKeySuffix), impostor.Public()); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.pub.pem")
	if err := os.WriteFile(garbage, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}

	for name, paths := range map[string][]string{
		"private key file":       {privPath},
		"two keys under one id":  {other},
		"not PEM":                {garbage},
		"directory with no keys": {t.TempDir()},
		"nothing given":          nil,
	} {
		if _, err := ReadPublicKeys(paths...); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: err = %v, want ErrInvalidKey", name, err)
		}
	}
	if _, err := ReadPublicKeys(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := ReadSigningKey(filepath.Join(other, "a"+PublicKeySuffix)); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("ReadSigningKey of a public key: err = %v, want ErrInvalidKey", err)
	}
}
