package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// tokenRefusals are token requests no server would accept, with what the refusal
// must say and the exit status (2: a command-line mistake; 1: the directory says no).
var tokenRefusals = []struct {
	name string
	args []string
	code int
	say  string
}{
	{"unknown role", []string{"--role", "god", "--org", "mx-refugio-esperanza"}, 2, "not a Waymark role"},
	{"no organisation", []string{"--role", "caseworker"}, 2, "--org"},
	{"organisation not in the directory", []string{"--role", "caseworker", "--org", "mx-no-such-shelter"}, 1, "not in the directory"},
	{"caseworker of a bank", []string{"--role", "caseworker", "--org", "mx-banco-solidario"}, 1, "this organisation is a bank"},
	{"bank role for a shelter", []string{"--role", "bank", "--org", "mx-refugio-esperanza"}, 1, "this organisation is a shelter"},
	{"ttl beyond the maximum", []string{"--role", "bank", "--org", "mx-banco-solidario", "--ttl", "13h"}, 2, "maximum token lifetime"},
}

// checkRefusals runs every token refusal against dataDir.
func checkRefusals(t *testing.T, dataDir string) {
	t.Helper()
	for _, r := range tokenRefusals {
		stdout, stderr, code := runWaymark(t, childEnv(), append([]string{"token", "issue", "--data-dir", dataDir}, r.args...)...)
		if code != r.code || !strings.Contains(stderr, r.say) || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d saying %q and no token", r.name, code, stdout, stderr, r.code, r.say)
		}
	}
}

// token issue runs while a server owns the data directory (the README walk does it):
// it reads the signing key, asks the server's directory on the admin socket, and
// refuses what no server would accept.
func TestTokenIssueWhileServing(t *testing.T) {
	dir := seededDemoDir(t) // the demo, seeded once for the package's tests
	srv := startServer(t, dir, "--max-token-lifetime", "9h")

	for _, c := range []struct{ role, org string }{
		{"caseworker", "mx-refugio-esperanza"},
		{"bank", "mx-banco-solidario"},
		{"admin", ""},
	} {
		token := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", c.role, "--org", c.org))
		if status, body := srv.gql(token, `{ organisations(jurisdiction: "MX", kind: BANK) { id } }`, nil); status != 200 || strings.Contains(body, `"errors"`) {
			t.Errorf("a %s token of %q: %d %s", c.role, c.org, status, body)
		}
	}
	checkRefusals(t, dir)

	// The server refuses a token that lives longer than its --max-token-lifetime...
	long := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "bank", "--org", "mx-banco-solidario", "--ttl", "10h"))
	if status, body := srv.gql(long, `{ organisations { id } }`, nil); status != 401 || !strings.Contains(body, "UNAUTHENTICATED") {
		t.Errorf("a 10h token on a server with a 9h maximum: %d %s", status, body)
	}
	// ...and token issue refuses to mint one when it is told the same maximum.
	_, stderr, code := runWaymark(t, childEnv("WAYMARK_MAX_TOKEN_LIFETIME=9h"), "token", "issue", "--data-dir", dir,
		"--role", "bank", "--org", "mx-banco-solidario", "--ttl", "10h")
	if code != 2 || !strings.Contains(stderr, "maximum token lifetime of 9h") {
		t.Errorf("--ttl 10h with WAYMARK_MAX_TOKEN_LIFETIME=9h: exit %d\n%s", code, stderr)
	}
	srv.stop()
}

// With no server, token issue takes the data directory's lock and reads the directory
// from the event store itself.
func TestTokenIssueWithoutServer(t *testing.T) {
	dir := seededDemoDir(t) // the demo, seeded once for the package's tests
	token := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "caseworker", "--org", "mx-refugio-esperanza"))
	if strings.Count(token, ".") != 2 {
		t.Errorf("token %q", token)
	}
	checkRefusals(t, dir)

	// No signing key: say where it was looked for and how to point elsewhere.
	elsewhere := filepath.Join(t.TempDir(), "secrets")
	_, stderr, code := runWaymark(t, childEnv(), "token", "issue", "--data-dir", dir, "--secrets-dir", elsewhere,
		"--role", "caseworker", "--org", "mx-refugio-esperanza")
	if code == 0 || !strings.Contains(stderr, elsewhere) || !strings.Contains(stderr, "--secrets-dir") || !strings.Contains(stderr, "--signing-key") ||
		!strings.Contains(stderr, "--data-dir (WAYMARK_DATA_DIR)") {
		t.Errorf("no signing key: exit %d\n%s", code, stderr)
	}
	// No event store where --data-dir points: say so rather than make an empty one.
	empty := t.TempDir()
	_, stderr, code = runWaymark(t, childEnv(), "token", "issue", "--data-dir", empty,
		"--signing-key", filepath.Join(dir, "secrets", "signing.key.pem"), "--role", "caseworker", "--org", "mx-refugio-esperanza")
	if code == 0 || !strings.Contains(stderr, "no event store in "+empty) {
		t.Errorf("no event store: exit %d\n%s", code, stderr)
	}
}
