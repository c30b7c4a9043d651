// Package jssync is group commit for the streams of an embedded NATS server that
// does not fsync on its own (sync_always off): the writer publishes, waits for the
// server's acknowledgements (the server has then written the messages to the
// stream's block file), and calls Sync, which fsyncs the block file once for every
// write acknowledged before it started. Writers arriving while an fsync runs share
// the next one. It costs one fsync a round however many writes the round holds,
// where the server with sync_always fsyncs each message on its own, and unlike an
// atomic batch it has no fixed cost: one writer pays one fsync, as before.
//
// What is written but not yet synced must not be shown to anyone: Syncer keeps the
// durable watermark (the highest stream sequence known durable) and WaitDurable,
// which readers call before returning a message.
//
// It relies on the server's file layout (nats-server v2.15: <store>/jetstream/
// <account>/streams/<stream>/msgs/<index>.blk, blocks numbered from 1, appends only to
// the newest) and on an R1 file stream writing each message to its block before
// acknowledging it (flush in place, no async flush). A stream whose messages are
// deleted or compacted (blocks rewritten) must not use it.
package jssync

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/waymark-org/waymark/internal/fsync"
)

// Syncer makes one stream's writes durable. It is safe for concurrent use.
type Syncer struct {
	dir string // the stream's block directory

	mu      sync.Mutex
	cond    *sync.Cond
	running bool   // an fsync is under way
	waiting int    // callers waiting in Sync for an fsync (tests)
	started uint64 // fsyncs started
	done    uint64 // fsyncs finished
	want    uint64 // the highest sequence asked to be made durable
	failed  uint64 // the last fsync that failed (its number)
	failErr error
	newest  int           // the newest block file synced (0: none yet); the running fsync's
	moved   chan struct{} // closed (and replaced) when the watermark moves

	mark atomic.Uint64 // every sequence up to it is durable
}

// MsgDir is the block directory of stream in account on a server whose JetStream
// store directory is jsDir (server.JetStreamConfig().StoreDir: the "jetstream"
// directory under the server's StoreDir option).
func MsgDir(jsDir, account, stream string) string {
	return filepath.Join(jsDir, account, "streams", stream, "msgs")
}

// Open returns a Syncer for the stream whose block directory is msgDir, after
// fsyncing what is already there (every block, the stream's metadata and the
// directories): from then on, every sequence up to durable counts as durable.
func Open(msgDir string, durable uint64) (*Syncer, error) {
	s := &Syncer{dir: msgDir, moved: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	if err := s.syncAll(); err != nil {
		return nil, fmt.Errorf("jssync: %s: %w", msgDir, err)
	}
	s.mark.Store(durable)
	return s, nil
}

// syncAll fsyncs every file of the stream and its directories up to "streams".
func (s *Syncer) syncAll() error {
	blocks, err := s.blocks()
	if err != nil {
		return err
	}
	for _, n := range blocks {
		if err := fsync.Path(s.blockPath(n)); err != nil {
			return err
		}
		s.newest = max(s.newest, n)
	}
	streamDir := filepath.Dir(s.dir)
	entries, err := os.ReadDir(streamDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := fsync.Path(filepath.Join(streamDir, e.Name())); err != nil {
				return err
			}
		}
	}
	for _, d := range []string{s.dir, streamDir, filepath.Dir(streamDir)} {
		if err := fsync.Path(d); err != nil {
			return err
		}
	}
	return nil
}

// Sync makes durable every write acknowledged before the call, then counts every
// sequence up to upTo as durable. Calls that arrive while an fsync runs share the
// next one.
func (s *Syncer) Sync(upTo uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	need := s.started + 1 // an fsync that starts after this call
	s.want = max(s.want, upTo)
	for s.done < need {
		if s.running {
			s.waiting++
			s.cond.Wait()
			s.waiting--
			continue
		}
		s.running = true
		s.started++
		n, target := s.started, s.want
		s.mu.Unlock()
		err := s.fsync()
		s.mu.Lock()
		s.running, s.done = false, n
		if err != nil {
			s.failed, s.failErr = n, fmt.Errorf("jssync: make %s durable: %w", s.dir, err)
		} else if target > s.mark.Load() {
			s.mark.Store(target)
			close(s.moved)
			s.moved = make(chan struct{})
		}
		s.cond.Broadcast()
	}
	if s.failed >= need {
		return s.failErr
	}
	return nil
}

// Durable is the watermark: every sequence up to it is durable.
func (s *Syncer) Durable() uint64 { return s.mark.Load() }

// Moved returns a channel closed when the watermark next moves.
func (s *Syncer) Moved() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.moved
}

// fsync syncs the newest block, and before it any block the server started since the
// last fsync (and then the directory, which now names them). Only one runs at a time.
func (s *Syncer) fsync() error {
	grew := false
	for {
		_, err := os.Stat(s.blockPath(s.newest + 1))
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return err
		}
		if s.newest > 0 {
			if err := fsync.Path(s.blockPath(s.newest)); err != nil {
				return err
			}
		}
		s.newest++
		grew = true
	}
	if s.newest > 0 {
		err := fsync.Path(s.blockPath(s.newest))
		if errors.Is(err, fs.ErrNotExist) {
			// Not the layout this relies on (a block removed or renumbered): sync
			// everything there is, and start again from what is there.
			s.newest = 0
			return s.syncAll()
		}
		if err != nil {
			return err
		}
	}
	if grew {
		return fsync.Path(s.dir)
	}
	return nil
}

func (s *Syncer) blockPath(n int) string {
	return filepath.Join(s.dir, strconv.Itoa(n)+".blk")
}

// blocks lists the block numbers in the directory.
func (s *Syncer) blocks() ([]int, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".blk")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(name); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out, nil
}
