package jetstream

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// TestUsersFileHoldsOnlyBcrypt: a user added while serving logs in at once with its
// password; the users file (0600) holds its bcrypt hash, never the password, and the
// hash itself is no password.
func TestUsersFileHoldsOnlyBcrypt(t *testing.T) {
	dir := t.TempDir()
	s := openWithAnalyst(t, dir)
	path := filepath.Join(dir, UsersFileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("users file mode %v", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	users, err := ReadUsers(dir)
	if err != nil || len(users) != 1 {
		t.Fatalf("users %v, %v", users, err)
	}
	if bytes.Contains(b, []byte(testAnalystPassword)) || !strings.HasPrefix(users[0].Hash, "$2a$11$") || !bytes.Contains(b, []byte(users[0].Hash)) {
		t.Fatalf("users file:\n%s", b)
	}
	if _, err := connectTCP(t, s, nats.UserInfo(testAnalyst, users[0].Hash)); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("the hash as password: %v", err)
	}
	connectAnalyst(t, s, testAnalyst, testAnalystPassword)
	// No temporary file left beside it.
	entries, _ := filepath.Glob(filepath.Join(dir, UsersFileName+".tmp-*"))
	if len(entries) > 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestAddUserRefusals: every bad name, account or password is refused with a
// sentence, and the users file is left as it was.
func TestAddUserRefusals(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, Config{DataDir: dir, Sync: SyncInterval, ListenAddr: "127.0.0.1:0",
		AnalyticsUser: testAnalyticsUser, AnalyticsPassword: testAnalyticsPassword})
	t.Cleanup(func() { s.Close() })
	if _, err := s.AddUser("bob", "ANALYTICS", "bob-password-0123456789", time.Now()); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, UsersFileName))
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a-good-password-0123456789"
	for _, c := range []struct {
		name, account, password string
		want                    error
		say                     string
	}{
		{"", "analytics", pw, ErrBadUser, "needs a name"},
		{strings.Repeat("a", 33), "analytics", pw, ErrBadUser, "longer than 32"},
		{"Alice", "analytics", pw, ErrBadUser, "lower-case"},
		{"al ice", "analytics", pw, ErrBadUser, "lower-case"},
		{"al.ice", "analytics", pw, ErrBadUser, "lower-case"},
		{"al*", "analytics", pw, ErrBadUser, "lower-case"},
		{"a", "analytics", pw, ErrBadUser, "2 to 32"},
		{"1alice", "analytics", pw, ErrBadUser, "starting with a letter"},
		{"waymark", "analytics", pw, ErrBadUser, "Waymark's own"},
		{AnalystsUser, "analytics", pw, ErrBadUser, "Waymark's own"},
		{"bob", "analytics", pw, ErrUserExists, `"bob"`},
		{testAnalyticsUser, "analytics", pw, ErrUserExists, testAnalyticsUser},
		{"carol", "waymark", pw, ErrBadUser, "only in the analytics account"},
		{"carol", "", pw, ErrBadUser, "only in the analytics account"},
		{"carol", "analytics", "short", ErrBadUser, "at least 16"},
		{"carol", "analytics", strings.Repeat("x", 73), ErrBadUser, "at most 72"},
	} {
		_, err := s.AddUser(c.name, c.account, c.password, time.Now())
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.say) {
			t.Errorf("add %q in %q: %v, want %v saying %q", c.name, c.account, err, c.want, c.say)
		}
	}
	if _, _, err := s.RemoveUser("nobody"); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("remove an unknown user: %v", err)
	}
	if _, _, err := s.RemoveUser(testAnalyticsUser); !errors.Is(err, ErrNoSuchUser) {
		t.Errorf("remove the configured analytics user: %v", err)
	}
	after, err := os.ReadFile(filepath.Join(dir, UsersFileName))
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the users file changed (%v):\n%s", err, after)
	}
	// The configured analytics user still logs in.
	connectAnalytics(t, s)
}

// TestRemovedUserCannotLogIn: removing a user while serving closes its connections
// and refuses its next login; the users file no longer has it, after a restart too.
func TestRemovedUserCannotLogIn(t *testing.T) {
	dir := t.TempDir()
	s := openWithAnalyst(t, dir)
	closed := make(chan struct{})
	nc, err := connectTCP(t, s, nats.UserInfo(testAnalyst, testAnalystPassword), nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	if err != nil {
		t.Fatal(err)
	}
	u, n, err := s.RemoveUser(testAnalyst)
	if err != nil || u.Name != testAnalyst || n != 1 {
		t.Fatalf("remove: %+v, %d connections closed, %v", u, n, err)
	}
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("the removed user's connection is still open")
	}
	if nc.IsConnected() {
		t.Error("still connected")
	}
	if _, err := connectTCP(t, s, nats.UserInfo(testAnalyst, testAnalystPassword)); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("login after removal: %v", err)
	}
	if users, err := s.Users(); err != nil || len(users) != 0 {
		t.Errorf("users %v, %v", users, err)
	}
	s.Close()
	s = mustOpen(t, Config{DataDir: dir, Sync: SyncInterval, ListenAddr: "127.0.0.1:0"})
	defer s.Close()
	if _, err := connectTCP(t, s, nats.UserInfo(testAnalyst, testAnalystPassword)); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("login after removal and a restart: %v", err)
	}
}

// TestUsersFileConflictsWithAnalyticsUser: a users-file user of the same name as the
// configured analytics user stops the start with a sentence.
func TestUsersFileConflictsWithAnalyticsUser(t *testing.T) {
	dir := t.TempDir()
	if _, err := AddUser(dir, testAnalyticsUser, "analytics", "analytics-password-0123456789", time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), Config{DataDir: dir, Sync: SyncInterval, Logger: quietLogger(),
		AnalyticsUser: testAnalyticsUser, AnalyticsPassword: testAnalyticsPassword})
	if err == nil {
		s.Close()
		t.Fatal("opened")
	}
	if !strings.Contains(err.Error(), "nats-user remove "+testAnalyticsUser) {
		t.Errorf("%v", err)
	}
}

// TestUsersOnExternalServer: an external server's users are not Waymark's to change.
func TestUsersOnExternalServer(t *testing.T) {
	srv := startTestServer(t, t.TempDir())
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	s := mustOpen(t, Config{NATSURL: srv.ClientURL()})
	defer s.Close()
	if _, err := s.AddUser("carol", "analytics", "carol-password-0123456789", time.Now()); !errors.Is(err, ErrExternalServer) {
		t.Errorf("add: %v", err)
	}
	if s.AnalystsStream() != nil {
		t.Error("an analysts' stream on an external server")
	}
}
