package admin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waymark-org/waymark/internal/datadir"
)

// testOps is a server's operations over a fixed directory, counting its calls.
type testOps struct {
	calls     atomic.Int32
	rotateErr error
}

func (o *testOps) Status(context.Context) (Status, error) {
	o.calls.Add(1)
	return Status{KeysDir: "/keys", KeyringFile: "/secrets/keyring.json", PID: -1, DataDir: "ignored"}, nil
}

func (o *testOps) RotateKeys(context.Context) (Rotation, error) {
	o.calls.Add(1)
	if o.rotateErr != nil {
		return Rotation{}, o.rotateErr
	}
	return Rotation{Active: "kek-2", KEKs: []string{"kek-1", "kek-2"}, Rewrapped: 7, KeyringFile: "/secrets/keyring.json"}, nil
}

func (o *testOps) Organisation(_ context.Context, id string) (Organisation, error) {
	o.calls.Add(1)
	switch id {
	case "mx-shelter", "a/b":
		return Organisation{ID: id, Name: "A shelter", Kind: "shelter", Jurisdiction: "MX", Active: true}, nil
	case "broken":
		return Organisation{}, errors.New("the store is closed")
	}
	return Organisation{}, fmt.Errorf("organisation %q: %w", id, ErrNotFound)
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// lockDir locks a fresh data directory for the test.
func lockDir(t *testing.T) *datadir.Lock {
	t.Helper()
	l, err := datadir.Acquire(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Release() })
	return l
}

// serve runs s until the test ends.
func serve(t *testing.T, s *Server) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

func start(t *testing.T, ops Operations) (*Server, *datadir.Lock) {
	t.Helper()
	lock := lockDir(t)
	s, err := Listen(lock, ops, slog.New(slog.NewTextHandler(&syncBuffer{}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	serve(t, s)
	return s, lock
}

func TestRequestsAndReplies(t *testing.T) {
	ops := &testOps{}
	_, lock := start(t, ops)
	c := NewClient(SocketPath(lock.Dir()))
	ctx := t.Context()

	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Status{PID: os.Getpid(), DataDir: lock.Dir(), KeysDir: "/keys", KeyringFile: "/secrets/keyring.json"}); st != want {
		t.Errorf("status %+v, want %+v", st, want)
	}
	rot, err := c.RotateKeys(ctx)
	if err != nil || rot.Active != "kek-2" || rot.Rewrapped != 7 || len(rot.KEKs) != 2 {
		t.Errorf("rotate: %+v, %v", rot, err)
	}
	for _, id := range []string{"mx-shelter", "a/b"} {
		org, err := c.Organisation(ctx, id)
		if err != nil || org.ID != id || org.Kind != "shelter" || !org.Active {
			t.Errorf("organisation %q: %+v, %v", id, org, err)
		}
	}
	if _, err := c.Organisation(ctx, "nobody"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("unknown organisation: %v, want ErrNotFound with the server's sentence", err)
	}
	if _, err := c.Organisation(ctx, "broken"); err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "the store is closed") {
		t.Errorf("a failing operation: %v", err)
	}
	ops.rotateErr = fmt.Errorf("%w: the keyring comes from the environment", ErrRefused)
	if _, err := c.RotateKeys(ctx); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "environment") {
		t.Errorf("refused rotation: %v", err)
	}
}

// The socket is the owner's only, made without leaving anything behind, and gone
// after Close.
func TestSocketIsPrivateAndRemoved(t *testing.T) {
	lock := lockDir(t)
	s, err := Listen(lock, &testOps{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	st, err := os.Lstat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Type() != fs.ModeSocket || st.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a 0600 socket", st.Mode())
	}
	entries, _ := os.ReadDir(lock.Dir())
	for _, e := range entries {
		if e.Name() != SocketName && e.Name() != datadir.FileName {
			t.Errorf("left in the data directory: %s", e.Name())
		}
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(s.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket still there after Close: %v", err)
	}
}

// A socket left by a killed server is replaced; with no server, the client says so.
func TestStaleSocket(t *testing.T) {
	lock := lockDir(t)
	path := SocketPath(lock.Dir())
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if _, err := NewClient(path).Status(t.Context()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("stale socket, no server: %v, want ErrUnavailable", err)
	}
	if _, err := NewClient(filepath.Join(t.TempDir(), SocketName)).Status(t.Context()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("no socket: %v, want ErrUnavailable", err)
	}
	s, err := Listen(lock, &testOps{}, nil)
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	serve(t, s)
	if _, err := NewClient(path).Status(t.Context()); err != nil {
		t.Errorf("after replacing the stale socket: %v", err)
	}
}

func TestListenRefuses(t *testing.T) {
	t.Run("without the lock", func(t *testing.T) {
		lock := lockDir(t)
		lock.Release()
		if s, err := Listen(lock, &testOps{}, nil); err == nil {
			s.Close(t.Context())
			t.Fatal("listened without holding the lock")
		}
	})
	t.Run("over a file that is not a socket", func(t *testing.T) {
		lock := lockDir(t)
		path := SocketPath(lock.Dir())
		if err := os.WriteFile(path, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		if s, err := Listen(lock, &testOps{}, nil); err == nil {
			s.Close(t.Context())
			t.Fatal("replaced a regular file")
		}
		if b, _ := os.ReadFile(path); string(b) != "mine" {
			t.Errorf("the file now holds %q", b)
		}
	})
	t.Run("a path too long for a socket", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), strings.Repeat("d", 100))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		lock, err := datadir.Acquire(dir, "test")
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Release()
		if s, err := Listen(lock, &testOps{}, nil); err == nil || !strings.Contains(err.Error(), "--data-dir") {
			if s != nil {
				s.Close(t.Context())
			}
			t.Fatalf("got %v, want a refusal naming --data-dir", err)
		}
	})
}

// A peer of another uid is refused before its request is read. (The tests run as
// one user, so the server is told to admit another uid than the client's.)
func TestOtherUserRefused(t *testing.T) {
	lock := lockDir(t)
	var logs syncBuffer
	ops := &testOps{}
	s, err := listen(lock, ops, slog.New(slog.NewTextHandler(&logs, nil)), os.Geteuid()+1)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, s)
	if _, err := NewClient(s.Path()).RotateKeys(t.Context()); err == nil {
		t.Fatal("a peer of another uid got an answer")
	}
	if n := ops.calls.Load(); n != 0 {
		t.Errorf("%d operations ran for a refused peer", n)
	}
	if out := logs.String(); !strings.Contains(out, "refused a connection from another user") || !strings.Contains(out, fmt.Sprintf("peer_uid=%d", os.Geteuid())) {
		t.Errorf("the refusal is not logged:\n%s", out)
	}
}
