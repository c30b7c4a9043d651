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
		out, _, err := s.readStream(ctx, op, stream, subject, from)
		return out, err
	}
	// A follower may answer the direct gets behind the leader (leaderread.go).
	want, err := s.leaderLast(ctx, subject)
	if err != nil {
		return nil, s.opErr(op, err)
	}
	deadline := time.Now().Add(leaderReadWait)
	for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
		out, got, err := s.readStream(ctx, op, stream, subject, from)
		if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
			return nil, err
		}
		if got >= want || time.Now().After(deadline) {
			if got < want {
				return nil, fmt.Errorf("%s: %w: the replicas answering reads are behind the stream's leader (%d < %d)", op, eventstore.ErrUnavailable, got, want)
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

// readStream reads subject's messages by batched direct gets, and returns the
// stream sequence of the last one (0: none).
func (s *Store) readStream(ctx context.Context, op, stream, subject string, from uint64) ([]eventstore.RecordedEvent, uint64, error) {
	var (
		out  []eventstore.RecordedEvent
		last *storedMsg     // the last message read
		seq  uint64     = 1 // next stream sequence to read from
	)
	for {
		b, err := s.direct.get(ctx, s.ctx.Done(), subject, seq)
		if err != nil {
			return nil, 0, s.opErr(op, err)
		}
		if b.notFound {
			break // nothing (more) on the subject from seq on
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
		if b.pending == 0 {
			// The end of the stream as of this batch: its head, for the next append.
			if h, err := parseMsgHead(last.hdr); err == nil {
				s.heads.put(stream, streamHead{exists: true, last: h.last, lastHash: h.lastHash, seq: last.seq})
			}
			break
		}
		// More pending: the batch was cut short (size or bytes); go on.
	}
	if last == nil {
		return nil, 0, fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	}
	if err := s.waitDurable(ctx, last.seq); err != nil { // never show a write a power cut could take back
		return nil, 0, s.opErr(op, err)
	}
	return out, last.seq, nil
}
