// Package jsbatch is group commit for JetStream: appends that arrive together are made
// durable together where the server would otherwise fsync each message on its own.
// The event store, the access log and the key store use it.
//
// Files, one concern each:
//   - jsbatch.go: the committer — a queue of appends, gathered into rounds
//   - synced.go: rounds made durable by one fsync of ours (internal/jssync), on an
//     embedded server that does not fsync on its own
//   - atomic.go: rounds made durable as one atomic batch, on a server that fsyncs
//     every message (sync_always)
package jsbatch

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Group commit. However many writers there are, a server that fsyncs every message
// makes appends durable one fsync at a time: the disk's raw write+fsync rate, a few
// thousand a second here. The committer gathers the appends that arrive while it is
// busy into a round and makes the round durable at once, in one of two ways:
//
//   - Synced (Options.Sync set): the server does not fsync on its own; the round is
//     published, pipelined, and once the server has acknowledged (written) every
//     message, one fsync of the stream (Options.Sync) makes them all durable before
//     any is answered. No fixed cost: one writer pays one fsync, as without
//     batching — and a writer alone publishes and syncs itself, with no goroutine
//     between it and the server (see publishAlone).
//   - Atomic: the server fsyncs every message; an atomic batch publish (JetStream
//     2.12+) is stored and fsynced as one. A batch has a fixed cost (the server
//     stages it in a file store of its own, ~3–4 ms here), so few waiting appends go
//     one by one and batches start where they win (minBatch). One conflict fails a
//     whole batch without saying which message: the round is then published again
//     one by one, so each append gets its own answer.
//
// Either way each append stays one message with its own expected last subject
// sequence, so per-stream optimistic concurrency and the one global order are
// unchanged, and a round holds at most one message per subject (a second append to
// a subject waits for the next round).
type Committer struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	sync     func(ctx context.Context, upTo uint64) error // nil: atomic batches
	minBatch int
	maxBatch int

	queue chan *pendingAppend
	stop  chan struct{}
	done  chan struct{}

	mu        sync.Mutex
	rounds    uint64 // rounds committed (tests)
	grouped   uint64 // rounds that made more than one append durable at once (tests)
	fallbacks uint64 // atomic batches that failed and went out one by one (tests)

	writers atomic.Int64 // appends under way (synced: who goes alone)

	gatherNext atomic.Int64 // tests: the next round waits until this many appends wait (GatherNext)
}

// Options configure a committer.
type Options struct {
	// Sync, when set, makes every write to the stream acknowledged so far durable,
	// and counts the sequences up to upTo as durable (jssync.Syncer.Sync, or its
	// remote form): the committer publishes rounds and syncs them. When nil the
	// server is taken to fsync every message, and rounds go out as atomic batches.
	Sync func(ctx context.Context, upTo uint64) error
}

// Defaults: atomic batches start at 16 waiting appends, where one batch costs about
// what 16 fsyncs do (measured with sync=always on these machines: BENCHMARKS.md),
// and rounds stay well under the server's limit of 1,000 messages a batch.
const (
	defaultMinBatch = 16
	defaultMaxBatch = 512
)

// pendingAppend is one message waiting to be made durable.
type pendingAppend struct {
	msg    *nats.Msg
	expect uint64 // the subject's expected last sequence
	result chan publishResult
}

type publishResult struct {
	seq uint64
	err error
}

// New starts a committer publishing on nc; Close stops it.
func New(nc *nats.Conn, js jetstream.JetStream, opts Options) *Committer {
	c := &Committer{
		nc: nc, js: js, sync: opts.Sync, minBatch: defaultMinBatch, maxBatch: defaultMaxBatch,
		queue: make(chan *pendingAppend, 4*defaultMaxBatch),
		stop:  make(chan struct{}), done: make(chan struct{}),
	}
	go c.run()
	return c
}

// Publish makes msg durable after the subject's message expect and returns its
// stream sequence. A wrong expected sequence comes back as the server's error (see
// IsWrongLastSequence). If ctx ends first the outcome is unknown, as with any publish.
func (c *Committer) Publish(ctx context.Context, msg *nats.Msg, expect uint64) (uint64, error) {
	alone := c.writers.Add(1) == 1
	defer c.writers.Add(-1)
	if alone && c.sync != nil {
		return c.publishAlone(ctx, msg, expect)
	}
	p := &pendingAppend{msg: msg, expect: expect, result: make(chan publishResult, 1)}
	select {
	case c.queue <- p:
	case <-c.stop:
		return 0, ErrStopped
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case r := <-p.result:
		return r.seq, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// ErrStopped is an append to a committer that was closed.
var ErrStopped = errors.New("group commit stopped")

// Close stops the committer; appends waiting fail.
func (c *Committer) Close() {
	close(c.stop)
	<-c.done
}

// run gathers appends into rounds, one round out at a time: while it is out, the
// next gathers. (Two synced rounds in flight, one published while the other is
// fsynced, measured no faster and fsynced more often; the server commits atomic
// batches one after the other anyway.)
func (c *Committer) run() {
	defer close(c.done)
	var (
		waiting  []*pendingAppend // taken from the queue, not yet sent
		inflight bool             // a round is out, not yet answered
		finished = make(chan struct{}, 1)
		lastSize int              // the size of the last round
		gather   <-chan time.Time // set while a round waits for the last one's writers
		timedOut bool
	)
	for {
		// A round goes out as soon as the last one is answered. Before an atomic batch after a
		// large round, though, it waits (at most gatherWait) until as many appends
		// wait as that round held: its writers are coming back with their next
		// appends, and a round sent without them would go out small and make them
		// wait a whole round more. After a small round (one writer, or few), or when
		// synced (no fixed cost to share), it never waits.
		if !inflight && len(waiting) > 0 && int64(len(waiting)) >= c.gatherNext.Load() {
			if c.sync != nil || lastSize < c.minBatch || len(waiting) >= lastSize || timedOut {
				var round []*pendingAppend
				round, waiting = c.pick(waiting)
				c.gatherNext.Store(0)
				lastSize, gather, timedOut, inflight = len(round), nil, false, true
				c.send(round, finished)
				continue
			}
			if gather == nil {
				gather = time.After(gatherWait)
			}
		}
		select {
		case p := <-c.queue:
			waiting = append(waiting, p)
			for len(waiting) < 4*c.maxBatch {
				select {
				case p := <-c.queue:
					waiting = append(waiting, p)
					continue
				default:
				}
				break
			}
		case <-gather:
			gather, timedOut = nil, true
		case <-finished:
			inflight = false
		case <-c.stop:
			if inflight {
				<-finished
			}
			c.failAll(waiting)
			c.drainAndFail()
			return
		}
	}
}

// pick takes the next round from waiting: at most maxBatch appends, one per subject
// (a second append to a subject waits for the next round). The rest stays waiting,
// in order.
func (c *Committer) pick(waiting []*pendingAppend) (round, rest []*pendingAppend) {
	taken := make(map[string]bool, len(waiting))
	for _, p := range waiting {
		if len(round) < c.maxBatch && !taken[p.msg.Subject] {
			taken[p.msg.Subject] = true
			round = append(round, p)
			continue
		}
		rest = append(rest, p)
	}
	return round, rest
}

// send commits a round in the background and reports on finished once every append of
// it has its answer.
func (c *Committer) send(round []*pendingAppend, finished chan<- struct{}) {
	c.mu.Lock()
	c.rounds++
	c.mu.Unlock()
	if c.sync != nil {
		c.sendSynced(round, finished)
		return
	}
	c.sendAtomic(round, finished)
}

func (c *Committer) failAll(ps []*pendingAppend) {
	for _, p := range ps {
		p.result <- publishResult{err: ErrStopped}
	}
}

func (c *Committer) drainAndFail() {
	for {
		select {
		case p := <-c.queue:
			p.result <- publishResult{err: ErrStopped}
		default:
			return
		}
	}
}

// gatherWait bounds how long a round waits for the writers of the last round to come
// back (see run): well under a batch's few milliseconds.
const gatherWait = 2 * time.Millisecond

// commitTimeout bounds a round's wait for the server: the same as a publish's.
const commitTimeout = 10 * time.Second

// GatherNext holds the next round until n appends wait: how a test makes one round
// of the appends it starts together, whatever the scheduler does (on a loaded
// machine they may otherwise trickle in and go out a few at a time). The appends
// must come: nothing else ends the wait. Only tests call it.
func (c *Committer) GatherNext(n int) { c.gatherNext.Store(int64(n)) }

// Counts reports the rounds committed, those that made more than one append
// durable at once (a synced round of several, or an atomic batch), and the atomic
// batches that failed and went out one by one (for tests and metrics).
func (c *Committer) Counts() (rounds, grouped, fallbacks uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rounds, c.grouped, c.fallbacks
}

// IsWrongLastSequence reports the server's rejection of an expected last subject
// sequence: 10071, or 10164 on replicated streams.
func IsWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}
