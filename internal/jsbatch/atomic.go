package jsbatch

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// sendAtomic commits a round on a server that fsyncs every message: one by one when
// few, else as one atomic batch.
func (c *Committer) sendAtomic(round []*pendingAppend, finished chan<- struct{}) {
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
			c.grouped++
			c.mu.Unlock()
			for i, p := range round {
				p.result <- publishResult{seq: seqs[i]}
			}
		}
		finished <- struct{}{}
	}()
}

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
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	for i, f := range futures {
		if f == nil {
			continue
		}
		seq, err := awaitAck(ctx, f)
		round[i].result <- publishResult{seq: seq, err: err}
	}
}

// awaitAck waits for a pipelined publish's answer until ctx ends. On a cluster an
// answer can be lost for good (the stream's leader died with the message), and a
// future has no deadline of its own: without this bound one lost answer would hold
// its round, and every append queued behind it, for ever. A publish whose answer did
// not come has an unknown outcome, like any timed-out publish.
func awaitAck(ctx context.Context, f jetstream.PubAckFuture) (uint64, error) {
	select {
	case ack := <-f.Ok():
		return ack.Sequence, nil
	case err := <-f.Err():
		return 0, err
	case <-ctx.Done():
		return 0, fmt.Errorf("%w: %w", jetstream.ErrAsyncPublishTimeout, ctx.Err())
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
