package projections

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waymark-org/waymark/sealing"
)

// Defaults of SnapshotConfig.
const (
	// DefaultSnapshotEvery bounds the events a start applies after loading: about a
	// second at the rebuild's pace (BenchmarkRebuild: 40–60k events/s on 2 cores). A
	// write costs a pass over every view (about 35 µs of one core per case: 3.5 s for
	// 100,000 cases), so it is not made much more often: at a sustained 2,000 commands
	// a second this is a write every 25 s, at ordinary load every Interval.
	DefaultSnapshotEvery = 50_000
	// DefaultSnapshotInterval writes a snapshot at least this often while events come
	// in slowly, so a start never has a long tail to apply either.
	DefaultSnapshotInterval = 10 * time.Minute
)

// SnapshotConfig configures Snapshots.
type SnapshotConfig struct {
	// Dir holds the snapshot, Dir/readmodels.snap (created 0700 if missing).
	Dir string
	// HashKey is the service's hash key: the file's MAC is keyed with a key derived
	// from it.
	HashKey []byte
	// Every and Interval: once caught up, the runner writes a snapshot after Every
	// events applied since the last one, or at the first event at least Interval
	// after it, whichever comes first (defaults above); and once more when it stops.
	Every    int
	Interval time.Duration
	Logger   *slog.Logger // default slog.Default()
	// Prefetch, when it reads this Dir's file with this HashKey, is what the first
	// Load takes instead of reading the file (PrefetchSnapshot); any other is ignored.
	Prefetch *SnapshotPrefetch
}

// Snapshots keeps the read models in a file: loaded before the runner subscribes, so
// that a start applies only the events after the snapshot's checkpoint; written
// while it runs and when it stops cleanly. A runner uses it (Runner.UseSnapshots).
//
// Writing never holds up the events for long: between two events the runner takes a
// copy of the read models' state (the list of case views, which never change once
// handed out, and the smaller maps), then a goroutine encodes and writes it. One write
// at a time; a due write waits for the one in flight.
type Snapshots struct {
	path    string
	key     []byte
	every   int
	period  time.Duration
	logger  *slog.Logger
	cases   *Cases
	orgs    *Organisations
	revs    *Revocations
	cmds    *CommandIDs
	writing atomic.Bool
	wg      sync.WaitGroup

	// The runner's goroutine only.
	since       int       // events applied since the last capture
	lastCapture time.Time // zero: nothing loaded or written yet
	// loadKeys is the key set the last Load opened the blind indexes with, until the
	// runner takes it (takeLoadKeys).
	loadKeys *sealing.KeySet

	mu          sync.Mutex
	prefetch    *SnapshotPrefetch // for the first Load; nil once taken
	loaded      bool
	loadedAt    Checkpoint
	written     int
	lastWritten Checkpoint
}

// NewSnapshots returns the snapshots of these read models.
func NewSnapshots(cfg SnapshotConfig, cases *Cases, orgs *Organisations, revs *Revocations, cmds *CommandIDs) *Snapshots {
	s := &Snapshots{
		path: filepath.Join(cfg.Dir, snapshotFile), key: snapshotKey(cfg.HashKey),
		every: cfg.Every, period: cfg.Interval, logger: cfg.Logger,
		cases: cases, orgs: orgs, revs: revs, cmds: cmds,
	}
	if p := cfg.Prefetch; p != nil && p.path == s.path && bytes.Equal(p.key, s.key) {
		s.prefetch = p
	}
	if s.every <= 0 {
		s.every = DefaultSnapshotEvery
	}
	if s.period <= 0 {
		s.period = DefaultSnapshotInterval
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	return s
}

// Path is the snapshot file.
func (s *Snapshots) Path() string { return s.path }

// Loaded returns the checkpoint of the snapshot loaded at start, if one was.
func (s *Snapshots) Loaded() (Checkpoint, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadedAt, s.loaded
}

// Written returns how many snapshots were written and the checkpoint of the last.
func (s *Snapshots) Written() (int, Checkpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written, s.lastWritten
}

// Wait waits for the write in flight, if any. Call it while no event is applied: a
// write due at an event is under way before Runner.WaitFor of that event returns.
func (s *Snapshots) Wait() { s.wg.Wait() }

// applied is called by the runner after each event, between events: the read models
// agree with cp, whose hash may be left to make from raw, its event's stored bytes. It
// starts a write when one is due.
func (s *Snapshots) applied(cp Checkpoint, raw []byte, ready bool) {
	s.since++
	if !ready || s.writing.Load() {
		return // catching up (a snapshot now would slow the catch-up), or one in flight
	}
	if s.since < s.every && time.Since(s.lastCapture) < s.period {
		return
	}
	m := s.capture(cp.hashed(raw))
	s.writing.Store(true)
	s.wg.Go(func() {
		defer s.writing.Store(false)
		s.write(m)
	})
}

// final writes a last snapshot when the runner stopped cleanly, if it applied
// anything since the last one.
func (s *Snapshots) final(cp Checkpoint) {
	s.wg.Wait()
	s.mu.Lock()
	last := s.lastWritten
	if s.written == 0 && s.loaded {
		last = s.loadedAt
	}
	s.mu.Unlock()
	if cp.Position.IsStart() || cp.Position == last.Position {
		return
	}
	s.write(s.capture(cp))
}

// capture takes the read models' state at cp. Only between two events.
func (s *Snapshots) capture(cp Checkpoint) *readModels {
	s.since, s.lastCapture = 0, time.Now()
	m := &readModels{checkpoint: cp, cases: s.cases.capture(), orgs: s.orgs.capture(), commands: s.cmds.capture()}
	m.tokens, m.subjects = s.revs.capture()
	m.figures = s.cases.dash.capture()
	return m
}

// write encodes m and writes it. A snapshot is only a shortcut: a failure is logged,
// and the next start applies more of the log.
func (s *Snapshots) write(m *readModels) {
	began := time.Now()
	n, err := writeSnapshotFile(s.path, s.key, m)
	if err != nil {
		s.logger.Error("projections: snapshot not written", "err", err)
		return
	}
	s.mu.Lock()
	s.written++
	s.lastWritten = m.checkpoint
	s.mu.Unlock()
	s.logger.Info("projections: snapshot written", "position", m.checkpoint.Position.String(), "cases", len(m.cases),
		"bytes", n, "took", time.Since(began).Round(time.Millisecond))
}
