package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/waymark-org/waymark/eventstore"
)

// errNoPositions is a server older than 22.6, whose stream reads carry no positions.
var errNoPositions = errors.New("the server gives stream reads no positions (KurrentDB/EventStoreDB 22.6 or later is required)")

// ReadStream returns the stream's events from revision from.
func (s *Store) ReadStream(ctx context.Context, stream string, from uint64) ([]eventstore.RecordedEvent, error) {
	if err := checkStream(stream); err != nil {
		return nil, fmt.Errorf("read stream: %w", err)
	}
	op := "read stream " + stream
	if s.isClosed() {
		return nil, fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
	}
	events, found, err := s.read(ctx, op, stream, esdb.Forwards, esdb.Revision(from), math.MaxInt64)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	}
	return events, nil
}

// read reads up to count events of stream from a revision, retrying transient
// failures from the start. found is false for a stream that does not exist.
func (s *Store) read(ctx context.Context, op, stream string, dir esdb.Direction, from esdb.StreamPosition, count uint64) ([]eventstore.RecordedEvent, bool, error) {
	type page struct {
		events []eventstore.RecordedEvent
		found  bool
	}
	p, err := retry(ctx, s, op, func(c *esdb.Client) (page, error) {
		var p page
		rs, err := c.ReadStream(ctx, s.streamID(stream), esdb.ReadStreamOptions{Direction: dir, From: from}, count)
		if err != nil {
			return p, err
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			switch {
			case errors.Is(err, io.EOF):
				p.found = true
				return p, nil
			case isNotFound(err):
				return page{}, nil
			case err != nil:
				return p, err
			}
			e, err := s.decode(ev)
			if err != nil {
				return p, err
			}
			p.events = append(p.events, e)
		}
	})
	return p.events, p.found, err
}

func isNotFound(err error) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == esdb.ErrorCodeResourceNotFound
}

// decode reads a KurrentDB event back into the Waymark event its data holds. The
// bytes are taken as they are (DecodeRecord recomputes the hash from them), so an
// altered record shows up to verify as a broken chain.
func (s *Store) decode(ev *esdb.ResolvedEvent) (eventstore.RecordedEvent, error) {
	re := ev.Event
	if re == nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("a link to a deleted event in a Waymark stream")
	}
	if re.Position.Commit == math.MaxUint64 {
		return eventstore.RecordedEvent{}, errNoPositions
	}
	e, err := eventstore.DecodeRecord(re.Data)
	if err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("%s revision %d: %w", re.StreamID, re.EventNumber, err)
	}
	e.Position = eventstore.NewPosition(re.Position.Commit, re.Position.Prepare)
	return e, nil
}

// headPage is how many events of $all Head reads at a time, backwards, looking for the
// last of this store's.
const headPage = 64

// Head returns the position of the last event of this store's streams: the last
// event of $all that the subscriptions' filter lets through. The client reads $all
// without a filter, so Head skips the system's and other applications' events from
// the end; on a server Waymark has to itself that is one short read.
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	if s.isClosed() {
		return eventstore.Start, fmt.Errorf("head: %w", eventstore.ErrClosed)
	}
	return retry(ctx, s, "head", func(c *esdb.Client) (eventstore.Position, error) {
		var from esdb.AllPosition = esdb.End{}
		for {
			rs, err := c.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, headPage)
			if err != nil {
				return eventstore.Start, err
			}
			n, found, last, err := s.scanForHead(rs)
			rs.Close()
			switch {
			case err != nil:
				return eventstore.Start, err
			case found != nil:
				return *found, nil
			case n < headPage: // the beginning of $all: none of ours
				return eventstore.Start, nil
			}
			from = last
		}
	})
}

// scanForHead reads one backward page of $all: how many events it held, the position
// of the first of ours (nil: none), and the position of its last event (where the
// next page starts).
func (s *Store) scanForHead(rs *esdb.ReadStream) (n int, found *eventstore.Position, last esdb.Position, err error) {
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil, last, nil
		}
		if err != nil {
			return n, nil, last, err
		}
		n++
		re := ev.OriginalEvent()
		last = re.Position
		if s.ours(re.StreamID) {
			p := eventstore.NewPosition(re.Position.Commit, re.Position.Prepare)
			return n, &p, last, nil
		}
	}
}
