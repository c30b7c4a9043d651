package memstore

import (
	"context"
	"fmt"

	"github.com/waymark-org/waymark/eventstore"
)

// subscriptionBuffer is how many events a subscription holds for a slow reader (as the
// JetStream store's).
const subscriptionBuffer = 256

// Subscribe delivers every event after position from in global order: those stored,
// then new ones as they are appended, until ctx ends, the subscription is closed or
// the store closes (Err nil in all three).
func (s *Store) Subscribe(ctx context.Context, from eventstore.Position) (eventstore.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("subscribe: %w", eventstore.ErrClosed)
	}
	l := s.log
	l.mu.Lock()
	next := l.after(from)
	l.mu.Unlock()

	subCtx, cancel := context.WithCancel(ctx)
	sub := &subscription{events: make(chan eventstore.RecordedEvent, subscriptionBuffer), cancel: cancel, done: make(chan struct{})}
	stopOnClose := context.AfterFunc(s.ctx, cancel)
	s.subs.Add(1)
	go func() {
		defer s.subs.Done()
		defer stopOnClose()
		defer close(sub.done)
		defer close(sub.events)
		sub.run(subCtx, l, next)
	}()
	return sub, nil
}

// subscription implements eventstore.Subscription. Nothing fails in memory, so Err is
// always nil.
type subscription struct {
	events chan eventstore.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{}
}

func (sub *subscription) Events() <-chan eventstore.RecordedEvent { return sub.events }
func (sub *subscription) Err() error                              { return nil }

// Close ends the subscription and waits until its channel is closed.
func (sub *subscription) Close() {
	sub.cancel()
	<-sub.done
}

// run sends the log from index next on, waiting for appends when it has sent all.
func (sub *subscription) run(ctx context.Context, l *memLog, next int) {
	for {
		l.mu.Lock()
		batch := l.events[next:len(l.events):len(l.events)] // stored events never change
		wake := l.changed
		l.mu.Unlock()
		for _, e := range batch {
			select {
			case sub.events <- copyEvent(e):
			case <-ctx.Done():
				return
			}
		}
		next += len(batch)
		if len(batch) > 0 {
			continue
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return
		}
	}
}
