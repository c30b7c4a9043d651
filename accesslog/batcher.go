package accesslog

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// batcher turns many concurrent Record calls into few publish rounds, with
// back-pressure instead of failure when they come faster than the server takes them:
//
//   - a round carries at most MaxRound entries, and one round is in flight at a time,
//     so the asynchronous publishes a sink has outstanding stay bounded (the JetStream
//     sink's client, nats.go, fails every publish past its limit: one heavy reader
//     used to fail everyone's reads);
//   - at most maxQueued entries wait at once; a caller past that waits for room,
//     for as long as its context allows, rather than fail;
//   - rounds take entries from the waiting calls in turn (round robin), so a call
//     with many entries cannot starve the calls queued behind it;
//   - each entry's publish succeeds or fails on its own: a call fails only when one
//     of its own entries could not be stored.
type batcher struct {
	publish func(context.Context, []Entry) []error
	metrics Metrics // nil: none
	room    *semaphore.Weighted

	mu      sync.Mutex
	queue   []*call // calls with entries not yet in a round, oldest first
	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

// MaxRound is the most entries a Sink is given in one Publish.
const MaxRound = 256

// Bounds of the batcher; see above.
const (
	maxQueued = 8192
	// publishTimeout bounds one round; a read waiting on it fails rather than hang.
	publishTimeout = 10 * time.Second
)

var errClosed = errors.New("access log closed")

// call is one Record call on its way through rounds.
type call struct {
	entries []Entry
	next    int // entries[:next] went into rounds
	weight  int64
	err     error
	result  chan error // gets the call's outcome once
}

func newBatcher(publish func(context.Context, []Entry) []error, m Metrics) *batcher {
	b := &batcher{
		publish: publish, metrics: m, room: semaphore.NewWeighted(maxQueued),
		kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{}),
	}
	go b.run()
	return b
}

// add queues entries and waits until they are stored, they fail, or ctx ends. A
// call larger than the whole queue takes all of it.
func (b *batcher) add(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	c := &call{entries: entries, weight: min(int64(len(entries)), maxQueued), result: make(chan error, 1)}
	if err := b.room.Acquire(ctx, c.weight); err != nil {
		return err // the caller gave up while waiting for room: nothing was queued
	}
	b.mu.Lock()
	select {
	case <-b.done:
		b.mu.Unlock()
		b.room.Release(c.weight)
		return errClosed
	default:
	}
	b.queue = append(b.queue, c)
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
	select {
	case err := <-c.result:
		return err
	case <-ctx.Done():
		// Its entries may still be stored; the read they were for fails all the same.
		return ctx.Err()
	}
}

func (b *batcher) run() {
	defer close(b.stopped)
	for {
		select {
		case <-b.kick:
		case <-b.done:
			b.failQueued(errClosed)
			return
		}
		for {
			round, owners := b.takeRound()
			if len(round) == 0 {
				break
			}
			ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
			started := time.Now()
			errs := b.publish(ctx, round)
			cancel()
			b.observe(len(round), errs, time.Since(started))
			b.finish(owners, errs)
		}
	}
}

// observe reports a round to the metrics.
func (b *batcher) observe(entries int, errs []error, took time.Duration) {
	if b.metrics == nil {
		return
	}
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	b.metrics.AccessLogRound(entries, failed, took)
}

// takeRound takes up to MaxRound entries, one from each waiting call in turn. owners
// holds, for each entry, the call it came from.
func (b *batcher) takeRound() ([]Entry, []*call) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var round []Entry
	var owners []*call
	for len(round) < MaxRound && len(b.queue) > 0 {
		for _, c := range b.queue {
			if len(round) == MaxRound {
				break
			}
			if c.next == len(c.entries) {
				continue
			}
			round = append(round, c.entries[c.next])
			owners = append(owners, c)
			c.next++
		}
		kept := b.queue[:0]
		for _, c := range b.queue {
			if c.next < len(c.entries) {
				kept = append(kept, c)
			}
		}
		b.queue = kept
	}
	return round, owners
}

// finish records a round's outcome per entry and answers the calls it completed.
func (b *batcher) finish(owners []*call, errs []error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := map[*call]bool{}
	for i, c := range owners {
		if errs[i] != nil && c.err == nil {
			c.err = errs[i]
		}
		seen[c] = true
	}
	for c := range seen {
		if c.next == len(c.entries) { // its last entries were in this round
			b.complete(c, c.err)
		}
	}
}

func (b *batcher) complete(c *call, err error) {
	c.result <- err
	b.room.Release(c.weight)
}

func (b *batcher) failQueued(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.queue {
		b.complete(c, err)
	}
	b.queue = nil
}

func (b *batcher) close() {
	b.mu.Lock()
	select {
	case <-b.done:
	default:
		close(b.done)
	}
	b.mu.Unlock()
	<-b.stopped
}
