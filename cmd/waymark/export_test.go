package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// The case of node/testdata/datadir-v1 with the most events (40).
const v1Case = "000000f1-0000-7000-8000-000000000017"

// exportWorld is a copy of the data directory the hardening release wrote, with a
// checkpoint signed by an audit key, and that key's public half in a file.
type exportWorld struct {
	dir, keyFile string
	priv         ed25519.PrivateKey
}

func newExportWorld(t *testing.T, sign func(w *exportWorld)) *exportWorld {
	t.Helper()
	w := &exportWorld{dir: t.TempDir(), keyFile: filepath.Join(t.TempDir(), "audit.pub.pem")}
	if err := os.CopyFS(w.dir, os.DirFS("../../node/testdata/datadir-v1")); err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	w.priv = priv
	if err := auth.WritePublicKey(w.keyFile, auth.VerifyingKey{ID: "audit-1", Public: pub}); err != nil {
		t.Fatal(err)
	}
	if sign == nil {
		return w
	}
	sign(w)
	return w
}

// signed has a world's own audit key sign a checkpoint.
func signed(t *testing.T) func(w *exportWorld) {
	return func(w *exportWorld) { w.checkpoint(t, w.priv) }
}

// checkpoint signs and stores the next checkpoint with key, the way a server does.
func (w *exportWorld) checkpoint(t *testing.T, key ed25519.PrivateKey) {
	t.Helper()
	ctx := context.Background()
	store, err := jetstream.Open(ctx, jetstream.Config{DataDir: w.dir, Sync: jetstream.SyncInterval, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	access, err := jsaccesslog.Open(ctx, store.Conn(), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	signer := &audit.Signer{Store: store, AccessLog: access, KeyID: "audit-1", Key: key, Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }}
	if _, _, err := signer.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
}

func (w *exportWorld) export(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := export(context.Background(), append([]string{"--data-dir", w.dir, "--sync", "interval"}, args...), &out, quietLogger())
	return out.String(), err
}

func verifyBundleFile(path string, args ...string) (string, error) {
	var out bytes.Buffer
	err := verify(context.Background(), append([]string{"--bundle", path}, args...), &out, quietLogger())
	return out.String(), err
}

// rewriteMember writes a copy of a bundle with one member's bytes changed by edit.
func rewriteMember(t *testing.T, src, name string, edit func([]byte) []byte) string {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	tr, tw := tar.NewReader(f), tar.NewWriter(&buf)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		if hdr.Name == name {
			data = edit(data)
		}
		hdr.Size = int64(len(data))
		tw.WriteHeader(hdr)
		tw.Write(data)
	}
	tw.Close()
	out := filepath.Join(t.TempDir(), "edited.tar")
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// export --case writes a bundle (offline here: no server owns the directory) that
// verify --bundle checks with nothing but the file and the pinned key; every
// tampering and every bad input is one sentence and a non-zero exit, and changes
// nothing.
func TestExportAndVerifyBundle(t *testing.T) {
	w := newExportWorld(t, signed(t))
	file := filepath.Join(t.TempDir(), "case.bundle")
	out, err := w.export(t, "--case", v1Case, "--out", file, "--audit-pub", w.keyFile)
	if err != nil || !strings.Contains(out, "audit bundle of case "+v1Case) || !strings.Contains(out, "made by this command") {
		t.Fatalf("export: %q, %v", out, err)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the bundle file: %v, %v", st.Mode(), err)
	}
	out, err = verifyBundleFile(file, "--key", w.keyFile)
	if err != nil || !strings.Contains(out, "40 events") || !strings.Contains(out, "40 events covered") || !strings.Contains(out, "is the pinned one") {
		t.Fatalf("verify --bundle: %q, %v", out, err)
	}
	// The bundle is checked with nothing else: the data directory may be gone.
	if err := os.RemoveAll(w.dir); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyBundleFile(file, "--key", w.keyFile); err != nil {
		t.Errorf("verify --bundle without the data directory: %v", err)
	}

	otherKey := filepath.Join(t.TempDir(), "other.pub.pem")
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	if err := auth.WritePublicKey(otherKey, auth.VerifyingKey{ID: "audit-1", Public: otherPub}); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(t.TempDir(), "truncated.bundle")
	data, _ := os.ReadFile(file)
	os.WriteFile(truncated, data[:700], 0o600)
	corrupt := filepath.Join(t.TempDir(), "corrupt.bundle")
	os.WriteFile(corrupt, append([]byte("garbage!"), data[8:]...), 0o600)
	editedManifest := rewriteMember(t, file, "manifest.json", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"revision": 39`), []byte(`"revision": 38`), 1)
	})
	editedEvent := rewriteMember(t, file, "events.ndjson", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"schemaVersion":1`), []byte(`"schemaVersion":2`), 1)
	})
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr error
		want    string
	}{
		{"another key", []string{file, "--key", otherKey}, errBroken, "does not verify with the pinned audit key"},
		{"no key", []string{file}, errUsage, "needs --key"},
		{"truncated", []string{truncated, "--key", w.keyFile}, errBroken, "truncated"},
		{"corrupt", []string{corrupt, "--key", w.keyFile}, errBroken, "cannot be read"},
		{"edited manifest", []string{editedManifest, "--key", w.keyFile}, errBroken, "the manifest does not match the bundle"},
		{"edited event", []string{editedEvent, "--key", w.keyFile}, errBroken, "events.ndjson"},
		{"with --case", []string{file, "--key", w.keyFile, "--case", v1Case}, errUsage, "on its own"},
		{"missing file", []string{filepath.Join(t.TempDir(), "none"), "--key", w.keyFile}, nil, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := verifyBundleFile(tc.args[0], tc.args[1:]...)
			if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, %v\nwant %v with %q", out, err, tc.wantErr, tc.want)
			}
			t.Logf("%s: %v", tc.name, err)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("not one sentence: %q", err)
			}
		})
	}
}

// A checkpoint made with another key (someone with write access signing a history of
// their own) is named by verify --bundle.
func TestExportedBundleWithAForgedCheckpoint(t *testing.T) {
	w := newExportWorld(t, nil)
	_, forged, _ := ed25519.GenerateKey(rand.Reader)
	w.checkpoint(t, forged)
	file := filepath.Join(t.TempDir(), "case.bundle")
	if _, err := w.export(t, "--case", v1Case, "--out", file); err != nil {
		t.Fatal(err)
	}
	_, err := verifyBundleFile(file, "--key", w.keyFile)
	if !errors.Is(err, errBroken) || !strings.Contains(err.Error(), "checkpoint 1") || !strings.Contains(err.Error(), "signature") {
		t.Errorf("a checkpoint signed by another key: %v", err)
	}
}

// Bad input to export: one sentence, a non-zero exit, no file written.
func TestExportRefusesBadInput(t *testing.T) {
	w := newExportWorld(t, signed(t))
	existing := filepath.Join(t.TempDir(), "there")
	os.WriteFile(existing, []byte("keep me"), 0o600)
	none := filepath.Join(t.TempDir(), "out")
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr error
		want    string
	}{
		{"no case", []string{"--out", none}, errUsage, "--case ID and --out FILE"},
		{"no out", []string{"--case", v1Case}, errUsage, "--case ID and --out FILE"},
		{"request without for-survivor", []string{"--case", v1Case, "--out", none, "--request", "r"}, errUsage, "--for-survivor"},
		{"unknown case", []string{"--case", "no-such-case", "--out", none}, nil, `no case "no-such-case"`},
		{"existing file", []string{"--case", v1Case, "--out", existing}, nil, "never overwrites"},
		{"not a key", []string{"--case", v1Case, "--out", none, "--audit-pub", existing}, nil, "not one Ed25519 public key"},
		{"survivor without a request", []string{"--case", v1Case, "--out", none, "--for-survivor"}, nil, "no subject-access request recorded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.export(t, tc.args...)
			if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %v with %q", err, tc.wantErr, tc.want)
			}
			if _, err := os.Stat(none); err == nil {
				t.Error("a refused export left a file")
			}
		})
	}
	if got, _ := os.ReadFile(existing); string(got) != "keep me" {
		t.Errorf("the existing file was changed: %q", got)
	}
}
