package datadir

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdEnv makes the test binary, run as a child, hold the lock of the directory it
// names until it is killed (TestMain).
const holdEnv = "DATADIR_TEST_HOLD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdEnv); dir != "" {
		if _, err := Acquire(dir, "test holder"); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("held")
		time.Sleep(time.Hour) // until killed
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSecondAcquireNamesTheHolder(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "serve")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	_, err = Acquire(dir, "keys rotate")
	var locked *LockedError
	if !errors.As(err, &locked) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second Acquire: %v, want a *LockedError", err)
	}
	if locked.PID != os.Getpid() || locked.Holder != "serve" || locked.Dir != dir {
		t.Errorf("locked error %+v, want PID %d, holder serve, dir %s", locked, os.Getpid(), dir)
	}
	if msg := err.Error(); !strings.Contains(msg, fmt.Sprint(os.Getpid())) || !strings.Contains(msg, dir) {
		t.Errorf("message %q names neither the PID nor the directory", msg)
	}
	st, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, mode %v, want 0600", err, st.Mode().Perm())
	}
}

func TestReleaseLetsTheNextOneIn(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "seed")
	if err != nil {
		t.Fatal(err)
	}
	if !l.Held() {
		t.Error("a fresh lock is not held")
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second release: %v", err)
	}
	if l.Held() {
		t.Error("a released lock is held")
	}
	again, err := Acquire(dir, "serve")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.Release()
}

// A lock file naming a process that is gone (the file stays after every exit) does
// not stop anyone: only a held flock does.
func TestStaleLockFileDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("999999 serve\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(dir, "serve")
	if err != nil {
		t.Fatalf("stale lock file: %v", err)
	}
	defer l.Release()
	b, _ := os.ReadFile(filepath.Join(dir, FileName))
	if want := fmt.Sprintf("%d serve\n", os.Getpid()); string(b) != want {
		t.Errorf("lock file holds %q, want %q", b, want)
	}
}

// A holder killed with SIGKILL leaves its lock to the kernel, which releases it.
func TestKilledHolderReleasesTheLock(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), holdEnv+"="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("child: %q, %v", line, err)
	}

	_, err = Acquire(dir, "serve")
	var locked *LockedError
	if !errors.As(err, &locked) || locked.PID != child.Process.Pid || locked.Holder != "test holder" {
		t.Fatalf("while the child holds it: %v, want the child's PID %d", err, child.Process.Pid)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	l, err := Acquire(dir, "serve")
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	l.Release()
}

func TestAcquireMissingDirectory(t *testing.T) {
	_, err := Acquire(filepath.Join(t.TempDir(), "nope"), "serve")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want not exist", err)
	}
}

// A symbolic link in place of the lock file is not followed: the PID is never
// written into the file it points at.
func TestLockFileSymlinkNotFollowed(t *testing.T) {
	dir, elsewhere := t.TempDir(), filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(elsewhere, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}
	if l, err := Acquire(dir, "serve"); err == nil {
		l.Release()
		t.Fatal("locked through a symbolic link")
	}
	if b, _ := os.ReadFile(elsewhere); string(b) != "keep me" {
		t.Errorf("the link's target now holds %q", b)
	}
}

func TestLockDataDirWithKeysInside(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	keys := filepath.Join(data, "keys")
	l, err := LockDataDir("serve", data, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if _, err := os.Stat(filepath.Join(keys, FileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a lock file in the key directory inside the data directory: %v", err)
	}
	for _, dir := range []string{data, keys} {
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, want a 0700 directory", dir, err)
		}
	}
	if _, err := LockDataDir("seed", data); !errors.Is(err, ErrLocked) {
		t.Errorf("second lock of the data directory: %v", err)
	}
}

// A key directory outside the data directory is locked too: a command on another
// data directory with the same key store is refused, and a refusal leaves nothing
// locked behind.
func TestLockDataDirWithKeysOutside(t *testing.T) {
	base := t.TempDir()
	dataA, dataB, keys := filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "keys")
	a, err := LockDataDir("serve", dataA, keys)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockDataDir("keys rotate", dataB, keys)
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Dir != keys || locked.PID != os.Getpid() {
		t.Fatalf("second command on the same key store: %v", err)
	}
	b, err := LockDataDir("seed", dataB)
	if err != nil {
		t.Fatalf("the refused command left data directory b locked: %v", err)
	}
	b.Release()
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	b, err = LockDataDir("keys rotate", dataB, keys)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	b.Release()
}
