package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
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

// waymark verify on a copy of the data directory the hardening release wrote (the
// original is never opened: it must never be rewritten): its chains verify; with a
// checkpoint file signed by the pinned key they agree; with one signed by another key
// the command fails with a sentence, exit status 1.
func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../node/testdata/datadir-v1")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out bytes.Buffer
	if err := verify(ctx, []string{"--all", "--data-dir", dir, "--sync", "interval"}, &out, quietLogger()); err != nil {
		t.Fatalf("verify --all: %v", err)
	}
	if !strings.Contains(out.String(), "verified:") || !strings.Contains(out.String(), "no --key") {
		t.Errorf("verify --all said %q", out.String())
	}

	// Sign a checkpoint of it with an audit key, export it, and verify against it.
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	checkpointFile := func(key ed25519.PrivateKey) string {
		store, err := jetstream.Open(ctx, jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		access, err := jsaccesslog.Open(ctx, store.Conn(), nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		signer := &audit.Signer{Store: store, AccessLog: access, KeyID: "audit-1", Key: key, Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }}
		c, _, err := signer.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		line, _ := json.Marshal(c)
		path := filepath.Join(t.TempDir(), "checkpoints.jsonl")
		if err := os.WriteFile(path, append(line, '\n'), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	keyFile := filepath.Join(t.TempDir(), "audit.pub.pem")
	if err := auth.WritePublicKey(keyFile, auth.VerifyingKey{ID: "audit-1", Public: pub}); err != nil {
		t.Fatal(err)
	}
	good := checkpointFile(priv)
	out.Reset()
	if err := verify(ctx, []string{"--all", "--data-dir", dir, "--sync", "interval", "--checkpoints", good, "--key", keyFile}, &out, quietLogger()); err != nil {
		t.Fatalf("verify against a good checkpoint: %v", err)
	}
	if !strings.Contains(out.String(), "1 checkpoints agree") {
		t.Errorf("verify said %q", out.String())
	}

	// The same checkpoint signed by someone else's key.
	_, forged, _ := ed25519.GenerateKey(rand.Reader)
	cps, err := readCheckpoints(good)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(audit.Sign(cps[0], "audit-1", forged))
	bad := filepath.Join(t.TempDir(), "forged.jsonl")
	if err := os.WriteFile(bad, line, 0o600); err != nil {
		t.Fatal(err)
	}
	err = verify(ctx, []string{"--all", "--data-dir", dir, "--sync", "interval", "--checkpoints", bad, "--key", keyFile}, &out, quietLogger())
	if !errors.Is(err, errBroken) || !strings.Contains(err.Error(), "signature") {
		t.Errorf("a checkpoint of another key: %v", err)
	}
	for _, args := range [][]string{{"--data-dir", dir}, {"--all", "--case", "x", "--data-dir", dir}} {
		if err := verify(ctx, args, &out, quietLogger()); !errors.Is(err, errUsage) {
			t.Errorf("verify %v: %v, want a usage error", args, err)
		}
	}
	if err := verify(ctx, []string{"--case", "no-such-case", "--data-dir", dir, "--sync", "interval"}, &out, quietLogger()); err == nil || !strings.Contains(err.Error(), "no case") {
		t.Errorf("an unknown case: %v", err)
	}
}
