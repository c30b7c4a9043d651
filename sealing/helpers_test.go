package sealing

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// openStore opens a JetStream key store in dir, closed when the test ends.
func openStore(t *testing.T, dir string) KeyStore {
	t.Helper()
	ks, err := OpenJetStreamKeyStore(context.Background(), dir, quietLogger())
	if err != nil {
		t.Fatalf("open key store: %v", err)
	}
	t.Cleanup(func() { _ = ks.Close() })
	return ks
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newRing(t *testing.T, id string) Keyring {
	t.Helper()
	r, err := GenerateKeyring(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newVault(t *testing.T, ks KeyStore, ring Keyring) *Vault {
	t.Helper()
	v, err := NewVault(ks, ring)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// encodings returns secret and the textual forms it could be stored in, so a scan is
// not fooled by the bytes having been base64- or hex-encoded.
func encodings(secret []byte) map[string][]byte {
	return map[string][]byte{
		"raw":       secret,
		"base64":    []byte(base64.StdEncoding.EncodeToString(secret)),
		"base64raw": []byte(base64.RawStdEncoding.EncodeToString(secret)),
		"base64url": []byte(base64.RawURLEncoding.EncodeToString(secret)),
		"hex":       []byte(hex.EncodeToString(secret)),
	}
}

// filesContaining walks every regular file under dir and returns those holding secret
// in any of its encodings (file: encoding).
func filesContaining(t *testing.T, dir string, secret []byte) []string {
	t.Helper()
	needles := encodings(secret)
	var found []string
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for enc, n := range needles {
			if bytes.Contains(data, n) {
				rel, _ := filepath.Rel(dir, path)
				found = append(found, rel+": "+enc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", dir, err)
	}
	if files == 0 {
		t.Fatalf("scan %s: no files at all", dir)
	}
	return found
}

// assertAbsent fails if any file under dir holds secret.
func assertAbsent(t *testing.T, dir, what string, secret []byte) {
	t.Helper()
	if found := filesContaining(t, dir, secret); len(found) > 0 {
		t.Errorf("%s still on disk: %v", what, found)
	}
}

// assertPresent fails unless some file under dir holds secret raw: the positive control
// that shows the scan can see what it looks for.
func assertPresent(t *testing.T, dir, what string, secret []byte) {
	t.Helper()
	for _, f := range filesContaining(t, dir, secret) {
		if strings.HasSuffix(f, ": raw") {
			return
		}
	}
	t.Fatalf("%s not found on disk before deletion: the scan would prove nothing", what)
}
