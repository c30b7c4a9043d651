package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	njs "github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// keys generate makes the audit key once: its own Ed25519 key (not the token signing
// key), private 0600, audit.pub.pem beside it and not among the token verification
// keys; a second run keeps it, and a directory made before audit keys gets one.
func TestKeysGenerateMakesTheAuditKeyOnce(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := keys(ctx, []string{"generate", "--data-dir", dir}, quietLogger()); err != nil {
		t.Fatal(err)
	}
	sec := secretFlags{}.resolve(dir)
	priv, pubFile := sec.auditKeyFile(), auditPublicKeyFile(sec.auditKeyFile())
	info, err := os.Stat(priv)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("audit key %s: %v, %v; want mode 0600", priv, info, err)
	}
	key, err := auth.ReadSigningKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := auth.ReadPublicKeys(pubFile)
	if err != nil || len(pub) != 1 || !pub[0].Public.Equal(key.Public().Public) {
		t.Fatalf("audit.pub.pem: %v, %v", pub, err)
	}
	signing, err := sec.readSigningKey()
	if err != nil || signing.Private.Equal(key.Private) || !strings.HasPrefix(key.ID, "audit-") {
		t.Errorf("the audit key %s is the token signing key %s, or not an audit key", key.ID, signing.ID)
	}
	tokenKeys, err := auth.ReadPublicKeys(sec.publicKeys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range tokenKeys {
		if k.Public.Equal(key.Public().Public) {
			t.Errorf("the audit key is trusted to sign tokens (%s)", sec.publicKeys)
		}
	}

	before, _ := os.ReadFile(priv)
	if err := keys(ctx, []string{"generate", "--data-dir", dir}, quietLogger()); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(priv); !bytes.Equal(before, after) {
		t.Error("a second keys generate replaced the audit key")
	}

	// A directory from before audit keys: the next keys generate adds one, and
	// keeps every other secret.
	signingBefore, _ := os.ReadFile(sec.signingKey)
	os.Remove(priv)
	os.Remove(pubFile)
	if err := keys(ctx, []string{"generate", "--data-dir", dir}, quietLogger()); err != nil {
		t.Fatal(err)
	}
	again, err := auth.ReadSigningKey(priv)
	if err != nil || again.Private.Equal(key.Private) {
		t.Errorf("no new audit key: %v", err)
	}
	if pub, err := auth.ReadPublicKeys(pubFile); err != nil || !pub[0].Public.Equal(again.Public().Public) {
		t.Errorf("its audit.pub.pem: %v", err)
	}
	if signingAfter, _ := os.ReadFile(sec.signingKey); !bytes.Equal(signingBefore, signingAfter) {
		t.Error("keys generate replaced the token signing key")
	}
}

// A running server signs checkpoints periodically, on demand through the admin socket,
// and at a clean shutdown when anything changed; checkpoint export writes them (from
// the server, or offline) and verify --checkpoints FILE --key audit.pub.pem passes with
// them, through the server and offline, and fails naming the checkpoint under another
// key. Bad input is a sentence and a non-zero exit, and changes nothing.
func TestCheckpointsWhileServing(t *testing.T) {
	dir := seededDemoDir(t) // the demo, seeded once for the package's tests
	sec := secretFlags{}.resolve(dir)
	pub := auditPublicKeyFile(sec.auditKeyFile())

	// Periodic: wait for the server to say it signed one.
	srv := startServer(t, dir, "--checkpoint-interval", "50ms")
	srv.waitLog("why=periodic")
	srv.stop()
	periodic := checkpointsOffline(t, dir)
	if len(periodic) == 0 {
		t.Fatal("no checkpoint stored after a periodic one was logged")
	}

	// On demand, through the server, which alone signs (no periodic one within the
	// test; its shutdown checkpoint comes with periodic ones).
	srv = startServer(t, dir, "--checkpoint-interval", "1h")
	by := fmt.Sprintf("by the server owning %s (PID %d)", dir, srv.pid())
	token := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "caseworker", "--org", "mx-refugio-esperanza"))
	srv.refer(token, "checkpoint-1", "Paloma Punto Ejemplo")
	out := mustRun(t, "checkpoint", "--data-dir", dir)
	if want := fmt.Sprintf("checkpoint %d signed %s", len(periodic)+1, by); !strings.Contains(out, want) {
		t.Fatalf("checkpoint while serving: %q, want %q", out, want)
	}
	if out := mustRun(t, "checkpoint", "--data-dir", dir); !strings.Contains(out, fmt.Sprintf("nothing changed since checkpoint %d: none made %s", len(periodic)+1, by)) {
		t.Errorf("a checkpoint with nothing new: %q", out)
	}

	// Export through the server, and verify against the file through the server.
	file := filepath.Join(t.TempDir(), "checkpoints.jsonl")
	if out := mustRun(t, "checkpoint", "export", "--data-dir", dir, "--out", file); !strings.Contains(out, fmt.Sprintf("exported %d checkpoints from the server owning", len(periodic)+1)) {
		t.Errorf("export: %q", out)
	}
	exported, err := readCheckpoints(file)
	if err != nil || len(exported) != len(periodic)+1 {
		t.Fatalf("exported file: %d checkpoints, %v", len(exported), err)
	}
	out = mustRun(t, "verify", "--all", "--data-dir", dir, "--checkpoints", file, "--key", pub)
	if want := fmt.Sprintf("verified %s: ", by); !strings.Contains(out, want) || !strings.Contains(out, fmt.Sprintf(" %d checkpoints agree", len(exported))) {
		t.Errorf("verify through the server: %q, want %q", out, want)
	}
	if out := mustRun(t, "checkpoint", "export", "--data-dir", dir, "--out", "-"); out != string(mustRead(t, file)) {
		t.Errorf("export to stdout differs from the file:\n%s", out)
	}

	// Checkpoints verified with someone else's key: refused, naming the first.
	otherKey, err := auth.GenerateSigningKey("audit-other")
	if err != nil {
		t.Fatal(err)
	}
	otherPub := filepath.Join(t.TempDir(), "other.pub.pem")
	if err := auth.WritePublicKey(otherPub, otherKey.Public()); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runWaymark(t, childEnv(), "verify", "--all", "--data-dir", dir, "--checkpoints", file, "--key", otherPub)
	if code != 1 || !strings.Contains(stderr, "checkpoint 1 (key") || !strings.Contains(stderr, "does not verify with the pinned audit key") {
		t.Errorf("verify with another key: exit %d\n%s", code, stderr)
	}

	// Bad input: a sentence, a non-zero exit, nothing changed.
	before := mustRead(t, file)
	missingDir := filepath.Join(t.TempDir(), "missing")
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"unknown case":           {[]string{"verify", "--case", "no-such-case", "--key", pub}, `no case "no-such-case" in ` + dir},
		"unreadable checkpoints": {[]string{"verify", "--all", "--checkpoints", filepath.Join(missingDir, "cps.jsonl"), "--key", pub}, "checkpoints: open"},
		"not checkpoints":        {[]string{"verify", "--all", "--checkpoints", pub, "--key", pub}, "line 1: not a checkpoint"},
		"out in a missing dir":   {[]string{"checkpoint", "export", "--out", filepath.Join(missingDir, "cps.jsonl")}, "does not exist: nothing exported"},
		"out exists":             {[]string{"checkpoint", "export", "--out", file}, "already exists: nothing exported (--force replaces it)"},
		"no out":                 {[]string{"checkpoint", "export"}, "needs --out FILE"},
	} {
		_, stderr, code := runWaymark(t, childEnv(), append(c.args, "--data-dir", dir)...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, want a non-zero exit saying %q:\n%s", name, code, c.want, stderr)
		}
	}
	if !bytes.Equal(before, mustRead(t, file)) {
		t.Error("a refused export changed the file")
	}
	if _, err := os.Stat(missingDir); err == nil {
		t.Error("an export into a missing directory made it")
	}
	if stored := exportServing(t, dir); len(stored) != len(exported) {
		t.Errorf("bad input changed the checkpoints: %d, then %d", len(exported), len(stored))
	}

	// At a clean shutdown, a last checkpoint covers what changed since.
	srv.refer(token, "checkpoint-2", "Paloma Cierre Ejemplo")
	srv.stop()
	if !strings.Contains(srv.stderr.String(), "why=shutdown") {
		t.Errorf("no checkpoint at shutdown:\n%s", srv.stderr.String())
	}

	// Offline: export (replacing the file), verify, a checkpoint with nothing new.
	out = mustRun(t, "checkpoint", "export", "--data-dir", dir, "--out", file, "--force")
	if want := fmt.Sprintf("exported %d checkpoints to %s", len(exported)+1, file); !strings.Contains(out, want) {
		t.Errorf("offline export: %q, want %q", out, want)
	}
	out = mustRun(t, "verify", "--all", "--data-dir", dir, "--sync", "interval", "--checkpoints", file, "--key", pub)
	if !strings.HasPrefix(out, "verified: ") || !strings.Contains(out, fmt.Sprintf(" %d checkpoints agree", len(exported)+1)) {
		t.Errorf("offline verify: %q", out)
	}
	if out := mustRun(t, "checkpoint", "--data-dir", dir, "--sync", "interval"); !strings.HasPrefix(out, fmt.Sprintf("nothing changed since checkpoint %d: none made\n", len(exported)+1)) {
		t.Errorf("offline checkpoint: %q", out)
	}

	// With --checkpoint-interval 0 the operator signs on demand only: a stop reads no
	// uncovered history.
	srv = startServer(t, dir, "--checkpoint-interval", "0")
	srv.refer(token, "checkpoint-3", "Paloma Sin Firma Ejemplo")
	srv.stop()
	if strings.Contains(srv.stderr.String(), "why=shutdown") {
		t.Errorf("a checkpoint at shutdown with --checkpoint-interval 0:\n%s", srv.stderr.String())
	}
}

// verify while a server owns the data directory asks that server, which verifies its
// own store: a stream rewritten behind the store's back is reported (stream, revision,
// expected and found hash) with exit status 1, as offline.
func TestVerifyThroughServerReportsTampering(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "keys", "generate", "--data-dir", dir)
	func() { // written straight through the store, then one event changed
		store, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		for i := range 3 {
			_, err := store.Append(t.Context(), "note-tamper", eventstore.Any, eventstore.EventData{
				ID: uuid.Must(uuid.NewV7()).String(), Type: "Noted", SchemaVersion: 1, Data: []byte(fmt.Sprintf(`{"n":%d,"text":"abcdef"}`, i)),
				Metadata: eventstore.Metadata{Actor: "u", Role: "caseworker", RecordedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		rewriteMessage(t, store.Conn(), "waymark.events.note-tamper", 1, func(data []byte) []byte {
			return bytes.Replace(data, []byte("abcdef"), []byte("ABCDEF"), 1) // same length: the frame still reads
		})
	}()
	srv := startServer(t, dir)
	for _, args := range [][]string{{"verify", "--all", "--data-dir", dir}, {"verify", "--all", "--data-dir", dir, "--sync", "interval"}} {
		_, stderr, code := runWaymark(t, childEnv(), args...)
		if code != 1 || !strings.Contains(stderr, "verification failed") || !strings.Contains(stderr, "note-tamper revision 2: does not link to the event before it") ||
			!strings.Contains(stderr, "(expected ") || !strings.Contains(stderr, ", found ") {
			t.Errorf("verify a rewritten stream: exit %d\n%s", code, stderr)
		}
		if srv != nil {
			if want := fmt.Sprintf("by the server owning %s (PID %d)", dir, srv.pid()); !strings.Contains(stderr, want) {
				t.Errorf("verify did not go through the server (%q):\n%s", want, stderr)
			}
			srv.stop()
			srv = nil // the second run: offline, the same report
		}
	}
}

// rewriteMessage changes the index-th message of subject the way someone with the
// server's credentials could (the stream denies deletes): copy the stream out, delete
// it, and write it again with that message changed, it and the subject's later ones
// written last (in their order: the revisions stay in sequence).
func rewriteMessage(t *testing.T, conn *nats.Conn, subject string, index int, edit func([]byte) []byte) {
	t.Helper()
	ctx := t.Context()
	js, err := njs.New(conn)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, jetstream.DefaultStreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keep, moved []*njs.RawStreamMsg
	seen := 0
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject == subject {
			seen++
			if seen == index+1 {
				m.Data = edit(m.Data)
			}
			if seen > index {
				moved = append(moved, m)
				continue
			}
		}
		keep = append(keep, m)
	}
	if err := js.DeleteStream(ctx, jetstream.DefaultStreamName); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, info.Config); err != nil {
		t.Fatal(err)
	}
	for _, m := range append(keep, moved...) {
		msg := nats.NewMsg(m.Subject)
		msg.Data = m.Data
		for k, v := range m.Header {
			if !strings.HasPrefix(k, "Nats-") {
				msg.Header[k] = v
			}
		}
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
}

// waitLog waits until the server has logged want (a condition, not a time).
func (s *server) waitLog(want string) {
	s.t.Helper()
	for deadline := time.Now().Add(waitLong); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(s.stderr.String(), want) {
			return
		}
		if s.exited() {
			break
		}
	}
	s.t.Fatalf("waymark serve never logged %q; stderr:\n%s", want, s.stderr.String())
}

// checkpointsOffline and exportServing export the stored checkpoints to a file and read it.
func checkpointsOffline(t *testing.T, dir string) []audit.Checkpoint {
	t.Helper()
	return exportTo(t, "checkpoint", "export", "--data-dir", dir, "--sync", "interval")
}

func exportServing(t *testing.T, dir string) []audit.Checkpoint {
	t.Helper()
	return exportTo(t, "checkpoint", "export", "--data-dir", dir)
}

func exportTo(t *testing.T, args ...string) []audit.Checkpoint {
	t.Helper()
	file := filepath.Join(t.TempDir(), "checkpoints.jsonl")
	mustRun(t, append(args, "--out", file)...)
	cps, err := readCheckpoints(file)
	if err != nil {
		t.Fatal(err)
	}
	return cps
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A negative --checkpoint-interval is a usage error before serve touches anything.
func TestNegativeCheckpointInterval(t *testing.T) {
	dir := t.TempDir()
	err := run(context.Background(), []string{"serve", "--checkpoint-interval", "-1s", "--data-dir", dir}, quietLogger())
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "want 0 (off) or more") {
		t.Errorf("serve --checkpoint-interval -1s: %v, want a usage error", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused serve wrote %d entries into the data directory", len(entries))
	}
}
