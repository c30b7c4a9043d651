package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/waymark-org/waymark/eventstore"
)

// readBatch is how many messages (appends) one batched direct get asks for.
const readBatch = 256

// hdrNumPending is set by the server on each message of a batched direct get: how
// many messages matching the request remain after this one.
const hdrNumPending = "Nats-Num-Pending"

// ReadStream loads the stream's messages with batched direct gets on its subject (no
// consumer) and returns its events from revision from. Reading from a middle revision
// reads the whole stream and skips; streams are short (tens of events).
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) ([]eventstore.RecordedEvent, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, fmt.Errorf("read stream: %w", err)
	}
	op := "read stream " + stream
	if s.isClosed() {
		return nil, fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
	}
	subject := subjectPrefix + stream
	var (
		out   []eventstore.RecordedEvent
		found bool
		seq   uint64 = 1 // next stream sequence to read from
	)
	for {
		msgs, err := jetstreamext.GetBatch(ctx, s.js, s.cfg.StreamName, readBatch,
			jetstreamext.GetBatchSubject(subject), jetstreamext.GetBatchSeq(seq))
		if err != nil {
			return nil, s.opErr(op, err)
		}
		got, pending, noMore := 0, uint64(0), false
		for msg, err := range msgs {
			if errors.Is(err, jetstreamext.ErrNoMessages) {
				noMore = true // nothing (more) on the subject from seq on
				break
			}
			if err != nil {
				return nil, s.opErr(op, err)
			}
			events, err := decodeMessage(msg.Subject, msg.Sequence, msg.Header, msg.Data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", op, err)
			}
			for _, e := range events {
				if e.Revision >= from {
					out = append(out, e)
				}
			}
			got++
			seq = msg.Sequence + 1
			if pending, err = strconv.ParseUint(msg.Header.Get(hdrNumPending), 10, 64); err != nil {
				return nil, fmt.Errorf("%s: message %d: bad %s header", op, msg.Sequence, hdrNumPending)
			}
		}
		found = found || got > 0
		if noMore || got > 0 && pending == 0 {
			break
		}
		if got == 0 {
			// The iterator ends quietly when its context or the request times out:
			// that must not pass for the end of the stream.
			return nil, fmt.Errorf("%s: %w", op, errors.Join(errIncompleteRead, ctx.Err()))
		}
		// got > 0 && pending > 0: the batch was cut short (size or bytes); go on.
	}
	if !found {
		return nil, fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	}
	return out, nil
}

// errIncompleteRead: a batched direct get ended before its last message arrived.
var errIncompleteRead = errors.New("direct get ended before the last message")
