// Package migrate copies every event of one event store into another (JetStream to
// KurrentDB and back): the global log in order, each event at its own stream and
// revision, with its id, type, data and metadata, so that each event's stored bytes,
// and therefore its hash and the whole chain, are the same in the target as in the
// source.
//
// The target's Append re-encodes each event (eventstore.EncodeRecord) after the same
// head, so it stores the same bytes only if encoding the event read back gives its
// bytes again; Copy checks that for every event before it writes it and stops at the
// first that would not (an old record shape, a changed encoder), rather than write a
// different chain.
//
// A copy is resumable: an interrupted one is run again as it was. Each stream's events
// already in the target are checked against the source's hashes and skipped; the copy
// goes on from the first one missing. A target that holds other events for a stream
// (a different history) stops the copy.
package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/eventstore"
)

// ErrDiverged is a target whose stream holds a different history from the source's.
var ErrDiverged = errors.New("the target holds a different history")

// ErrNotReproducible is an event whose stored bytes the target would not store alike.
var ErrNotReproducible = errors.New("the event's stored bytes cannot be written again alike")

// maxBatch bounds the events of one stream written in one append.
const maxBatch = 32

// Report says what a copy did.
type Report struct {
	Events  int // events in the source's log, up to its head when the copy started
	Copied  int // appended to the target
	Skipped int // already in the target, with the same hashes
	Streams int
}

// Progress is told after each append how far the copy has gone.
type Progress func(done, total int)

// Copy copies from's global log, up to its head when Copy starts, into to.
func Copy(ctx context.Context, from, to eventstore.Store, progress Progress) (Report, error) {
	var rep Report
	head, err := from.Head(ctx)
	if err != nil || head.IsStart() {
		return rep, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := from.Subscribe(ctx, eventstore.Start)
	if err != nil {
		return rep, fmt.Errorf("read the source's log: %w", err)
	}
	defer sub.Close()
	c := &copier{to: to, streams: map[string]*target{}, rep: &rep}
	for done := false; !done; {
		var e eventstore.RecordedEvent
		var ok bool
		select {
		case e, ok = <-sub.Events():
		case <-ctx.Done():
			return rep, ctx.Err()
		}
		if !ok {
			return rep, fmt.Errorf("the source's log ended before its head %s: %v", head, sub.Err())
		}
		done = !e.Position.Before(head)
		rep.Events++
		if err := c.add(ctx, e); err != nil {
			return rep, err
		}
		if done || len(c.batch) >= maxBatch {
			if err := c.flush(ctx); err != nil {
				return rep, err
			}
			if progress != nil {
				progress(rep.Copied+rep.Skipped, rep.Events)
			}
		}
	}
	rep.Streams = len(c.streams)
	return rep, nil
}

// target is what the target holds of one stream: its hashes by revision, read once.
type target struct {
	hashes []string
}

type copier struct {
	to      eventstore.Store
	streams map[string]*target
	rep     *Report
	// batch is the next append: consecutive events of one stream.
	stream string
	batch  []eventstore.RecordedEvent
}

// add checks e against the target and queues it, unless the target has it already.
func (c *copier) add(ctx context.Context, e eventstore.RecordedEvent) error {
	if c.stream != e.Stream {
		if err := c.flush(ctx); err != nil {
			return err
		}
	}
	t, err := c.target(ctx, e.Stream)
	if err != nil {
		return err
	}
	queued := uint64(len(t.hashes) + len(c.batch))
	switch {
	case e.Revision < uint64(len(t.hashes)):
		if t.hashes[e.Revision] != e.Metadata.Hash {
			return fmt.Errorf("%w: %s revision %d is %s there, %s here", ErrDiverged, e.Stream, e.Revision, t.hashes[e.Revision], e.Metadata.Hash)
		}
		c.rep.Skipped++
		return nil
	case e.Revision != queued:
		return fmt.Errorf("%w: %s revision %d comes after revision %d", ErrDiverged, e.Stream, e.Revision, queued)
	}
	prev := ""
	switch {
	case len(c.batch) > 0:
		prev = c.batch[len(c.batch)-1].Metadata.Hash
	case len(t.hashes) > 0:
		prev = t.hashes[len(t.hashes)-1]
	}
	raw, _, err := eventstore.EncodeRecord(e.Stream, e.Revision, prev, e.EventData)
	if err != nil || !bytes.Equal(raw, e.Raw) {
		return fmt.Errorf("%w: %s revision %d (event %s)", ErrNotReproducible, e.Stream, e.Revision, e.ID)
	}
	c.stream = e.Stream
	c.batch = append(c.batch, e)
	return nil
}

// target reads what the target holds of stream, once.
func (c *copier) target(ctx context.Context, stream string) (*target, error) {
	if t, ok := c.streams[stream]; ok {
		return t, nil
	}
	events, err := c.to.ReadStream(ctx, stream, 0)
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, fmt.Errorf("read the target's %s: %w", stream, err)
	}
	t := &target{}
	for _, e := range events {
		t.hashes = append(t.hashes, e.Metadata.Hash)
	}
	c.streams[stream] = t
	return t, nil
}

// flush appends the batch, expecting the stream as the target holds it; a batch too
// large for one append goes one event at a time.
func (c *copier) flush(ctx context.Context) error {
	if len(c.batch) == 0 {
		return nil
	}
	batch := c.batch
	c.batch = nil
	if err := c.append(ctx, batch); errors.Is(err, eventstore.ErrEventTooLarge) && len(batch) > 1 {
		for _, e := range batch {
			if err := c.append(ctx, []eventstore.RecordedEvent{e}); err != nil {
				return err
			}
		}
	} else if err != nil {
		return err
	}
	return nil
}

func (c *copier) append(ctx context.Context, batch []eventstore.RecordedEvent) error {
	stream := batch[0].Stream
	t := c.streams[stream]
	expected := eventstore.NoStream
	if n := len(t.hashes); n > 0 {
		expected = eventstore.Exact(uint64(n - 1))
	}
	data := make([]eventstore.EventData, len(batch))
	for i, e := range batch {
		data[i] = e.EventData
	}
	if _, err := c.to.Append(ctx, stream, expected, data...); err != nil {
		return fmt.Errorf("copy %d events of %s from revision %d: %w", len(batch), stream, batch[0].Revision, err)
	}
	for _, e := range batch {
		t.hashes = append(t.hashes, e.Metadata.Hash)
	}
	c.rep.Copied += len(batch)
	return nil
}
