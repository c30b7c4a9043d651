package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/waymark-org/waymark/eventstore"
)

// maxAppendAttempts bounds the appends one Append makes while other writers keep
// winning the race for the same stream. Each lost race means another append landed.
const maxAppendAttempts = 200

// head is a stream's last event, as the next append needs it.
type head struct {
	exists bool
	last   uint64 // last revision
	hash   string // hash of the last event
	lastID string // id of the last event
}

// Append writes events to the end of stream atomically, if the stream is in the state
// expected (see the package comment for how).
//
// An append whose outcome is unknown (the connection lost before the answer) is
// retried: the next attempt reads the head, and a head whose last event is this
// append's last event means the first attempt landed; otherwise the events are
// appended after the head read, as for a lost race. KurrentDB itself also takes the
// same event ids at the same expected revision again as a no-op.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := checkStream(stream); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append: %w", err)
	}
	op := "append to " + stream
	if len(events) == 0 {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, eventstore.ErrNoEvents)
	}
	if s.isClosed() {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
	}
	h, cached := s.heads.judge(stream, expected)
	uncertain := false
	for n := 1; ; n++ {
		if !cached {
			var err error
			if h, err = s.readHead(ctx, stream); err != nil {
				return eventstore.AppendResult{}, err
			}
			if uncertain && h.exists && h.lastID == events[len(events)-1].ID {
				return s.landed(ctx, stream, h.last+1-uint64(len(events)), events)
			}
			if !expected.Matches(h.last, h.exists) {
				return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{
					Stream: stream, Expected: expected, Actual: h.last, ActualExists: h.exists,
				}
			}
		}
		cached = false
		proposed, next, err := s.encode(stream, h, events)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		var revision esdb.ExpectedRevision = esdb.NoStream{}
		if h.exists {
			revision = esdb.Revision(h.last)
		}
		c, err := s.conn()
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
		}
		_, err = attempt(ctx, s, c, func(c *esdb.Client) (*esdb.WriteResult, error) {
			return c.AppendToStream(ctx, s.streamID(stream), esdb.AppendToStreamOptions{ExpectedRevision: revision}, proposed...)
		})
		switch {
		case err == nil:
			s.heads.put(stream, next)
			first := uint64(0)
			if h.exists {
				first = h.last + 1
			}
			return s.landed(ctx, stream, first, events)
		case isWrongExpectedVersion(err):
			s.heads.drop(stream)
		case transient(err) && !s.isClosed():
			s.heads.drop(stream)
			uncertain = true
			if closedClient(err) {
				s.renew(c)
			}
			s.logger.Warn("kurrentdb: append outcome unknown; checking the head and retrying", "err", err)
		default:
			s.heads.drop(stream)
			return eventstore.AppendResult{}, s.opErr(op, err)
		}
		if n >= maxAppendAttempts {
			return eventstore.AppendResult{}, fmt.Errorf("%s: still conflicting after %d attempts: %w", op, n, err)
		}
		wait := s.conflictPause
		if uncertain {
			wait = s.pause
		}
		if err := wait(ctx, n); err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
		}
	}
}

func isWrongExpectedVersion(err error) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == esdb.ErrorCodeWrongExpectedVersion
}

// landed reads back the events just appended at revisions first.. for their
// positions: KurrentDB's append answer carries one position, and where each event of
// a multi-event append sits in $all is the server's to say. The read is by revision
// and count, so appends after it do not matter; the ids must be the append's.
func (s *Store) landed(ctx context.Context, stream string, first uint64, events []eventstore.EventData) (eventstore.AppendResult, error) {
	op := "append to " + stream + ": read the positions back"
	got, _, err := s.read(ctx, op, stream, esdb.Forwards, esdb.Revision(first), uint64(len(events)))
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if len(got) != len(events) {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %d of %d events found", op, len(got), len(events))
	}
	res := eventstore.AppendResult{Positions: make([]eventstore.Position, len(got))}
	for i, e := range got {
		if e.ID != events[i].ID {
			return eventstore.AppendResult{}, fmt.Errorf("%s: revision %d holds event %s, not %s", op, e.Revision, e.ID, events[i].ID)
		}
		res.Positions[i] = e.Position
		res.LastRevision = e.Revision
	}
	return res, nil
}

// readHead reads the stream's last event.
func (s *Store) readHead(ctx context.Context, stream string) (head, error) {
	events, found, err := s.read(ctx, "append to "+stream+": read the head", stream, esdb.Backwards, esdb.End{}, 1)
	if err != nil || !found || len(events) == 0 {
		return head{}, err
	}
	e := events[0]
	return head{exists: true, last: e.Revision, hash: e.Metadata.Hash, lastID: e.ID}, nil
}

// encode renders events as stored after h, chained to its hash, as KurrentDB events,
// and returns the stream's head once they are written. It refuses events over the size
// limit. It writes nothing.
func (s *Store) encode(stream string, h head, events []eventstore.EventData) ([]esdb.EventData, head, error) {
	rev, prev := uint64(0), ""
	if h.exists {
		rev, prev = h.last+1, h.hash
	}
	out := make([]esdb.EventData, len(events))
	size := 0
	for i, e := range events {
		raw, hash, err := eventstore.EncodeRecord(stream, rev, prev, e)
		if err != nil {
			return nil, head{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		out[i] = esdb.EventData{EventID: eventUUID(e.ID), EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: raw}
		size += len(raw) + len(e.Type)
		rev, prev = rev+1, hash
	}
	if size > s.cfg.MaxAppendBytes {
		return nil, head{}, &eventstore.TooLargeError{Stream: stream, Size: size, Max: s.cfg.MaxAppendBytes}
	}
	return out, head{exists: true, last: rev - 1, hash: prev, lastID: events[len(events)-1].ID}, nil
}

// idSpace names the UUIDs made for event ids that are not UUIDs themselves.
var idSpace = uuid.MustParse("9b3c1a52-5f0e-4f5e-9a55-57a1d1f5a7c1")

// eventUUID is the KurrentDB event id for a Waymark event id: the id itself (Waymark's
// ids are UUIDv7), or, for an id that is not a UUID, a UUIDv5 of it, so that the same
// event always has the same KurrentDB id (which KurrentDB's idempotent appends need).
// The Waymark id is in the stored bytes either way.
func eventUUID(id string) uuid.UUID {
	if u, err := uuid.Parse(id); err == nil && len(id) == 36 {
		return u
	}
	return uuid.NewSHA1(idSpace, []byte(id))
}

// CheckAppendSize reports whether events fit in one append to stream, as they would
// be stored after the largest possible head.
func (s *Store) CheckAppendSize(stream string, events ...eventstore.EventData) error {
	if len(events) == 0 {
		return nil
	}
	_, _, err := s.encode(stream, head{exists: true, last: math.MaxUint64 - uint64(len(events)) - 1, hash: strings.Repeat("0", 64)}, events)
	return err
}
