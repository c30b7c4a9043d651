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

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// Envelope is one event of the global log, decoded for projections.
type Envelope struct {
	Record eventstore.RecordedEvent
	Event  domain.Event
	Extras codec.Extras // the event's personal sub-object as stored (opaque here) and blind index
}

// Projection is a read model fed by the Runner. Apply is called from one goroutine,
// in global order; a projection guards its own state against concurrent readers.
type Projection interface {
	Apply(env Envelope) error
}

// Runner feeds projections from the global log and tracks how far it got.
type Runner struct {
	store       eventstore.Store
	projections []Projection
	logger      *slog.Logger

	mu      sync.Mutex
	applied eventstore.Position // checkpoint: the last position applied
	changed chan struct{}       // closed and replaced whenever applied moves or ready flips
	ready   bool                // caught up with the head seen at start
	err     error
	stopped bool
}

// NewRunner returns a runner for the given projections, starting from Start.
func NewRunner(store eventstore.Store, logger *slog.Logger, projections ...Projection) *Runner {
	return &Runner{store: store, projections: projections, logger: logger, changed: make(chan struct{})}
}

// ErrStopped is returned to waiters when the runner stopped before reaching them.
var ErrStopped = errors.New("projections stopped")

// Run subscribes from the checkpoint and applies events until ctx ends. It returns
// nil on cancellation and the cause on failure.
func (r *Runner) Run(ctx context.Context) error {
	err := r.run(ctx)
	r.mu.Lock()
	r.stopped = true
	if err != nil {
		r.err = err
	}
	r.notifyLocked()
	r.mu.Unlock()
	return err
}

func (r *Runner) run(ctx context.Context) error {
	head, err := r.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: read head: %w", err)
	}
	from := r.Position()
	if !from.Before(head) {
		r.markReady()
	}
	sub, err := r.store.Subscribe(ctx, from)
	if err != nil {
		return fmt.Errorf("projections: subscribe from %s: %w", from, err)
	}
	defer sub.Close()
	for rec := range sub.Events() {
		if err := r.apply(rec); err != nil {
			return err
		}
		if !rec.Position.Before(head) {
			r.markReady()
		}
	}
	if err := sub.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("projections: subscription: %w", err)
	}
	return nil
}

func (r *Runner) apply(rec eventstore.RecordedEvent) error {
	if kind, _, _ := eventstore.SplitStreamName(rec.Stream); kind == eventstore.KindCase || kind == eventstore.KindOrganisation || kind == eventstore.KindRevocation {
		event, extras, err := codec.Decode(rec)
		if err != nil {
			return fmt.Errorf("projections: %w", err)
		}
		env := Envelope{Record: rec, Event: event, Extras: extras}
		for _, p := range r.projections {
			if err := p.Apply(env); err != nil {
				return fmt.Errorf("projections: apply %s %s revision %d: %w", rec.Type, rec.Stream, rec.Revision, err)
			}
		}
	}
	r.mu.Lock()
	r.applied = rec.Position
	r.notifyLocked()
	r.mu.Unlock()
	return nil
}

func (r *Runner) markReady() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ready {
		r.ready = true
		r.notifyLocked()
		r.logger.Info("projections caught up", "position", r.applied.String())
	}
}

func (r *Runner) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// Position returns the checkpoint: the last position applied.
func (r *Runner) Position() eventstore.Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.applied
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
	for {
		r.mu.Lock()
		ready, changed, stopped := r.ready, r.changed, r.stopped
		r.mu.Unlock()
		if ready {
			return nil
		}
		if stopped {
			return ErrStopped
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
