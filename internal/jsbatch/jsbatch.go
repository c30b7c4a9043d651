// Package jsbatch is group commit for JetStream: appends that arrive together are made
// durable together, as one atomic batch, where the server would otherwise fsync each
// message on its own. The event store and the key store use it.
package jsbatch

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Group commit. With sync=always the server fsyncs every message on its own, so
// however many writers there are, appends are made durable one fsync at a time (the
// disk's raw write+fsync rate, a few thousand a second here). An atomic batch
// publish (JetStream 2.12+) is stored and fsynced as one: the committer gathers the
// appends that arrive while it is busy and publishes them together.
//
//   - Each append stays one message with its own expected last subject sequence, so
//     per-stream optimistic concurrency and the one global order are unchanged.
//   - A batch holds at most one message per subject (the server takes one expected
//     sequence per subject per batch); a second append to a subject waits for the
//     next round.
//   - A batch has a fixed cost (the server stages it, ~3–4 ms here), so few waiting
//     appends are published one by one, pipelined: one writer pays nothing for
//     batching, and batches start where they win (minBatch).
//   - One conflict fails a whole batch without saying which message: the round is
//     then published again one by one, so each append gets its own answer.
//
// The committer runs one round at a time; while it waits for the server, the next
// round gathers.
type Committer struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	minBatch int
	maxBatch int

	queue chan *pendingAppend
	stop  chan struct{}
	done  chan struct{}

	mu        sync.Mutex
	rounds    uint64 // rounds committed (tests)
	batches   uint64 // rounds committed as one atomic batch (tests)
	fallbacks uint64 // batches that failed and went out one by one (tests)
}

// Defaults: batches start at 16 waiting appends, where one batch costs about what 16
// fsyncs do (measured with sync=always on these machines: BENCHMARKS.md), and stay
// well under the server's limit of 1,000 messages a batch.
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
func New(nc *nats.Conn, js jetstream.JetStream) *Committer {
	c := &Committer{
		nc: nc, js: js, minBatch: defaultMinBatch, maxBatch: defaultMaxBatch,
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
		// A round goes out as soon as the last one is answered. After a large round,
		// though, it waits (at most gatherWait) until as many appends wait as that
		// round held: its writers are coming back with their next appends, and a
		// round sent without them would go out small and make them wait a whole
		// round more. After a small round (one writer, or few) it never waits.
		if !inflight && len(waiting) > 0 {
			if lastSize < c.minBatch || len(waiting) >= lastSize || timedOut {
				var round []*pendingAppend
				round, waiting = c.pick(waiting)
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
// it has its answer. (One round at a time: the server commits batches one after the
// other, and a second round in flight measured no faster.)
func (c *Committer) send(round []*pendingAppend, finished chan<- struct{}) {
	c.mu.Lock()
	c.rounds++
	c.mu.Unlock()
	if len(round) < c.minBatch {
		go func() {
			c.oneByOne(round)
			finished <- struct{}{}
		}()
		return
	}
	commit, err := c.publishBatch(round)
	go func() {
		var seqs []uint64
		if err == nil {
			seqs, err = commit()
		}
		if err != nil {
			// A conflict fails the whole batch without naming the message, and a batch
			// that failed otherwise (or whose answer was lost) may or may not be
			// stored: publishing each message again with its own expected sequence
			// settles both — a message already stored is refused as a conflict, and
			// Append's caller finds its own write when it reads the stream.
			c.mu.Lock()
			c.fallbacks++
			c.mu.Unlock()
			c.oneByOne(round)
		} else {
			c.mu.Lock()
			c.batches++
			c.mu.Unlock()
			for i, p := range round {
				p.result <- publishResult{seq: seqs[i]}
			}
		}
		finished <- struct{}{}
	}()
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

// commit makes one round durable: one by one when few, else as an atomic batch.
// gatherWait bounds how long a round waits for the writers of the last round to come
// back (see run): well under a batch's few milliseconds.
const gatherWait = 2 * time.Millisecond

// commitTimeout bounds a round's wait for the server: the same as a publish's.
const commitTimeout = 10 * time.Second

// oneByOne publishes each message with its own expectation, pipelined.
func (c *Committer) oneByOne(round []*pendingAppend) {
	if len(round) == 1 {
		ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
		ack, err := c.js.PublishMsg(ctx, round[0].msg, jetstream.WithExpectLastSequencePerSubject(round[0].expect))
		cancel()
		if err != nil {
			round[0].result <- publishResult{err: err}
			return
		}
		round[0].result <- publishResult{seq: ack.Sequence}
		return
	}
	futures := make([]jetstream.PubAckFuture, len(round))
	for i, p := range round {
		f, err := c.js.PublishMsgAsync(p.msg, jetstream.WithExpectLastSequencePerSubject(p.expect))
		if err != nil {
			p.result <- publishResult{err: err}
			continue
		}
		futures[i] = f
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			round[i].result <- publishResult{seq: ack.Sequence}
		case err := <-f.Err():
			round[i].result <- publishResult{err: err}
		}
	}
}

// batchAck is the server's answer to a batch's commit message.
type batchAck struct {
	Sequence uint64              `json:"seq"`
	Count    int                 `json:"count"`
	Error    *jetstream.APIError `json:"error,omitempty"`
}

// publishBatch publishes the round as one atomic batch: every message but the last
// now, and returns commit, which sends the last (the commit) and waits for the
// server's answer: each message's sequence (a batch's messages are stored
// consecutively, the commit's last).
func (c *Committer) publishBatch(round []*pendingAppend) (commit func() ([]uint64, error), err error) {
	id := rand.Text() // 26 characters; the server takes at most 64
	msg := func(i int) *nats.Msg {
		p := round[i]
		m := &nats.Msg{Subject: p.msg.Subject, Data: p.msg.Data, Header: make(nats.Header, len(p.msg.Header)+4)}
		for k, v := range p.msg.Header {
			m.Header[k] = v
		}
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(p.expect, 10))
		m.Header.Set("Nats-Batch-Id", id)
		m.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
		return m
	}
	for i := range len(round) - 1 {
		if err := c.nc.PublishMsg(msg(i)); err != nil {
			return nil, fmt.Errorf("batch publish: %w", err)
		}
	}
	last := msg(len(round) - 1)
	last.Header.Set("Nats-Batch-Commit", "1")
	inbox := c.nc.NewRespInbox()
	last.Reply = inbox
	replies, err := c.nc.SubscribeSync(inbox)
	if err != nil {
		return nil, fmt.Errorf("batch commit: %w", err)
	}
	if err := c.nc.PublishMsg(last); err != nil {
		_ = replies.Unsubscribe()
		return nil, fmt.Errorf("batch commit: %w", err)
	}
	return func() ([]uint64, error) {
		defer replies.Unsubscribe()
		reply, err := replies.NextMsg(commitTimeout)
		if err != nil {
			return nil, fmt.Errorf("batch commit: %w", err)
		}
		var ack batchAck
		if err := json.Unmarshal(reply.Data, &ack); err != nil {
			return nil, fmt.Errorf("batch commit: %w", err)
		}
		if ack.Error != nil {
			return nil, ack.Error
		}
		if ack.Count != len(round) {
			return nil, fmt.Errorf("batch commit: the server stored %d of %d messages", ack.Count, len(round))
		}
		seqs := make([]uint64, len(round))
		for i := range seqs {
			seqs[i] = ack.Sequence - uint64(len(round)-1-i)
		}
		return seqs, nil
	}, nil
}

// Counts reports the rounds committed, those committed as one atomic batch, and the
// batches that failed and went out one by one (for tests and metrics).
func (c *Committer) Counts() (rounds, batches, fallbacks uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rounds, c.batches, c.fallbacks
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
