package projections

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// Load reads the snapshot, checks it and installs it into the read models, which must
// be empty, and returns its checkpoint: the runner resumes after it. Nothing is
// installed unless all of it was read and checked: on any error the read models are
// left as they were and the caller builds them from the log. ErrNoSnapshot when there
// is no file; ErrSnapshotFormat, ErrSnapshotCorrupt or ErrSnapshotForeign when there is
// one that cannot be used (it stays until the next snapshot replaces it).
//
// Checked: the format version and layout; the MAC over the whole file; that every
// section reads (all three before the store is needed: a prefetch may have done them
// while the store opened); that the store holds the checkpoint's event at the
// checkpoint's position, with its hash (a store that was reset or is another store
// does not). Then the blind indexes are opened again, with each case's key: those of a
// case erased since (its key destroyed) open to nothing, as on a rebuild.
func (s *Snapshots) Load(ctx context.Context, store eventstore.Store) (Checkpoint, error) {
	began := time.Now()
	removeTemps(filepath.Dir(s.path))
	pre, prefetched := s.takePrefetch(), true
	if pre == nil {
		pre, prefetched = s.prefetchNow(ctx), false
	}
	// Every case key is read while the file is read, checked and decoded: the key
	// store's scan waits on its own server more than it computes. Nothing is opened
	// with them before the whole file is authenticated.
	keysCtx, cancelKeys := context.WithCancel(ctx)
	defer cancelKeys() // an early return stops the scan
	keys := s.startKeys(keysCtx)
	r, err := pre.wait(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	waited := time.Now()
	if err := checkCheckpoint(ctx, store, r.parsed.checkpoint); err != nil {
		return Checkpoint{}, err
	}
	checked := time.Now()
	k := keys()
	if k.err != nil {
		return Checkpoint{}, k.err
	}
	m, err := openIndexes(ctx, r, k.open)
	if err != nil {
		return Checkpoint{}, err
	}
	opened := time.Now()
	if err := s.install(m); err != nil {
		return Checkpoint{}, err
	}
	s.loadKeys, _ = k.open.(*sealing.KeySet)
	s.mu.Lock()
	s.loaded, s.loadedAt = true, m.checkpoint
	s.mu.Unlock()
	s.lastCapture = time.Now() // as good as written now
	s.logger.Info("projections: snapshot loaded", "position", m.checkpoint.Position.String(), "cases", len(m.cases),
		"bytes", r.bytes, "written", r.parsed.writtenAt.Format(time.RFC3339), "took", time.Since(began).Round(time.Millisecond),
		// Where the time went: reading the file and its MAC, and decoding it (before
		// Load was called, when prefetched: "waited" is what Load still waited for
		// it); finding its checkpoint in the store; reading every case key at once
		// (meanwhile) and opening the blind indexes with them.
		"prefetched", prefetched, "read_took", r.readTook.Round(time.Millisecond), "decode_took", r.decodeTook.Round(time.Millisecond),
		"waited", waited.Sub(began).Round(time.Millisecond), "check_took", checked.Sub(waited).Round(time.Millisecond),
		"keys", k.n, "keys_took", k.took.Round(time.Millisecond), "open_took", opened.Sub(checked).Round(time.Millisecond))
	return m.checkpoint, nil
}

// takeLoadKeys returns the key set the last Load opened the blind indexes with (nil:
// none), once: a long catch-up after the load opens its cases' with it instead of
// reading every key again (at 1M cases, seconds); nobody keeps it longer.
func (s *Snapshots) takeLoadKeys() *sealing.KeySet {
	set := s.loadKeys
	s.loadKeys = nil
	return set
}

// takePrefetch returns the prefetch given for this snapshot file, once: a prefetch
// holds the decoded read models until they are installed.
func (s *Snapshots) takePrefetch() *SnapshotPrefetch {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.prefetch
	s.prefetch = nil
	return p
}

// checkCheckpoint checks that store holds cp's event at cp's position.
func checkCheckpoint(ctx context.Context, store eventstore.Store, cp Checkpoint) error {
	head, err := store.Head(ctx)
	if err != nil {
		return fmt.Errorf("snapshot: read head: %w", err)
	}
	if head.Before(cp.Position) {
		return fmt.Errorf("%w: its checkpoint %s is beyond the log's head %s", ErrSnapshotForeign, cp.Position, head)
	}
	recs, err := store.ReadStream(ctx, cp.Stream, cp.Revision)
	if errors.Is(err, eventstore.ErrStreamNotFound) || (err == nil && len(recs) == 0) {
		return fmt.Errorf("%w: the log has no event %d of its checkpoint's stream", ErrSnapshotForeign, cp.Revision)
	}
	if err != nil {
		return fmt.Errorf("snapshot: read its checkpoint's event: %w", err)
	}
	if got := recs[0]; got.Revision != cp.Revision || got.Position != cp.Position || got.Metadata.Hash != cp.Hash {
		return fmt.Errorf("%w: the log holds another event at its checkpoint %s", ErrSnapshotForeign, cp.Position)
	}
	return nil
}

// decodeSections reads every section, the case chunks in parallel: the case views
// come back by chunk, their blind indexes not opened yet (openIndexes).
func decodeSections(ctx context.Context, p *parsedSnapshot) (*readModels, [][]*CaseView, error) {
	m := &readModels{checkpoint: p.checkpoint}
	d := &dec{b: p.sections[sectionOrganisations]}
	m.orgs = decOrganisations(d)
	r := &dec{b: p.sections[sectionRevocations]}
	m.tokens, m.subjects = decRevocations(r)
	c := &dec{b: p.sections[sectionCommands]}
	m.commands = decCommands(c)
	if err := errors.Join(d.err, r.err, c.err); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrSnapshotCorrupt, err)
	}
	figures, err := dashboard.DecodeFigures(p.sections[sectionDashboard])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: dashboard: %w", ErrSnapshotCorrupt, err)
	}
	m.dashboard = figures

	chunks := make([][]*CaseView, len(p.caseChunks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, section := range p.caseChunks {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			d := &dec{b: section}
			views := decList(d, yielding(decCase)) // yield.go
			if d.err == nil && d.off != len(section) {
				d.fail("bytes after the last case")
			}
			if d.err != nil {
				return fmt.Errorf("%w: case chunk %d: %w", ErrSnapshotCorrupt, i, d.err)
			}
			chunks[i] = views
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	n := 0
	for _, views := range chunks {
		n += len(views)
	}
	if n != p.cases {
		return nil, nil, fmt.Errorf("%w: %d cases, its header says %d", ErrSnapshotCorrupt, n, p.cases)
	}
	return m, chunks, nil
}

// openIndexes opens every decoded view's blind indexes with u, in parallel (a case
// the key set lacks waits on the key store: more goroutines than cores), and returns
// the read models with their cases.
func openIndexes(ctx context.Context, r prefetched, u Unsealer) (*readModels, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	for _, views := range r.chunks {
		g.Go(func() error {
			var y yielder // yield.go
			for _, v := range views {
				y.tick()
				if err := openIndex(gctx, u, v); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	m := *r.models
	m.cases = make([]*CaseView, 0, r.parsed.cases)
	for _, views := range r.chunks {
		m.cases = append(m.cases, views...)
	}
	return &m, nil
}

// loadKeys is the unsealer a load opens the blind indexes with (loadUnsealer), once
// read.
type loadKeys struct {
	open Unsealer
	n    int
	took time.Duration
	err  error
}

// startKeys starts reading the load's unsealer and returns a function that waits for
// it.
func (s *Snapshots) startKeys(ctx context.Context) func() loadKeys {
	done := make(chan loadKeys, 1)
	go func() {
		began := time.Now()
		open, n, err := s.loadUnsealer(ctx)
		done <- loadKeys{open: open, n: n, took: time.Since(began), err: err}
	}()
	return sync.OnceValue(func() loadKeys { return <-done })
}

// loadUnsealer is what a load opens the blind indexes with: the case read model's
// unsealer, with every case key read at once if it can (Preloader), and how many keys
// that read.
func (s *Snapshots) loadUnsealer(ctx context.Context) (Unsealer, int, error) {
	u := s.cases.unsealer
	p, ok := u.(Preloader)
	if !ok {
		return u, 0, nil
	}
	set, err := p.Preload(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot: %w", err)
	}
	return set, set.Len(), nil
}

// openIndex opens a loaded view's sealed blind indexes with u, as applying its events
// did.
func openIndex(ctx context.Context, u Unsealer, v *CaseView) error {
	if v.State.Erased {
		return nil
	}
	for _, sealed := range v.SealedIndex {
		if err := ctx.Err(); err != nil {
			return err
		}
		tokens, err := openIndexWith(u, v.ID, sealed)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		v.BlindIndex = append(v.BlindIndex, tokens...)
	}
	return nil
}

// install puts m into the read models, all of which must still be empty.
func (s *Snapshots) install(m *readModels) error {
	tokens, subjects := s.revs.capture()
	if s.cases.Len() > 0 || len(s.orgs.capture()) > 0 || len(tokens)+len(subjects) > 0 {
		return fmt.Errorf("snapshot: %w", errNotEmpty)
	}
	if err := s.cases.restore(m.cases); err != nil {
		return err
	}
	if err := s.orgs.restore(m.orgs); err != nil {
		return err
	}
	if err := s.revs.restore(m.tokens, m.subjects); err != nil {
		return err
	}
	s.cmds.restore(m.commands)
	return s.cases.dash.restore(m.dashboard)
}
