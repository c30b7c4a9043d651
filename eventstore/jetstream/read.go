package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// readBatch is how many messages (appends) one batched direct get asks for.
const readBatch = 256

// hdrNumPending is set by the server on each message of a batched direct get: how
// many messages matching the request remain after this one.
const hdrNumPending = "Nats-Num-Pending"

// fetchFunc returns subject's messages from stream sequence seq on, some at a time: a
// batched direct get, or one message from a replicated stream's leader.
type fetchFunc func(ctx context.Context, subject string, seq uint64) (*batchReply, error)

// ReadStream loads the stream's messages with batched direct gets on its subject (no
// consumer; one round trip per readBatch messages, one for a stream that does not
// exist) and returns its events from revision from. Reading from a middle revision
// reads the whole stream and skips; streams are short (tens of events). A read that
// reaches the end of the stream records its head for Append.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) ([]eventstore.RecordedEvent, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, fmt.Errorf("read stream: %w", err)
	}
	op := "read stream " + stream
	if s.isClosed() {
		return nil, fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
	}
	subject := subjectPrefix + stream
	if !s.replicated {
		out, _, err := s.readStream(ctx, op, stream, subject, from, s.directBatch)
		return out, err
	}
	return s.readReplicated(ctx, op, stream, subject, from)
}

// readReplicated reads a stream of a replicated event stream. A follower may answer
// the direct gets behind the leader (leaderread.go), or not at all: a replica lost
// while it answers leaves the batch without its end. So the read learns the subject's
// last sequence from the leader, reads by direct get, tries again for a moment while
// the replicas are behind, and reads from the leader itself, one message a round
// trip, when they stay behind or the direct get did not answer.
func (s *Store) readReplicated(ctx context.Context, op, stream, subject string, from uint64) ([]eventstore.RecordedEvent, error) {
	want, err := s.leaderLast(ctx, subject)
	if err != nil {
		return nil, s.opErr(op, err)
	}
	deadline := time.Now().Add(replicasBehindWait)
	for pause := time.Millisecond; ; pause = min(2*pause, 20*time.Millisecond) {
		out, got, err := s.readStream(ctx, op, stream, subject, from, s.directBatch)
		found := err == nil || errors.Is(err, eventstore.ErrStreamNotFound)
		if found && got >= want {
			return out, err
		}
		if !found && !replicaFailure(err) {
			return nil, err // closed, cancelled, or a message that does not decode
		}
		if ctx.Err() != nil {
			return nil, s.opErr(op, ctx.Err())
		}
		if !found || time.Now().After(deadline) {
			s.leaderReads.Add(1)
			s.log.WarnContext(ctx, "event store: read a stream from its leader: the replicas answering direct gets did not answer or stayed behind",
				"behind", found, "err", err)
			out, got, err = s.readStream(ctx, op, stream, subject, from, s.leaderBatch)
			if err == nil && got < want { // a new leader that had not applied the last write
				return nil, fmt.Errorf("%s: %w: the stream's leader is behind the last sequence reported (%d < %d)", op, eventstore.ErrUnavailable, got, want)
			}
			return out, err
		}
		select {
		case <-ctx.Done():
			return nil, s.opErr(op, ctx.Err())
		case <-time.After(pause):
		}
	}
}

// replicaFailure reports a direct get that a replica failed to answer in full: none
// answered in time, or a reply of the batch was lost. The stream's leader may still
// answer. A closed store or a cancelled read is not one.
func replicaFailure(err error) bool {
	if errors.Is(err, eventstore.ErrClosed) || errors.Is(err, context.Canceled) {
		return false
	}
	return errors.Is(err, eventstore.ErrUnavailable) || errors.Is(err, errIncompleteRead)
}

// directBatch is a batched direct get, answered by any replica.
func (s *Store) directBatch(ctx context.Context, subject string, seq uint64) (*batchReply, error) {
	return s.direct.get(ctx, s.ctx.Done(), subject, seq)
}

// readStream reads subject's messages with fetch, and returns the stream sequence of
// the last one (0: none).
func (s *Store) readStream(ctx context.Context, op, stream, subject string, from uint64, fetch fetchFunc) ([]eventstore.RecordedEvent, uint64, error) {
	var (
		out   []eventstore.RecordedEvent
		last  *storedMsg     // the last message read
		seq   uint64     = 1 // next stream sequence to read from
		atEnd bool           // last is the subject's last message as of this read
	)
	for !atEnd {
		b, err := fetch(ctx, subject, seq)
		if err != nil {
			return nil, 0, s.opErr(op, err)
		}
		if b.notFound {
			atEnd = true // nothing (more) on the subject from seq on
			break
		}
		for i := range b.msgs {
			m := &b.msgs[i]
			events, err := decodeMessage(subject, m.seq, m.hdr, m.data)
			if err != nil {
				return nil, 0, fmt.Errorf("%s: %w", op, err)
			}
			for _, e := range events {
				if e.Revision >= from {
					out = append(out, e)
				}
			}
			last, seq = m, m.seq+1
		}
		atEnd = b.pending == 0 // else the batch was cut short (size or bytes): go on
	}
	if last == nil {
		return nil, 0, fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	}
	// The end of the stream as of this read: its head, for the next append.
	if h, err := parseMsgHead(last.hdr); err == nil {
		s.heads.put(stream, streamHead{exists: true, last: h.last, lastHash: h.lastHash, seq: last.seq})
	}
	if err := s.waitDurable(ctx, last.seq); err != nil { // never show a write a power cut could take back
		return nil, 0, s.opErr(op, err)
	}
	return out, last.seq, nil
}
