package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Locks are the locks a command holds: its data directory's and those of the
// directories it writes outside it (a key store given with --keys-dir).
type Locks struct {
	// Data is the data directory's lock; the admin socket lives under it.
	Data   *Lock
	others []*Lock
}

// LockDataDir creates dataDir (0700) if missing and locks it, then each of extra
// that does not lie inside dataDir (created 0700 likewise), in the order given: every
// command locks in the same order, so two of them never wait on each other. On any
// failure the locks already taken are released. Every command that opens the event
// store or the key store for writing calls it before touching either.
func LockDataDir(holder, dataDir string, extra ...string) (*Locks, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	data, err := Acquire(dataDir, holder)
	if err != nil {
		return nil, err
	}
	l := &Locks{Data: data}
	base, err := canonical(dataDir)
	if err != nil {
		l.Release()
		return nil, err
	}
	for _, dir := range extra {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			l.Release()
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
		c, err := canonical(dir)
		if err != nil {
			l.Release()
			return nil, err
		}
		if within(c, base) {
			continue // the data directory's lock covers it
		}
		other, err := Acquire(dir, holder)
		if err != nil {
			l.Release()
			return nil, err
		}
		l.others = append(l.others, other)
	}
	return l, nil
}

// Release releases every lock, the data directory's last.
func (l *Locks) Release() error {
	var errs []error
	for i := len(l.others) - 1; i >= 0; i-- {
		errs = append(errs, l.others[i].Release())
	}
	errs = append(errs, l.Data.Release())
	return errors.Join(errs...)
}

// canonical is dir made absolute with symbolic links resolved (it exists).
func canonical(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("directory %s: %w", dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("directory %s: %w", dir, err)
	}
	return real, nil
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
