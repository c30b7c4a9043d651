package webhooks

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Record is one line of the delivery log: an attempt, a dead letter or a drop. It
// holds the notification's ids and codes and what happened; never a secret, a body or
// an error's text (an error is a class).
type Record struct {
	At           time.Time `json:"at"`
	Delivery     string    `json:"delivery"`
	Organisation string    `json:"organisation"`
	Type         string    `json:"type"`
	Attempt      int       `json:"attempt,omitempty"`
	Status       int       `json:"status,omitempty"` // the receiver's HTTP status, if it answered
	Error        string    `json:"error,omitempty"`  // an error class: timeout, refused, tls, dns, redirect, status, network
	Outcome      string    `json:"outcome"`
}

// Outcomes of a record.
const (
	OutcomeDelivered    = "delivered"     // the receiver answered 2xx
	OutcomeRetry        = "retry"         // this attempt failed; another follows after a back-off
	OutcomeDeadLettered = "dead_lettered" // the last attempt failed: no more are made
	OutcomeDropped      = "dropped"       // the organisation's queue was full: the oldest waiting was dropped
	OutcomeAbandoned    = "abandoned"     // the server stopped before it was delivered
)

// DeliveryLog is the append-only delivery log: JSON lines in a directory
// (<data-dir>/webhooks), deliveries.jsonl, rotated to deliveries.jsonl.1 ... .N when
// it passes a size, the oldest file dropped. Lines are written, not fsynced: losing
// the last lines on a power cut loses the record of attempts, never a delivery.
type DeliveryLog struct {
	dir      string
	maxBytes int64
	keep     int
	mu       sync.Mutex
	f        *os.File
	size     int64
}

// LogFile is the current delivery log's name in its directory.
const LogFile = "deliveries.jsonl"

// Defaults of a delivery log: 10 MiB a file, 5 rotated files kept (about 300,000
// attempts).
const (
	DefaultLogBytes = 10 << 20
	DefaultLogKeep  = 5
)

// OpenLog opens (creating) the delivery log in dir; maxBytes and keep bound it (0 for
// the defaults).
func OpenLog(dir string, maxBytes int64, keep int) (*DeliveryLog, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultLogBytes
	}
	if keep <= 0 {
		keep = DefaultLogKeep
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("webhook delivery log: %w", err)
	}
	l := &DeliveryLog{dir: dir, maxBytes: maxBytes, keep: keep}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *DeliveryLog) open() error {
	f, err := os.OpenFile(filepath.Join(l.dir, LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("webhook delivery log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("webhook delivery log: %w", err)
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Append writes one record, rotating first when the file would pass its size.
func (l *DeliveryLog) Append(r Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("webhook delivery log: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("webhook delivery log: closed")
	}
	if l.size > 0 && l.size+int64(len(line)) > l.maxBytes {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	n, err := l.f.Write(line)
	l.size += int64(n)
	if err != nil {
		return fmt.Errorf("webhook delivery log: %w", err)
	}
	return nil
}

// rotate shifts deliveries.jsonl.i to .i+1 (the oldest beyond keep is removed) and
// starts a new file.
func (l *DeliveryLog) rotate() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("webhook delivery log: %w", err)
	}
	l.f = nil
	base := filepath.Join(l.dir, LogFile)
	if err := os.Remove(base + "." + strconv.Itoa(l.keep)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("webhook delivery log: rotate: %w", err)
	}
	for i := l.keep - 1; i >= 1; i-- {
		from := base + "." + strconv.Itoa(i)
		if err := os.Rename(from, base+"."+strconv.Itoa(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("webhook delivery log: rotate: %w", err)
		}
	}
	if err := os.Rename(base, base+".1"); err != nil {
		return fmt.Errorf("webhook delivery log: rotate: %w", err)
	}
	return l.open()
}

// Close closes the file.
func (l *DeliveryLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// ReadLog returns the records in dir, oldest first (rotated files, then the current
// one), of one organisation ("" for all). A directory without a log has none. It reads
// files only, so it needs no running server: the log is append-only and a line is
// written whole.
func ReadLog(dir, organisation string) ([]Record, error) {
	base := filepath.Join(dir, LogFile)
	var files []string
	for i := 1; ; i++ {
		name := base + "." + strconv.Itoa(i)
		if _, err := os.Stat(name); err != nil {
			break
		}
		files = append([]string{name}, files...)
	}
	files = append(files, base)
	var out []Record
	for _, name := range files {
		recs, err := readFile(name, organisation)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

func readFile(name, organisation string) ([]Record, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("webhook delivery log: %w", err)
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			// A line cut short by a crash mid-write is the only way to get one; say where.
			return nil, fmt.Errorf("webhook delivery log %s line %d: %w", name, line, err)
		}
		if organisation == "" || r.Organisation == organisation {
			out = append(out, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("webhook delivery log %s: %w", name, err)
	}
	return out, nil
}
