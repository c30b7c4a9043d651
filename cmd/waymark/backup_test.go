package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/internal/datadir"
	"github.com/waymark-org/waymark/sealing/erasurelog"
)

// The sequence issue 15 asks for, on real embedded stores and the real binary: a
// backup taken while serving (through the admin socket, with the keys), a case erased
// after it, then restores into new empty data directories. Restored with the key
// store kept apart (and its erasure ledger), and again with the backup's own keys
// restored (the ledger given), the case stays erased — no personal data, its key
// destroyed again — while another case's data is intact, and verify passes. A damaged
// backup, a data directory that is not empty and one that is locked are refused, and
// nothing is changed.
func TestBackupEraseRestore(t *testing.T) {
	root := t.TempDir()
	keys, secrets := filepath.Join(root, "keys"), filepath.Join(root, "secrets")
	at := func(dataDir, keysDir, secretsDir string) []string {
		return []string{"--data-dir", dataDir, "--keys-dir", keysDir, "--secrets-dir", secretsDir}
	}
	original := filepath.Join(root, "d1")
	mustRun(t, append([]string{"keys", "generate"}, at(original, keys, secrets)...)...)
	srv := startServer(t, original, "--keys-dir", keys, "--secrets-dir", secrets)
	admin := mintTokenWith(t, secrets, "admin", "")
	registerShelter(t, admin, srv) // its staff's tokens are accepted from now on
	token := mintTokenWith(t, secrets, "caseworker", "mx-refugio-esperanza")
	erased, _ := srv.refer(token, "backup-erased", "Adela Borrada Ejemplo")
	kept, _ := srv.refer(token, "backup-kept", "Berta Guardada Ejemplo")
	mustRun(t, append([]string{"checkpoint"}, at(original, keys, secrets)...)...) // a signed checkpoint in the backup

	b1 := filepath.Join(root, "b1")
	stdout, stderr, code := runWaymark(t, childEnv(), append([]string{"backup", "--to", b1, "--include-keys"}, at(original, keys, secrets)...)...)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("by the server owning %s (PID %d)", original, srv.pid())) ||
		!strings.Contains(stderr, "whoever has it can read every survivor's personal data") {
		t.Fatalf("backup while serving: exit %d\n%s\n%s", code, stdout, stderr)
	}
	srv.erase(token, erased)
	srv.stop()
	ledger, err := erasurelog.Read(erasurelog.Path(keys))
	if err != nil || len(ledger) != 1 || ledger[0].CaseID != erased {
		t.Fatalf("erasure ledger after the erasure: %+v %v", ledger, err)
	}

	// With no server running, the command takes the backup itself; without the keys.
	offline := filepath.Join(root, "b-offline")
	out := mustRun(t, append([]string{"backup", "--to", offline}, at(original, keys, secrets)...)...)
	if !strings.Contains(out, "by waymark backup, owning "+original) || !strings.Contains(out, "without the keys") {
		t.Errorf("backup with no server running:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(offline, "keys")); !os.IsNotExist(err) {
		t.Errorf("a backup without --include-keys holds keys: %v", err)
	}

	// Refusals first, each changing nothing.
	damaged := filepath.Join(root, "b2")
	if err := os.CopyFS(damaged, os.DirFS(b1)); err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(damaged, "streams", "WAYMARK.snap")
	raw, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 0xff
	if err := os.WriteFile(snap, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(root, "d2")
	refused := func(why, want string, args ...string) {
		t.Helper()
		_, stderr, code := runWaymark(t, childEnv(), append([]string{"restore"}, args...)...)
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("restore %s: exit %d, want a refusal saying %q:\n%s", why, code, want, stderr)
		}
	}
	refused("of a damaged backup", "does not match the manifest's SHA-256", append([]string{"--from", damaged}, at(target, keys, secrets)...)...)
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("a refused restore made %s: %v", target, err)
	}
	refused("into a data directory that is not empty", "is not empty", append([]string{"--from", b1}, at(original, keys, secrets)...)...)
	locked := filepath.Join(root, "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	lock, err := datadir.Acquire(locked, "test")
	if err != nil {
		t.Fatal(err)
	}
	refused("into a locked data directory", "is locked by PID", append([]string{"--from", b1}, at(locked, keys, secrets)...)...)
	lock.Release()
	if entries, _ := os.ReadDir(locked); len(entries) != 1 {
		t.Errorf("a refused restore wrote into %s: %v", locked, entries)
	}
	refused("of the keys without the erasure ledger", "--erasure-ledger FILE",
		append([]string{"--from", b1, "--include-keys"}, at(filepath.Join(root, "d3"), filepath.Join(root, "k3"), filepath.Join(root, "s3"))...)...)

	// Restored beside the key store and ledger that outlived the backup.
	out = mustRun(t, append([]string{"restore", "--from", b1}, at(target, keys, secrets)...)...)
	for _, want := range []string{"1 erased again (erased after the backup was taken)", "verified after the restore", "1 checkpoints agree"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore output lacks %q:\n%s", want, out)
		}
	}
	srv = startServer(t, target, "--keys-dir", keys, "--secrets-dir", secrets)
	srv.checkErased(token, erased, kept, "Berta Guardada Ejemplo")
	out = mustRun(t, append([]string{"verify", "--all", "--key", filepath.Join(secrets, auditPubKeyName)}, at(target, keys, secrets)...)...)
	if !strings.Contains(out, "verified by the server owning") {
		t.Errorf("verify on the restored store: %s", out)
	}
	srv.stop()

	// Restored with the backup's own keys, which hold the erased case's key again: the
	// ledger destroys it again.
	d3, k3, s3 := filepath.Join(root, "d3"), filepath.Join(root, "k3"), filepath.Join(root, "s3")
	out = mustRun(t, append([]string{"restore", "--from", b1, "--include-keys", "--erasure-ledger", erasurelog.Path(keys)}, at(d3, k3, s3)...)...)
	if !strings.Contains(out, "1 erased again") || !strings.Contains(out, "verified after the restore") {
		t.Errorf("restore with the keys:\n%s", out)
	}
	if copied, err := erasurelog.Read(erasurelog.Path(k3)); err != nil || len(copied) != 1 {
		t.Errorf("the ledger beside the restored key store: %+v %v", copied, err)
	}
	srv = startServer(t, d3, "--keys-dir", k3, "--secrets-dir", s3)
	srv.checkErased(token, erased, kept, "Berta Guardada Ejemplo") // the token: the restored signing key is the same
	srv.stop()
}

// mintTokenWith signs a token with the signing key in secretsDir.
func mintTokenWith(t *testing.T, secretsDir, role, org string) string {
	t.Helper()
	key, err := auth.ReadSigningKey(filepath.Join(secretsDir, "signing.key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := auth.Issuer{Key: key, Issuer: tokenIssuer, Audience: tokenAudience}.Issue("test-"+role+"-"+org, org, role, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// erase erases a case's survivor data.
func (s *server) erase(token, caseID string) {
	s.t.Helper()
	q := fmt.Sprintf(`mutation { eraseSurvivorData(input: {commandId: "erase-%s", caseId: %q, reasonCode: SURVIVOR_REQUEST}) { caseId } }`, caseID, caseID)
	var reply struct {
		Data struct{ EraseSurvivorData struct{ CaseID string } }
	}
	if status, body := s.gql(token, q, &reply); status != 200 || reply.Data.EraseSurvivorData.CaseID != caseID {
		s.t.Fatalf("erase %s: %d %s", caseID, status, body)
	}
}

// checkErased reads two cases' identities: erased shows as erased with no personal
// data, kept opens to name.
func (s *server) checkErased(token, erased, kept, name string) {
	s.t.Helper()
	var reply struct {
		Data struct {
			Erased, Kept struct {
				Identity struct {
					Erased   bool
					FullName *string
				}
			}
		}
		Errors []any
	}
	q := fmt.Sprintf(`{ erased: case(id: %q) { identity { erased fullName } } kept: case(id: %q) { identity { erased fullName } } }`, erased, kept)
	if status, body := s.gql(token, q, &reply); status != 200 || len(reply.Errors) > 0 {
		s.t.Fatalf("read the cases: %d %s", status, body)
	}
	if id := reply.Data.Erased.Identity; !id.Erased || id.FullName != nil {
		s.t.Errorf("the case erased after the backup, restored: erased %v, full name %v", id.Erased, *id.FullName)
	}
	if id := reply.Data.Kept.Identity; id.Erased || id.FullName == nil || *id.FullName != name {
		s.t.Errorf("the other case, restored: %+v", id)
	}
}
