package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/sealing"
)

// refer refers a survivor for the demo shelter and returns the case id and position.
func (s *server) refer(token, commandID, fullName string) (caseID, position string) {
	s.t.Helper()
	var reply struct {
		Data struct {
			ReferSurvivor struct{ CaseID, Position string }
		}
	}
	q := fmt.Sprintf(`mutation { referSurvivor(input: {commandId: %q, referringOrganisationId: "mx-refugio-esperanza",
		jurisdiction: "MX", needs: [BANK_ACCOUNT], barriers: [NO_ID], survivor: {fullName: %q, dateOfBirth: "1994-05-17"}}) { caseId position } }`,
		commandID, fullName)
	if status, body := s.gql(token, q, &reply); status != 200 || reply.Data.ReferSurvivor.CaseID == "" {
		s.t.Fatalf("refer %s: %d %s", commandID, status, body)
	}
	return reply.Data.ReferSurvivor.CaseID, reply.Data.ReferSurvivor.Position
}

// survivorName reads a case's identity (decrypting it with the case key).
func (s *server) survivorName(token, caseID, minPosition string) string {
	s.t.Helper()
	var reply struct {
		Data struct {
			Case struct{ Identity struct{ FullName string } }
		}
		Errors []any
	}
	q := fmt.Sprintf(`{ case(id: %q, minPosition: %q) { identity { fullName } } }`, caseID, minPosition)
	if status, body := s.gql(token, q, &reply); status != 200 || len(reply.Errors) > 0 {
		s.t.Fatalf("read case %s: %d %s", caseID, status, body)
	}
	return reply.Data.Case.Identity.FullName
}

// openEveryIdentity reads the identity of every case token's holder sees and fails
// on any that does not open; it returns how many opened.
func (s *server) openEveryIdentity(token string) int {
	s.t.Helper()
	opened, after := 0, ""
	for {
		var reply struct {
			Data struct {
				Cases struct {
					Edges []struct {
						Node struct {
							ID       string
							Identity struct {
								Erased   bool
								FullName string
							}
						}
					}
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			Errors []any
		}
		q := fmt.Sprintf(`{ cases(first: 100, after: %q) { edges { node { id identity { erased fullName } } } pageInfo { hasNextPage endCursor } } }`, after)
		if status, body := s.gql(token, q, &reply); status != 200 || len(reply.Errors) > 0 {
			s.t.Fatalf("read every case: %d %s", status, body)
		}
		for _, e := range reply.Data.Cases.Edges {
			if !e.Node.Identity.Erased && e.Node.Identity.FullName == "" {
				s.t.Errorf("case %s: identity does not open", e.Node.ID)
			}
			opened++
		}
		if !reply.Data.Cases.PageInfo.HasNextPage {
			return opened
		}
		after = reply.Data.Cases.PageInfo.EndCursor
	}
}

// keys rotate while a server owns the data directory goes through its admin socket:
// the server rotates its own vault (before, a second process rewrapped the keys
// behind the server's back, and every case key written afterwards was lost). New
// referrals work afterwards, and after a restart with the old key-encryption key
// dropped, every case — old and new — still opens its personal data.
func TestKeysRotateWhileServing(t *testing.T) {
	dir := seededDemoDir(t) // the demo, seeded once for the package's tests
	srv := startServer(t, dir)
	token := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "caseworker", "--org", "mx-refugio-esperanza"))
	before, beforePos := srv.refer(token, "rotate-before", "Paloma Antes Ejemplo")

	sec := secretFlags{}.resolve(dir)
	old, err := sealing.ReadKeyring(sec.masterKey)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "keys", "rotate", "--data-dir", dir)
	if want := fmt.Sprintf("rotated by the server owning %s (PID %d)", dir, srv.pid()); !strings.Contains(out, want) {
		t.Fatalf("keys rotate did not go through the server: %q, want %q", out, want)
	}
	ring, err := sealing.ReadKeyring(sec.masterKey)
	if err != nil {
		t.Fatal(err)
	}
	if ring.Active == old.Active || len(ring.KEKs) != 2 {
		t.Fatalf("keyring after rotation: %s (was %s)", ring, old)
	}
	if !strings.Contains(out, ring.Active) {
		t.Errorf("keys rotate output %q does not name the new key %s", out, ring.Active)
	}

	after, afterPos := srv.refer(token, "rotate-after", "Renata Despues Ejemplo")
	if got := srv.survivorName(token, before, beforePos); got != "Paloma Antes Ejemplo" {
		t.Errorf("case referred before the rotation: %q", got)
	}
	if got := srv.survivorName(token, after, afterPos); got != "Renata Despues Ejemplo" {
		t.Errorf("case referred after the rotation: %q", got)
	}
	srv.stop()

	// Only the new key-encryption key: every case key must have been rewrapped under it,
	// including the ones made while the server ran.
	ring.KEKs = map[string][]byte{ring.Active: ring.KEKs[ring.Active]}
	if err := sealing.WriteKeyring(sec.masterKey, ring); err != nil {
		t.Fatal(err)
	}
	srv = startServer(t, dir)
	if got := srv.survivorName(token, before, beforePos); got != "Paloma Antes Ejemplo" {
		t.Errorf("after a restart, the case referred before the rotation: %q", got)
	}
	if got := srv.survivorName(token, after, afterPos); got != "Renata Despues Ejemplo" {
		t.Errorf("after a restart, the case referred after the rotation: %q", got)
	}
	if n := srv.openEveryIdentity(token); n < 3 {
		t.Errorf("only %d cases of the demo shelter", n)
	}
	srv.stop()
}

// A keyring given in WAYMARK_MASTER_KEY cannot be rewritten, so neither the server
// nor the offline command rotates it; each says why.
func TestKeysRotateRefusesAKeyringFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "keys", "generate", "--data-dir", dir)
	sec := secretFlags{}.resolve(dir)
	ring, err := sealing.ReadKeyring(sec.masterKey)
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := sealing.EncodeKeyring(ring)
	if err != nil {
		t.Fatal(err)
	}
	env := childEnv("WAYMARK_MASTER_KEY=" + encoded)

	_, stderr, code := runWaymark(t, env, "keys", "rotate", "--data-dir", dir)
	if code == 0 || !strings.Contains(stderr, "WAYMARK_MASTER_KEY") {
		t.Errorf("offline rotation of a keyring from the environment: exit %d\n%s", code, stderr)
	}

	srv := &server{http: freeAddr(t)}
	srv.child = startWaymark(t, env, "serve", "--data-dir", dir, "--sync", "interval", "--http-addr", srv.http, "--nats-listen", freeAddr(t))
	srv.waitReady()
	_, stderr, code = runWaymark(t, childEnv(), "keys", "rotate", "--data-dir", dir)
	if code == 0 || !strings.Contains(stderr, "WAYMARK_MASTER_KEY") || !strings.Contains(stderr, fmt.Sprint(srv.pid())) {
		t.Errorf("rotation by a server whose keyring is from the environment: exit %d\n%s", code, stderr)
	}
	if after, err := sealing.ReadKeyring(sec.masterKey); err != nil || after.Active != ring.Active || len(after.KEKs) != 1 {
		t.Errorf("the keyring file changed: %s, %v", after, err)
	}
	srv.stop()
}
