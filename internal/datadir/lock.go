// Package datadir makes one process the owner of a Waymark data directory.
//
// Two processes writing one embedded JetStream store (or one key store) corrupt it:
// each keeps its own idea of the stream's last sequence and index, both acknowledge
// writes, and after a restart one of them is gone. So every command that opens the
// store or the key store for writing first takes an exclusive OS lock (flock(2)) on a
// file in the directory, and holds it until it exits. The kernel releases the lock
// when the process dies, however it dies (kill -9, a crash, a power cut), so a lock
// left behind never blocks the next start: the file stays, the lock does not.
//
// The holder writes its PID into the lock file; a process that finds the lock taken
// reads it back to name the holder in its error (LockedError).
package datadir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// FileName is the lock file's name inside a locked directory.
const FileName = "waymark.lock"

// ErrLocked: another process holds the directory's lock. Errors from Acquire match
// it and are *LockedError, which names the holder.
var ErrLocked = errors.New("directory locked by another process")

// LockedError says which directory is locked and, when the holder has written it
// yet, by which process.
type LockedError struct {
	Dir    string
	PID    int    // 0 when the holder had not written its PID yet
	Holder string // what the holder said it is doing ("serve", "keys rotate"); may be ""
}

func (e *LockedError) Error() string {
	switch {
	case e.PID == 0:
		return fmt.Sprintf("%s is locked by another process (its PID is not written yet)", e.Dir)
	case e.Holder == "":
		return fmt.Sprintf("%s is locked by PID %d", e.Dir, e.PID)
	default:
		return fmt.Sprintf("%s is locked by PID %d (waymark %s)", e.Dir, e.PID, e.Holder)
	}
}

// Is makes a *LockedError match ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Lock is a held lock on one directory. Release it when done; the process's exit
// releases it too.
type Lock struct {
	dir string

	mu sync.Mutex
	f  *os.File // nil once released
}

// Acquire takes the exclusive lock of dir, which must exist, without waiting: if
// another process (or another Acquire in this process) holds it, the error is a
// *LockedError. holder is a word or two on what the lock is for, written next to the
// PID for the error another process will show.
func Acquire(dir, holder string) (*Lock, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("lock %s: not a directory", dir)
	}
	path := filepath.Join(dir, FileName)
	f, err := openLockFile(path)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	busy, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if busy {
		pid, what := readHolder(f)
		f.Close()
		return nil, &LockedError{Dir: dir, PID: pid, Holder: what}
	}
	// Ours now. Whatever a dead holder wrote is replaced by this process's PID.
	if err := writeHolder(f, holder); err != nil {
		f.Close() // releases the lock
		return nil, fmt.Errorf("lock %s: write PID: %w", path, err)
	}
	return &Lock{dir: dir, f: f}, nil
}

// Dir is the locked directory.
func (l *Lock) Dir() string { return l.dir }

// Held reports whether this lock is still held (not released).
func (l *Lock) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f != nil
}

// Release gives the lock up. The lock file stays: removing it would let a process
// that opened it just before lock a file no longer in the directory while a third
// locks a new one. Releasing twice is harmless.
func (l *Lock) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	// Clear the PID first so the file does not name a process that no longer holds
	// it; closing the descriptor is what releases the lock.
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("release lock of %s: %w", l.dir, err)
	}
	return nil
}

// writeHolder replaces the file's content with "<pid> <holder>\n".
func writeHolder(f *os.File, holder string) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	line := strconv.Itoa(os.Getpid())
	if holder = strings.TrimSpace(strings.ReplaceAll(holder, "\n", " ")); holder != "" {
		line += " " + holder
	}
	if _, err := f.WriteAt([]byte(line+"\n"), 0); err != nil {
		return err
	}
	return nil
}

// readHolder reads what the holder wrote; a holder that has not written yet (or a
// file that makes no sense) gives PID 0.
func readHolder(f *os.File) (pid int, holder string) {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 256))
	if err != nil {
		return 0, ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	first, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	pid, err = strconv.Atoi(first)
	if err != nil || pid <= 0 {
		return 0, ""
	}
	return pid, strings.TrimSpace(rest)
}
