package jskeys

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/sealing"
)

// openStore opens a JetStream key store in dir, closed when the test ends.
func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	ks, err := Open(context.Background(), dir, quietLogger())
	if err != nil {
		t.Fatalf("open key store: %v", err)
	}
	t.Cleanup(func() { _ = ks.Close() })
	return ks
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newRing(t *testing.T, id string) sealing.Keyring {
	t.Helper()
	r, err := sealing.GenerateKeyring(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newVault(t *testing.T, ks sealing.KeyStore, ring sealing.Keyring) *sealing.Vault {
	t.Helper()
	v, err := sealing.NewVault(ks, ring)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// keyAAD is the associated data of a wrapped key as sealing/wrap.go documents it:
//
//	"waymark/sealing/key/v1" 0x00 | u32 len(caseID) | caseID | u32 len(kekID) | kekID
//
// written out here, apart from sealing's own code, so that these tests can unwrap the
// data keys they scan the disk for (and so check the documented format too).
func keyAAD(caseID, kekID string) []byte {
	b := append([]byte("waymark/sealing/key/v1"), 0)
	b = binary.BigEndian.AppendUint32(b, uint32(len(caseID)))
	b = append(b, caseID...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(kekID)))
	return append(b, kekID...)
}

func gcm(t *testing.T, key []byte) cipher.AEAD {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return aead
}

// unwrap returns the data key inside wk, as a Vault would unwrap it.
func unwrap(t *testing.T, ring sealing.Keyring, caseID string, wk sealing.WrappedKey) []byte {
	t.Helper()
	dk, err := gcm(t, ring.KEKs[wk.KEKID]).Open(nil, wk.Nonce, wk.Ciphertext, keyAAD(caseID, wk.KEKID))
	if err != nil {
		t.Fatalf("unwrap the key of %s: %v", caseID, err)
	}
	return dk
}

// wrap wraps dataKey for caseID under the ring's active KEK, as a Vault would.
func wrap(t *testing.T, ring sealing.Keyring, caseID string, dataKey []byte) sealing.WrappedKey {
	t.Helper()
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	ct := gcm(t, ring.KEKs[ring.Active]).Seal(nil, nonce, dataKey, keyAAD(caseID, ring.Active))
	return sealing.WrappedKey{KEKID: ring.Active, Nonce: nonce, Ciphertext: ct}
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
