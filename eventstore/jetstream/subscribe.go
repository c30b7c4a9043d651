package jetstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
)

const (
	// subscriptionBuffer is how many events a subscription holds for a slow reader.
	subscriptionBuffer = 256
	// consumerDeleteTimeout bounds the clean-up of a finished subscription.
	consumerDeleteTimeout = 2 * time.Second
)

// Subscribe follows the global log with an ordered consumer on all event subjects,
// starting at the message holding from (or the first message for Start) and skipping
// the events at or before from within it. The consumer delivers what is stored, then
// new messages as they are appended.
func (s *Store) Subscribe(ctx context.Context, from eventstore.Position) (eventstore.Subscription, error) {
	return s.subscribe(ctx, from, eventstore.DecodeRecord)
}

// SubscribeUnhashed is Subscribe with every event's Metadata.Hash left empty
// (eventstore.UnhashedSubscriber): for the read models' runner, which hashes only its
// checkpoint.
func (s *Store) SubscribeUnhashed(ctx context.Context, from eventstore.Position) (eventstore.Subscription, error) {
	return s.subscribe(ctx, from, eventstore.DecodeRecordUnhashed)
}

// subscribe is Subscribe decoding each record with decode.
func (s *Store) subscribe(ctx context.Context, from eventstore.Position,
	decode func(raw []byte) (eventstore.RecordedEvent, error)) (eventstore.Subscription, error) {
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subjectPrefix + ">"},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
	}
	if seq, _ := from.Parts(); seq > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = seq
	}

	if s.isClosed() {
		return nil, fmt.Errorf("subscribe: %w", eventstore.ErrClosed)
	}
	cons, err := s.js.OrderedConsumer(ctx, s.cfg.StreamName, cfg)
	if err != nil {
		return nil, s.opErr("subscribe", err)
	}
	msgs, err := cons.Messages()
	if err != nil {
		return nil, s.opErr("subscribe", err)
	}

	subCtx, cancel := context.WithCancel(ctx)
	sub := &subscription{
		events: make(chan eventstore.RecordedEvent, subscriptionBuffer),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed { // Close started meanwhile and is not waiting for this one
		cancel()
		msgs.Stop()
		return nil, fmt.Errorf("subscribe: %w", eventstore.ErrClosed)
	}
	s.subs.Add(1)
	stopOnClose := context.AfterFunc(s.ctx, cancel)
	go func() {
		defer s.subs.Done()
		defer stopOnClose()
		defer close(sub.done)
		defer s.deleteConsumer(cons)
		sub.run(subCtx, msgs, from, decode, s.waitDurable)
	}()
	return sub, nil
}

// deleteConsumer removes a finished subscription's consumer from the server now
// rather than when its inactivity threshold (5 minutes) runs out. Best effort.
func (s *Store) deleteConsumer(cons jetstream.Consumer) {
	info := cons.CachedInfo()
	if info == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), consumerDeleteTimeout)
	defer cancel()
	if err := s.js.DeleteConsumer(ctx, s.cfg.StreamName, info.Name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		s.log.Debug("delete subscription consumer", "consumer", info.Name, "err", err)
	}
}

// subscription implements eventstore.Subscription.
type subscription struct {
	events chan eventstore.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{} // closed once run returned and the consumer is deleted

	mu  sync.Mutex
	err error
}

func (sub *subscription) Events() <-chan eventstore.RecordedEvent { return sub.events }

func (sub *subscription) Err() error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.err
}

// Close ends the subscription and waits until its channel is closed.
func (sub *subscription) Close() {
	sub.cancel()
	<-sub.done
}

// run delivers the consumer's messages, each once it is durable (waitDurable).
func (sub *subscription) run(ctx context.Context, msgs jetstream.MessagesContext, from eventstore.Position,
	decode func(raw []byte) (eventstore.RecordedEvent, error), waitDurable func(context.Context, uint64) error) {
	defer close(sub.events)
	defer msgs.Stop()
	fail := func(err error) {
		sub.mu.Lock()
		sub.err = fmt.Errorf("subscribe: %w", err)
		sub.mu.Unlock()
	}
	var events []eventstore.RecordedEvent // one message's, reused: they leave by value
	for {
		msg, err := msgs.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() == nil {
				fail(err)
			}
			return
		}
		md, err := msg.Metadata()
		if err != nil {
			fail(err)
			return
		}
		events, err = appendMessageEvents(events[:0], decode, msg.Subject(), md.Sequence.Stream, msg.Headers(), msg.Data())
		if err != nil {
			fail(err)
			return
		}
		if err := waitDurable(ctx, md.Sequence.Stream); err != nil {
			if ctx.Err() == nil {
				fail(err)
			}
			return
		}
		for _, e := range events {
			if e.Position.Compare(from) <= 0 {
				continue // at or before from, in from's own message
			}
			select {
			case sub.events <- e:
			case <-ctx.Done():
				return
			}
		}
		clear(events) // hold no event of a message once it is handed on
	}
}
