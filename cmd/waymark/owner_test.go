package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/admin"
)

// A second server on one data directory is refused, naming the first's PID, and
// the first keeps serving (before the lock, both started and answered different
// writes at the same position, and one was lost).
func TestSecondServeOnOneDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "keys", "generate", "--data-dir", dir)
	first := startServer(t, dir)

	_, stderr, code := runWaymark(t, childEnv(), "serve", "--data-dir", dir, "--sync", "interval",
		"--http-addr", freeAddr(t), "--nats-listen", freeAddr(t))
	if code == 0 {
		t.Fatal("a second serve on the same data directory exited 0")
	}
	if want := fmt.Sprintf("PID %d", first.pid()); !strings.Contains(stderr, want) {
		t.Errorf("the second serve's error does not name the first (%s):\n%s", want, stderr)
	}
	_, stderr, code = runWaymark(t, childEnv(), "seed", "--demo", "--data-dir", dir, "--sync", "interval")
	if code == 0 || !strings.Contains(stderr, fmt.Sprintf("PID %d", first.pid())) {
		t.Errorf("seed while serving: exit %d\n%s", code, stderr)
	}

	// The first still serves, and its admin socket is still its own.
	first.waitReady()
	if status, body := first.gql(mintToken(t, dir, "admin", ""), `{ organisations { id } }`, nil); status != 200 || strings.Contains(body, `"errors"`) {
		t.Errorf("the first server after the second was refused: %d %s", status, body)
	}
	st, err := admin.NewClient(admin.SocketPath(dir)).Status(t.Context())
	if err != nil || st.PID != first.pid() {
		t.Errorf("admin socket: %+v, %v; want the first server's PID %d", st, err, first.pid())
	}
	first.stop()
	if _, err := os.Lstat(admin.SocketPath(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the admin socket is still there after a clean stop: %v", err)
	}
}

// A server killed with SIGKILL leaves its lock file and socket behind, and neither
// stops the next start.
func TestKilledServerDoesNotBlockTheNext(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "keys", "generate", "--data-dir", dir)
	killed := startServer(t, dir)
	killed.kill()
	if _, err := os.Lstat(admin.SocketPath(dir)); err != nil {
		t.Fatalf("the killed server left no socket to be stale: %v", err)
	}

	next := startServer(t, dir)
	st, err := admin.NewClient(admin.SocketPath(dir)).Status(t.Context())
	if err != nil || st.PID != next.pid() {
		t.Errorf("admin socket: %+v, %v; want the new server's PID %d", st, err, next.pid())
	}
	next.stop()
}
