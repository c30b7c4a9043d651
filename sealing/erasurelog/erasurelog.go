// Package erasurelog is the erasure ledger (sealing.ErasureLedger) as a file beside the
// key store: <keys-dir>/erasures.log, one JSON line per erasure, append-only, each line
// fsynced before the erasure goes ahead.
//
// Why a file beside the keys, and never in a backup: a backup of the events taken
// before an erasure still holds the case (and a backup made with its keys, the key).
// Restoring it must not bring the survivor's data back, so the record of erasures has
// to outlive every backup: it is kept with the key store, which a backup leaves out
// unless asked, and restore reads it from there (waymark restore applies it).
//
// A line holds a time, a case id, the erasure event's id and a reason code: nothing
// personal. The ledger is written by the one process that owns the key directory (its
// lock), so appends never interleave between processes; within it a mutex orders them.
package erasurelog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/waymark-org/waymark/internal/fsync"
	"github.com/waymark-org/waymark/sealing"
)

// FileName is the ledger's name in the key directory.
const FileName = "erasures.log"

// Path is the ledger of a key directory.
func Path(keysDir string) string { return filepath.Join(keysDir, FileName) }

// Log is an open ledger. It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

var _ sealing.ErasureLedger = (*Log)(nil)

// Open opens the ledger at path, creating it (0600) when missing. A last line cut
// short by a crash is dropped: it was never synced whole, so its erasure never went
// ahead (RecordErasure returns only after the sync, and the key is destroyed after).
func Open(path string) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("erasure ledger: %w", err)
	}
	if err := dropTornTail(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("erasure ledger %s: %w", path, err)
	}
	// The file's name must survive a crash too.
	if err := fsync.Path(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("erasure ledger %s: %w", path, err)
	}
	return &Log{f: f, path: path}, nil
}

// Path is the ledger's file.
func (l *Log) Path() string { return l.path }

// RecordErasure appends e as one line and syncs it.
func (l *Log) RecordErasure(_ context.Context, e sealing.Erasure) error {
	if err := sealing.ValidCaseID(e.CaseID); err != nil {
		return fmt.Errorf("erasure ledger: %w", err)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("erasure ledger: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("erasure ledger: closed")
	}
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("erasure ledger %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("erasure ledger %s: %w", l.path, err)
	}
	return nil
}

// Close closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Read returns every erasure in the ledger at path, oldest first (an error matching
// fs.ErrNotExist when there is none). A last line cut short is left out, as Open
// drops it; any other line that does not read is an error naming it.
func Read(path string) ([]sealing.Erasure, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("erasure ledger: %w", err)
	}
	defer f.Close()
	var out []sealing.Erasure
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return out, nil // a torn last line (no newline) or nothing
		}
		if err != nil {
			return nil, fmt.Errorf("erasure ledger %s: %w", path, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e sealing.Erasure
		if err := json.Unmarshal(line, &e); err != nil || sealing.ValidCaseID(e.CaseID) != nil {
			return nil, fmt.Errorf("erasure ledger %s line %d: not an erasure (%v)", path, n, err)
		}
		out = append(out, e)
	}
}

// dropTornTail truncates f after its last newline.
func dropTornTail(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	size := st.Size()
	const window = 64 << 10
	buf := make([]byte, min(size, window))
	for end := size; end > 0; {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			keep := start + int64(i) + 1
			if keep == size {
				return nil
			}
			return truncate(f, keep)
		}
		end = start
	}
	return truncate(f, 0)
}

func truncate(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}
