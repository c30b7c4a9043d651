package jetstream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
)

// maxAppendAttempts bounds the publishes one Append makes while other writers keep
// winning the race for the same stream. Each lost race means another append landed.
const maxAppendAttempts = 200

// streamHead is what the last message of a stream's subject says.
type streamHead struct {
	exists   bool
	last     uint64 // last revision
	lastHash string // hash of the last event
	seq      uint64 // stream sequence of the last message (0: none)
}

// Append writes events as one message on the stream's subject.
//
// It takes the stream's head (last revision, last hash and the stream sequence of its
// last message) from the head cache when the cache can judge the expectation: a
// cached head that satisfies it, or, for NoStream, no entry at all (a new stream needs
// no head: expected last subject sequence 0, no previous hash). Otherwise it reads the
// head (last message of the subject, one direct get) and checks the expectation
// against it. It chains the events to the head's hash and publishes with the head's
// sequence as the expected last subject sequence, so the server writes the message
// only if that head is still the stream's last message.
//
// If another writer got in first (or the cached head was stale) the server rejects
// the message and nothing is written; Append then starts over from a freshly read
// head: an expectation the new head still satisfies (Any, StreamExists) is published
// again, hashed against the new head, and any other fails with the actual revision
// read from that head. A cached head never fails an append by itself.
//
// If the publish itself fails without an answer (timeout, lost connection) the
// outcome is unknown; appending again with an Exact expectation is safe.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	op := "append to " + stream
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append: %w", err)
	}
	if len(events) == 0 {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, eventstore.ErrNoEvents)
	}
	if s.isClosed() {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
	}
	subject := subjectPrefix + stream
	if head, ok := s.cachedHead(stream, expected); ok {
		res, err := s.publish(ctx, stream, subject, head, events)
		if err == nil {
			return res, nil
		}
		if !isWrongLastSequence(err) {
			return eventstore.AppendResult{}, err
		}
		// The cached head is stale: go by the stream's real head.
	}
	for attempt := 1; ; attempt++ {
		head, err := s.readHead(ctx, subject)
		if err != nil {
			return eventstore.AppendResult{}, s.opErr(op, err)
		}
		s.heads.put(stream, head)
		if !expected.Matches(head.last, head.exists) {
			return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{
				Stream: stream, Expected: expected, Actual: head.last, ActualExists: head.exists,
			}
		}
		res, err := s.publish(ctx, stream, subject, head, events)
		if err == nil {
			return res, nil
		}
		if !isWrongLastSequence(err) {
			return eventstore.AppendResult{}, err
		}
		if attempt >= maxAppendAttempts {
			return eventstore.AppendResult{}, fmt.Errorf("%s: still conflicting after %d attempts: %w", op, attempt, err)
		}
		if err := backoff(ctx, attempt); err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
		}
	}
}

// cachedHead returns the head to append after without reading it, when the head
// cache can judge expected: a cached head that satisfies it, or no cached head for
// NoStream. A cached head that does not satisfy expected is no answer (it may be
// stale): the caller reads the head.
func (s *Store) cachedHead(stream string, expected eventstore.ExpectedRevision) (streamHead, bool) {
	if head, ok := s.heads.get(stream); ok {
		return head, expected.Matches(head.last, true)
	}
	return streamHead{}, expected == eventstore.NoStream
}

// publish writes events after head, expecting head.seq as the subject's last
// sequence, and keeps the new head in the cache. On any failure it drops the cached
// head: the server says it is stale, or the outcome is unknown. The server's
// rejection of head.seq comes back as is (isWrongLastSequence); other errors are
// Append's to return.
func (s *Store) publish(ctx context.Context, stream, subject string, head streamHead, events []eventstore.EventData) (eventstore.AppendResult, error) {
	msg, next, err := buildMessage(stream, subject, head, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := s.checkMessageSize(stream, msg); err != nil {
		return eventstore.AppendResult{}, err
	}
	if s.beforePublish != nil {
		s.beforePublish()
	}
	seq, err := s.send(ctx, msg, head.seq)
	if err != nil {
		s.heads.drop(stream)
		if isWrongLastSequence(err) {
			return eventstore.AppendResult{}, err
		}
		return eventstore.AppendResult{}, s.opErr("append to "+stream, err)
	}
	next.seq = seq
	s.heads.put(stream, next)
	positions := make([]eventstore.Position, len(events))
	for i := range positions {
		positions[i] = eventstore.NewPosition(seq, uint64(i))
	}
	return eventstore.AppendResult{LastRevision: next.last, Positions: positions}, nil
}

// send publishes msg after the subject's message expect: through the group commit
// when there is one, else on its own.
func (s *Store) send(ctx context.Context, msg *nats.Msg, expect uint64) (uint64, error) {
	if s.commit != nil {
		return s.commit.Publish(ctx, msg, expect)
	}
	ack, err := s.js.PublishMsg(ctx, msg, jetstream.WithExpectLastSequencePerSubject(expect))
	if err != nil {
		return 0, err
	}
	return ack.Sequence, nil
}

// readHead reads the last message of subject: by direct get, or from the leader on a
// replicated stream (leaderread.go), where a follower's stale head would only fail
// the publish after it.
func (s *Store) readHead(ctx context.Context, subject string) (streamHead, error) {
	s.headReads.Add(1)
	msg, err := s.lastMsg(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return streamHead{}, nil
	}
	if err != nil {
		return streamHead{}, fmt.Errorf("read head: %w", err)
	}
	h, err := parseMsgHead(msg.Header)
	if err != nil {
		return streamHead{}, fmt.Errorf("read head: message %d: %w", msg.Sequence, err)
	}
	return streamHead{exists: true, last: h.last, lastHash: h.lastHash, seq: msg.Sequence}, nil
}

// buildMessage encodes events after head: revisions head+1.., each chained to the
// hash of the one before. It returns the message and the stream's head once it is
// written (its seq left for the publish's ack to fill in).
func buildMessage(stream, subject string, head streamHead, events []eventstore.EventData) (*nats.Msg, streamHead, error) {
	rev, prev := uint64(0), ""
	if head.exists {
		rev, prev = head.last+1, head.lastHash
	}
	first := rev
	var body []byte
	for _, e := range events {
		raw, hash, err := eventstore.EncodeRecord(stream, rev, prev, e)
		if err != nil {
			return nil, streamHead{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		body = appendFrame(body, raw)
		rev, prev = rev+1, hash
	}
	msg := nats.NewMsg(subject)
	msg.Data = body
	setMsgHead(msg.Header, msgHead{first: first, last: rev - 1, lastHash: prev})
	return msg, streamHead{exists: true, last: rev - 1, lastHash: prev}, nil
}

// isWrongLastSequence reports the server's rejection of an expected last subject
// sequence: 10071, or 10164 on replicated streams.
func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// backoff retries the first few conflicts at once, then waits a short random time
// (up to 2 ms) so that writers hammering one stream spread out.
func backoff(ctx context.Context, attempt int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if attempt < 3 {
		return nil
	}
	ceiling := min(time.Duration(attempt)*50*time.Microsecond, 2*time.Millisecond)
	t := time.NewTimer(rand.N(ceiling) + 1)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
