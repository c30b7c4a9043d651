package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/waymark-org/waymark/eventstore"
)

// Subscribe follows $all after from, filtered on the server to this store's streams:
// a catch-up subscription (stored events, then live ones). A dropped subscription is
// opened again after the last event delivered, for as long as transient failures
// last (RetryFor), so a server restart or a leader change is a pause, not an end.
func (s *Store) Subscribe(ctx context.Context, from eventstore.Position) (eventstore.Subscription, error) {
	if s.isClosed() {
		return nil, fmt.Errorf("subscribe: %w", eventstore.ErrClosed)
	}
	ctx, cancel := context.WithCancel(ctx)
	sub := &subscription{events: make(chan eventstore.RecordedEvent, 256), cancel: cancel, done: make(chan struct{})}
	inner, err := s.subscribe(ctx, from)
	if err != nil {
		cancel()
		return nil, err
	}
	s.subs.Add(1)
	go func() {
		defer s.subs.Done()
		defer close(sub.done)
		defer close(sub.events)
		defer cancel()
		sub.err = s.follow(ctx, inner, from, sub.events)
	}()
	return sub, nil
}

// subscribe opens the server's subscription after from, retrying transient failures.
func (s *Store) subscribe(ctx context.Context, from eventstore.Position) (*esdb.Subscription, error) {
	opts := esdb.SubscribeToAllOptions{
		From:   esdb.Start{},
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: s.prefixes},
		// The server sends a checkpoint every 32 windows of non-matching events; the
		// store has no use for them, but a smaller window keeps a quiet filter alive.
		MaxSearchWindow:    32,
		CheckpointInterval: 32,
	}
	if !from.IsStart() {
		commit, prepare := from.Parts()
		opts.From = esdb.Position{Commit: commit, Prepare: prepare}
	}
	return retry(ctx, s, "subscribe", func(c *esdb.Client) (*esdb.Subscription, error) {
		return c.SubscribeToAll(s.ctx, opts)
	})
}

// follow delivers inner's events to out until ctx ends or the store closes (nil), or
// the subscription fails for good. A drop is followed by a new subscription after the
// last event delivered.
func (s *Store) follow(ctx context.Context, inner *esdb.Subscription, from eventstore.Position, out chan<- eventstore.RecordedEvent) error {
	// The library's subscription ends with the context it was opened with: the store's,
	// so that a caller's ctx ending is told from a drop here.
	stop := context.AfterFunc(ctx, func() { _ = inner.Close() })
	defer func() { stop(); _ = inner.Close() }()
	last := from
	var dropped time.Time
	for {
		ev := inner.Recv()
		switch {
		case ev.EventAppeared != nil:
			e, err := s.decode(ev.EventAppeared)
			if err != nil {
				return fmt.Errorf("subscription: %w", err)
			}
			if !last.Before(e.Position) { // never twice, whatever a resubscription sends
				continue
			}
			dropped = time.Time{}
			select {
			case out <- e:
				last = e.Position
			case <-ctx.Done():
				return nil
			case <-s.ctx.Done():
				return nil
			}
		case ev.SubscriptionDropped != nil:
			if ctx.Err() != nil || s.isClosed() {
				return nil
			}
			err := ev.SubscriptionDropped.Error
			if !transient(err) {
				return fmt.Errorf("subscription dropped: %w", securityErr(err))
			}
			if dropped.IsZero() {
				dropped = time.Now()
			}
			if time.Since(dropped) > s.cfg.RetryFor {
				return fmt.Errorf("subscription dropped; KurrentDB still unreachable after %s: %w", s.cfg.RetryFor, err)
			}
			s.logger.Warn("kurrentdb: subscription dropped; resubscribing", "after", last.String(), "err", err)
			_ = inner.Close()
			stop()
			next, err := s.subscribe(ctx, last)
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, eventstore.ErrClosed) {
					return nil
				}
				return err
			}
			inner = next
			stop = context.AfterFunc(ctx, func() { _ = inner.Close() })
		}
		// Checkpoints, caught-up and fell-behind notices: nothing to deliver.
	}
}

type subscription struct {
	events chan eventstore.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func (s *subscription) Events() <-chan eventstore.RecordedEvent { return s.events }

// Err says why the subscription ended; read it after Events is closed.
func (s *subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

func (s *subscription) Close() { s.cancel() }
