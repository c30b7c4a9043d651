// Package projections builds read models from the global log, and only from it.
//
// A Runner subscribes to the store from its checkpoint and hands each event, decoded
// once, to every registered projection in global order. Callers can wait until a
// position is applied (read-your-writes).
package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/gcroom"
	"github.com/waymark-org/waymark/sealing"
)

// Envelope is one event of the global log, decoded for projections.
type Envelope struct {
	Record eventstore.RecordedEvent
	Event  domain.Event
	// Extras are the event's personal sub-object as stored (opaque here) and blind
	// index. They alias the record's bytes (codec.DecodeShared): a projection keeps a
	// copy (Extras.Clone), never them.
	Extras codec.Extras
}

// Projection is a read model fed by the Runner. Apply is called from one goroutine,
// in global order; a projection guards its own state against concurrent readers.
type Projection interface {
	Apply(env Envelope) error
}

// Checkpoint is how far the read models got: the last event applied, by its position
// in the global log and by what identifies it in its stream. A snapshot carries it,
// and a snapshot is only trusted by a store that holds this very event (its hash) at
// this very position: a store that was reset, or another store, does not.
type Checkpoint struct {
	Position eventstore.Position
	Stream   string
	Revision uint64
	Hash     string
}

// Runner feeds projections from the global log and tracks how far it got.
type Runner struct {
	store       eventstore.Store
	projections []Projection
	logger      *slog.Logger
	snapshots   *Snapshots                 // nil: always built from the log
	fromZero    bool                       // write snapshots but never load one (a rebuild)
	observe     func(recordedAt time.Time) // ObserveApplied's; nil: none
	// catchUpKeysMin is how far behind the head Run must start for a catch-up
	// (catchUpper); catchUpKeysMin in production, changed by tests.
	catchUpKeysMin uint64

	// applyMu is held while one event is applied and published: Hold takes it to keep
	// the read models still between two events.
	applyMu sync.Mutex
	// snapshotsOff stops snapshot writes (set and cleared under applyMu): a rebuild
	// under way beside this runner writes the file, and a retired runner never does.
	snapshotsOff atomic.Bool
	events       atomic.Int64  // events received from the log since Run began
	headAtStart  atomic.Uint64 // the log's head when Run began, as an ordinal (Progress)
	reached      atomic.Uint64 // the last applied event's ordinal (Progress)

	mu      sync.Mutex
	applied eventstore.Position // checkpoint: the last position applied
	last    Checkpoint          // the event at applied
	lastRaw []byte              // its stored bytes while its hash is not made (Checkpoint.hashed)
	// changed is closed and replaced when applied moves, ready flips or the runner
	// stops, if a waiter took it since it was made (watched): a rebuild moves applied
	// millions of times, mostly with nobody waiting, and made a channel of garbage
	// each time. settled is closed once, when the runner is ready or stopped, so that
	// a wait for ready (the node's, retention's) no longer wakes at every event.
	changed chan struct{}
	watched bool
	settled chan struct{}
	ready   bool // caught up with the head seen at start
	started bool
	err     error
	stopped bool
}

// NewRunner returns a runner for the given projections, starting from Start.
func NewRunner(store eventstore.Store, logger *slog.Logger, projections ...Projection) *Runner {
	return &Runner{store: store, projections: projections, logger: logger,
		changed: make(chan struct{}), settled: make(chan struct{}), catchUpKeysMin: catchUpKeysMin}
}

// ErrStopped is returned to waiters when the runner stopped before reaching them.
var ErrStopped = errors.New("projections stopped")

// ErrRunning refuses to change where a runner starts once it runs.
var ErrRunning = errors.New("projections already running")

// errApply marks a failure to apply an event: the projections may disagree.
var errApply = errors.New("apply")

// UseSnapshots has Run load the read models from s before it subscribes (from the
// snapshot's checkpoint, or from the start when there is none or it is discarded),
// write them to s as events are applied, and once more when Run ends (unless an event
// failed to apply). Call it before Run.
func (r *Runner) UseSnapshots(s *Snapshots) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return ErrRunning
	}
	r.snapshots = s
	return nil
}

// WriteSnapshots is UseSnapshots for a rebuild: Run builds the read models from the
// start of the log whatever the file holds, and writes s as UseSnapshots does (first
// once it has caught up). Call it before Run.
func (r *Runner) WriteSnapshots(s *Snapshots) error {
	if err := r.UseSnapshots(s); err != nil {
		return err
	}
	r.mu.Lock()
	r.fromZero = true
	r.mu.Unlock()
	return nil
}

// ObserveApplied has Run call f with the recorded-at time of every event it applies
// once it has caught up (the events replayed at start are not live: their age is not
// the read models' delay). The metrics time how long events take to reach the read
// models with it. Call it before Run.
func (r *Runner) ObserveApplied(f func(recordedAt time.Time)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return ErrRunning
	}
	r.observe = f
	return nil
}

// Run subscribes from the checkpoint and applies events until ctx ends. It returns
// nil on cancellation and the cause on failure. With snapshots, it first loads them,
// and when it stops writes a last one — never after a projection failed to apply an
// event, which may have left the event applied to some projections and not others.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	r.started = true
	r.mu.Unlock()
	err := r.run(ctx)
	if r.snapshots != nil && !errors.Is(err, errApply) && !r.snapshotsOff.Load() {
		r.snapshots.final(r.Checkpoint())
	}
	r.mu.Lock()
	if !r.ready && !r.stopped {
		close(r.settled)
	}
	r.stopped = true
	if err != nil {
		r.err = err
	}
	r.notifyLocked()
	r.mu.Unlock()
	return err
}

func (r *Runner) run(ctx context.Context) error {
	r.mu.Lock()
	fromZero, observe := r.fromZero, r.observe
	r.mu.Unlock()
	if r.snapshots != nil && !fromZero {
		if err := r.load(ctx); err != nil {
			return err
		}
	}
	head, err := r.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: read head: %w", err)
	}
	major, _ := head.Parts()
	r.headAtStart.Store(major)
	from := r.Position()
	ready := !from.Before(head)
	if ready {
		r.markReady()
	}
	var loadKeys *sealing.KeySet // taken whatever follows: kept no longer than the load
	if r.snapshots != nil {
		loadKeys = r.snapshots.takeLoadKeys()
	}
	endCatchUp := func() {}
	if fromMajor, _ := from.Parts(); !ready && major-fromMajor >= r.catchUpKeysMin {
		endCatchUp = r.catchUp(ctx, loadKeys)
	}
	defer endCatchUp()
	sub, err := subscribeUnhashed(ctx, r.store, from)
	if err != nil {
		return fmt.Errorf("projections: subscribe from %s: %w", from, err)
	}
	decodeCtx, stopDecoding := context.WithCancel(ctx)
	decoded, decoderDone := decodeAhead(decodeCtx, sub.Events())
	defer func() {
		stopDecoding()
		sub.Close() // which ends the decoder's reading
		decoderDone()
	}()
	for d := range decoded {
		rec := d.env.Record
		r.applyMu.Lock()
		if ctx.Err() != nil {
			r.applyMu.Unlock()
			break // released from a Hold after the end: a retired runner applies no more
		}
		if err := r.apply(d); err != nil {
			r.applyMu.Unlock()
			return err
		}
		r.events.Add(1)
		major, _ := rec.Position.Parts()
		r.reached.Store(major)
		live := ready // appended since Run began reading: its age is the delay
		caughtUp := !ready && !rec.Position.Before(head)
		ready = ready || caughtUp
		// The hash is made when the checkpoint is first read (hashed): most never are.
		cp := Checkpoint{Position: rec.Position, Stream: rec.Stream, Revision: rec.Revision, Hash: rec.Metadata.Hash}
		if r.snapshots != nil && !r.snapshotsOff.Load() {
			// Here, between two events, every projection holds the same events; and
			// before the position is published, so that whoever waits for it finds
			// any snapshot it makes due already under way (Snapshots.Wait).
			r.snapshots.applied(cp, rec.Raw, ready)
		}
		r.advanceTo(cp, rec.Raw)
		if caughtUp {
			// The catch-up ends first: whoever waits for ready finds its key set
			// dropped and the collector's room given back.
			endCatchUp()
			r.markReady()
		}
		r.applyMu.Unlock()
		if live && observe != nil {
			observe(rec.Metadata.RecordedAt)
		}
	}
	if err := sub.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("projections: subscription: %w", err)
	}
	return nil
}

// apply folds one decoded event into every projection.
func (r *Runner) apply(d decodedEvent) error {
	if d.err != nil || !d.folds {
		return d.err
	}
	rec := d.env.Record
	for _, p := range r.projections {
		if err := p.Apply(d.env); err != nil {
			return fmt.Errorf("projections: %w %s %s revision %d: %w", errApply, rec.Type, rec.Stream, rec.Revision, err)
		}
	}
	return nil
}

// catchUp tells the projections that prepare for a long catch-up (catchUpper) that
// one begins, and gives the collector room for it (gcroom: the catch-up's garbage is
// most of what it allocates); it returns the function that ends both, which may be
// called more than once.
func (r *Runner) catchUp(ctx context.Context, loadKeys *sealing.KeySet) func() {
	ends := []func(){gcroom.Begin()}
	for _, p := range r.projections {
		if c, ok := p.(catchUpper); ok {
			ends = append(ends, c.catchUp(ctx, r.logger, loadKeys))
		}
	}
	return sync.OnceFunc(func() {
		for _, end := range ends {
			end()
		}
	})
}

// advance publishes the checkpoint: waiters for it wake.
func (r *Runner) advance(cp Checkpoint) { r.advanceTo(cp, nil) }

// advanceTo is advance for a checkpoint whose hash may be left to make from raw, its
// event's stored bytes (kept until then: one record).
func (r *Runner) advanceTo(cp Checkpoint, raw []byte) {
	r.mu.Lock()
	r.applied, r.last, r.lastRaw = cp.Position, cp, raw
	r.notifyLocked()
	r.mu.Unlock()
}

// subscribeUnhashed follows the log from from without hashing every event, where the
// store can (eventstore.UnhashedSubscriber): the runner hashes only the checkpoints it
// reads.
func subscribeUnhashed(ctx context.Context, store eventstore.Store, from eventstore.Position) (eventstore.Subscription, error) {
	if s, ok := store.(eventstore.UnhashedSubscriber); ok {
		return s.SubscribeUnhashed(ctx, from)
	}
	return store.Subscribe(ctx, from)
}

// hashed returns cp with its hash, made from raw (its event's stored bytes) if the
// subscription left it out.
func (cp Checkpoint) hashed(raw []byte) Checkpoint {
	if cp.Hash == "" && raw != nil {
		cp.Hash = eventstore.HashOf(raw)
	}
	return cp
}

// load loads the snapshot into the projections and resumes after its checkpoint. A
// snapshot that cannot be used is discarded with a log line (never its contents) and
// the projections are built from the start of the log: only the end of ctx stops Run.
func (r *Runner) load(ctx context.Context) error {
	cp, err := r.snapshots.Load(ctx, r.store)
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("projections: load snapshot: %w", ctx.Err())
	case errors.Is(err, ErrNoSnapshot):
		r.logger.Info("projections: no snapshot; building the read models from the log")
		return nil
	case err != nil:
		r.logger.Warn("projections: snapshot discarded; building the read models from the log", "err", err)
		return nil
	}
	for _, p := range r.projections {
		if d, ok := p.(restorer); ok { // derived from the loaded models, not kept in the snapshot
			d.Restored()
		}
	}
	r.advance(cp)
	return nil
}

func (r *Runner) markReady() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ready && !r.stopped {
		r.ready = true
		close(r.settled)
		r.notifyLocked()
		r.logger.Info("projections caught up", "position", r.applied.String())
	}
}

func (r *Runner) notifyLocked() {
	if r.watched {
		close(r.changed)
		r.changed, r.watched = make(chan struct{}), false
	}
}

// Position returns the checkpoint: the last position applied.
func (r *Runner) Position() eventstore.Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied
}

// Checkpoint returns the last event applied (the zero Checkpoint before any).
func (r *Runner) Checkpoint() Checkpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last, r.lastRaw = r.last.hashed(r.lastRaw), nil
	return r.last
}

// Ready reports whether the runner has caught up with the log as it was at start.
func (r *Runner) Ready() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ready && !r.stopped
}

// WaitFor blocks until position p is applied, ctx ends, or the runner stops.
func (r *Runner) WaitFor(ctx context.Context, p eventstore.Position) error {
	for {
		r.mu.Lock()
		applied, changed, stopped, err := r.applied, r.changed, r.stopped, r.err
		r.watched = true
		r.mu.Unlock()
		switch {
		case !applied.Before(p):
			return nil
		case stopped:
			if err != nil {
				return fmt.Errorf("%w: %v", ErrStopped, err)
			}
			return ErrStopped
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for position %s: %w", p, ctx.Err())
		}
	}
}

// WaitReady blocks until the runner has caught up, ctx ends, or the runner stops.
func (r *Runner) WaitReady(ctx context.Context) error {
	select {
	case <-r.settled:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ready {
		return nil
	}
	return ErrStopped
}
