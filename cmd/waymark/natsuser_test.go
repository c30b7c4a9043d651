package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
	wjs "github.com/waymark-org/waymark/eventstore/jetstream"
)

// natsUserRefusals are nats-user commands refused with a sentence and an exit status
// (2: a command-line mistake; 1: the users say no), changing nothing.
var natsUserRefusals = []struct {
	name string
	args []string
	code int
	say  string
}{
	{"no name", []string{"add", "--account", "analytics"}, 2, "needs the user's name"},
	{"two names", []string{"add", "--account", "analytics", "carol", "dave"}, 2, "takes one name"},
	{"no account", []string{"add", "carol"}, 2, "--account analytics"},
	{"unknown account", []string{"add", "--account", "waymark", "carol"}, 2, "only in the analytics account"},
	{"empty name", []string{"add", "--account", "analytics", ""}, 2, "needs a name"},
	{"long name", []string{"add", "--account", "analytics", strings.Repeat("c", 33)}, 2, "longer than 32"},
	{"odd characters", []string{"add", "--account", "analytics", "carol.smith"}, 2, "lower-case letters"},
	{"upper case", []string{"add", "--account", "analytics", "Carol"}, 2, "lower-case letters"},
	{"reserved", []string{"add", "--account", "analytics", "waymark"}, 2, "Waymark's own"},
	{"reserved prefix", []string{"add", "--account", "analytics", "waymark-analysts"}, 2, "Waymark's own"},
	{"duplicate", []string{"add", "--account", "analytics", "alice"}, 1, "exists"},
	{"unknown user", []string{"remove", "nobody"}, 1, "no such NATS user"},
	{"list with a name", []string{"list", "alice"}, 2, "takes no name"},
	{"no verb", nil, 2, "nats-user add"},
}

// checkNATSUserRefusals runs every refusal against dataDir and checks that the users
// file did not change.
func checkNATSUserRefusals(t *testing.T, dataDir string) {
	t.Helper()
	before, err := os.ReadFile(filepath.Join(dataDir, wjs.UsersFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range natsUserRefusals {
		args := append([]string{"nats-user"}, r.args...)
		stdout, stderr, code := runWaymark(t, childEnv(), append(args, "--data-dir", dataDir)...)
		if code != r.code || !strings.Contains(stderr, r.say) || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d saying %q", r.name, code, stdout, stderr, r.code, r.say)
		}
	}
	// A password from stdin that is too short.
	err = natsUserCommand(context.Background(), []string{"add", "--account", "analytics", "--password-stdin", "carol", "--data-dir", dataDir},
		strings.NewReader("short\n"), &bytes.Buffer{})
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("a short password: %v", err)
	}
	after, err := os.ReadFile(filepath.Join(dataDir, wjs.UsersFileName))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the users file changed (%v):\n%s", err, after)
	}
}

var passwordLine = regexp.MustCompile(`(?m)^password: +(\S+)$`)

// addUser runs nats-user add and returns its output and the password it printed.
func addUser(t *testing.T, dataDir, name string) (out, password string) {
	t.Helper()
	out = mustRun(t, "nats-user", "add", "--account", "analytics", name, "--data-dir", dataDir)
	m := passwordLine.FindStringSubmatch(out)
	if m == nil || len(m[1]) < 26 {
		t.Fatalf("no password in %q", out)
	}
	if !strings.Contains(out, "inbox prefix: _INBOX."+name) {
		t.Errorf("no inbox prefix in %q", out)
	}
	return out, m[1]
}

// connectAnalyst logs in to the NATS server at addr as an analyst.
func connectAnalyst(t *testing.T, addr, user, password string, opts ...nats.Option) (*nats.Conn, error) {
	t.Helper()
	nc, err := nats.Connect("nats://"+addr, append([]nats.Option{nats.UserInfo(user, password), nats.NoReconnect(),
		nats.Timeout(time.Minute), nats.CustomInboxPrefix(wjs.AnalystInboxPrefix(user))}, opts...)...)
	if err == nil {
		t.Cleanup(nc.Close)
	}
	return nc, err
}

// readsTheAnalystsStream checks that nc reads the analysts' stream: its info, and a
// durable consumer of its own.
func readsTheAnalystsStream(t *testing.T, nc *nats.Conn, consumer string) {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(t.Context(), analytics.StreamName)
	if err != nil {
		t.Fatalf("the analysts' stream: %v", err)
	}
	if _, err := st.CreateOrUpdateConsumer(t.Context(), jetstream.ConsumerConfig{Durable: consumer, AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatalf("a durable consumer: %v", err)
	}
}

// nats-user while a server owns the data directory goes through its admin socket: a
// new user logs in at once and reads the analysts' stream; a removed one is
// disconnected and refused; the file holds only bcrypt hashes; bad input is refused.
func TestNATSUserWhileServing(t *testing.T) {
	dir := seededDemoDir(t)
	addr := freeAddr(t)
	srv := startServer(t, dir, "--nats-listen", addr)

	out, password := addUser(t, dir, "alice")
	if !strings.Contains(out, "by the server owning") {
		t.Errorf("nats-user add did not go through the server: %q", out)
	}
	alice, err := connectAnalyst(t, addr, "alice", password, nats.ClosedHandler(func(*nats.Conn) {}))
	if err != nil {
		t.Fatalf("alice, at once: %v", err)
	}
	readsTheAnalystsStream(t, alice, "alice-journeys")

	var buf bytes.Buffer
	if err := natsUserCommand(context.Background(), []string{"add", "--account", "ANALYTICS", "--password-stdin", "bob", "--data-dir", dir},
		strings.NewReader("bob-password-0123456789\nignored\n"), &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "bob-password") || strings.Contains(buf.String(), "password:") {
		t.Errorf("a password from stdin was printed: %q", buf.String())
	}
	if _, err := connectAnalyst(t, addr, "bob", "bob-password-0123456789"); err != nil {
		t.Fatalf("bob: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, wjs.UsersFileName))
	if err != nil || bytes.Contains(b, []byte(password)) || bytes.Contains(b, []byte("bob-password")) || bytes.Count(b, []byte(`"$2a$11$`)) != 2 {
		t.Fatalf("users file (%v):\n%s", err, b)
	}
	if list := mustRun(t, "nats-user", "list", "--data-dir", dir); !strings.Contains(list, "alice") || !strings.Contains(list, "bob") || strings.Contains(list, "$2a$") {
		t.Errorf("list: %q", list)
	}
	checkNATSUserRefusals(t, dir)

	closed := make(chan struct{})
	alice.SetClosedHandler(func(*nats.Conn) { close(closed) })
	out = mustRun(t, "nats-user", "remove", "alice", "--data-dir", dir)
	if !strings.Contains(out, "1 open connection(s) closed") {
		t.Errorf("remove: %q", out)
	}
	select {
	case <-closed:
	case <-time.After(waitLong):
		t.Fatal("alice's connection is still open")
	}
	if _, err := connectAnalyst(t, addr, "alice", password); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("alice after removal: %v", err)
	}
	srv.stop()
}

// With no server, nats-user edits the users file under the data directory's lock; the
// next server lets the user in, and after a removal no more.
func TestNATSUserWithoutServer(t *testing.T) {
	empty := t.TempDir()
	if _, stderr, code := runWaymark(t, childEnv(), "nats-user", "list", "--data-dir", empty); code != 1 || !strings.Contains(stderr, "no event store in "+empty) {
		t.Errorf("no event store: exit %d, %q", code, stderr)
	}

	dir := seededDemoDir(t)
	out, password := addUser(t, dir, "alice")
	if !strings.Contains(out, "for the next start") {
		t.Errorf("add: %q", out)
	}
	fi, err := os.Stat(filepath.Join(dir, wjs.UsersFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("users file: %v, %v", fi, err)
	}
	if list := mustRun(t, "nats-user", "list", "--json", "--data-dir", dir); !strings.Contains(list, `"name": "alice"`) || strings.Contains(list, "$2a$") {
		t.Errorf("list: %q", list)
	}
	checkNATSUserRefusals(t, dir)

	addr := freeAddr(t)
	srv := startServer(t, dir, "--nats-listen", addr)
	nc, err := connectAnalyst(t, addr, "alice", password)
	if err != nil {
		t.Fatalf("alice on the next server: %v", err)
	}
	readsTheAnalystsStream(t, nc, "alice-journeys")
	nc.Close()
	srv.stop()

	mustRun(t, "nats-user", "remove", "alice", "--data-dir", dir)
	srv = startServer(t, dir, "--nats-listen", addr)
	if _, err := connectAnalyst(t, addr, "alice", password); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("alice after removal: %v", err)
	}
	srv.stop()
}
