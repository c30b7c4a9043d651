// Package memstore is an event store in memory, for tests about the application and
// the read models rather than the engine. It keeps the whole eventstore.Store contract
// and passes eventstore/storetest exactly as the JetStream store does: 0-based
// revisions, every kind of expected revision, atomic multi-event appends, the hash
// chain over the bytes eventstore.EncodeRecord makes, one totally ordered global log
// with opaque positions, subscriptions that catch up then follow live, and appends
// refused over a size limit like JetStream's. Nothing is written anywhere: Reopen
// stands in for a restart on the same data.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/waymark-org/waymark/eventstore"
)

// DefaultMaxAppendBytes bounds the stored bytes of one append: the JetStream store's
// default (the server's 1 MiB max payload less the headers it keeps room for), so that
// a command too large in production is too large in tests as well.
const DefaultMaxAppendBytes = 1<<20 - 512

// Store is the in-memory event store. It is safe for concurrent use.
type Store struct {
	log      *memLog
	maxBytes int

	// ctx ends when Close starts; subscriptions end with it.
	ctx    context.Context
	cancel context.CancelFunc
	subs   sync.WaitGroup

	mu     sync.Mutex // guards closed against new subscriptions
	closed bool
}

var (
	_ eventstore.Store       = (*Store)(nil)
	_ eventstore.SizeChecker = (*Store)(nil)
)

// memLog is the data a store holds, shared by a store and the ones Reopen makes.
type memLog struct {
	mu      sync.Mutex
	events  []eventstore.RecordedEvent // the global log, in order
	streams map[string][]int           // indexes into events, by stream
	appends uint64                     // appends so far: the major part of positions
	// changed is closed (and replaced) by every append: it wakes subscriptions.
	changed chan struct{}
}

// New returns an empty store. maxAppendBytes bounds the stored bytes of one append
// (0: DefaultMaxAppendBytes).
func New(maxAppendBytes int) *Store {
	return open(&memLog{streams: map[string][]int{}, changed: make(chan struct{})}, maxAppendBytes)
}

func open(l *memLog, maxBytes int) *Store {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxAppendBytes
	}
	s := &Store{log: l, maxBytes: maxBytes}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Reopen returns a new store over s's events, as a process restart on the same data
// would (close s first, as a restart would).
func (s *Store) Reopen() *Store { return open(s.log, s.maxBytes) }

// Append writes events to the end of stream atomically, if the stream is in the state
// expected. Positions are (append number, index in the append), as JetStream's are
// (stream sequence, index in the message): opaque, ordered, with gaps.
func (s *Store) Append(_ context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append: %w", err)
	}
	op := "append to " + stream
	if len(events) == 0 {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, eventstore.ErrNoEvents)
	}
	if s.isClosed() {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
	}
	l := s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	last, lastHash, exists := l.head(stream)
	if !expected.Matches(last, exists) {
		return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{
			Stream: stream, Expected: expected, Actual: last, ActualExists: exists,
		}
	}
	recs, err := s.encode(stream, last, lastHash, exists, events)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	// Past every check: from here the append cannot fail, so it is all or nothing.
	l.appends++
	res := eventstore.AppendResult{Positions: make([]eventstore.Position, len(recs))}
	for i := range recs {
		recs[i].Position = eventstore.NewPosition(l.appends, uint64(i))
		res.Positions[i] = recs[i].Position
		l.streams[stream] = append(l.streams[stream], len(l.events))
		l.events = append(l.events, recs[i])
	}
	res.LastRevision = recs[len(recs)-1].Revision
	close(l.changed)
	l.changed = make(chan struct{})
	return res, nil
}

// encode renders events as stored after the stream's head, chained to its hash, and
// refuses them over the size limit. It writes nothing.
func (s *Store) encode(stream string, last uint64, lastHash string, exists bool, events []eventstore.EventData) ([]eventstore.RecordedEvent, error) {
	rev, prev := uint64(0), ""
	if exists {
		rev, prev = last+1, lastHash
	}
	recs := make([]eventstore.RecordedEvent, len(events))
	size := 0
	for i, e := range events {
		raw, hash, err := eventstore.EncodeRecord(stream, rev, prev, e)
		if err != nil {
			return nil, fmt.Errorf("append to %s: %w", stream, err)
		}
		if recs[i], err = eventstore.DecodeRecord(raw); err != nil {
			return nil, fmt.Errorf("append to %s: %w", stream, err)
		}
		size += len(raw)
		rev, prev = rev+1, hash
	}
	if size > s.maxBytes {
		return nil, &eventstore.TooLargeError{Stream: stream, Size: size, Max: s.maxBytes}
	}
	return recs, nil
}

// CheckAppendSize reports whether events fit in one append to stream, as they would
// be stored after the largest possible head.
func (s *Store) CheckAppendSize(stream string, events ...eventstore.EventData) error {
	if len(events) == 0 {
		return nil
	}
	_, err := s.encode(stream, math.MaxUint64-uint64(len(events))-1, strings.Repeat("0", 64), true, events)
	return err
}

// head returns the stream's last revision and hash. Called with l.mu held.
func (l *memLog) head(stream string) (last uint64, hash string, exists bool) {
	idx := l.streams[stream]
	if len(idx) == 0 {
		return 0, "", false
	}
	e := l.events[idx[len(idx)-1]]
	return e.Revision, e.Metadata.Hash, true
}

// ReadStream returns the stream's events from revision from.
func (s *Store) ReadStream(_ context.Context, stream string, from uint64) ([]eventstore.RecordedEvent, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, fmt.Errorf("read stream: %w", err)
	}
	op := "read stream " + stream
	if s.isClosed() {
		return nil, fmt.Errorf("%s: %w", op, eventstore.ErrClosed)
	}
	l := s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	idx, ok := l.streams[stream]
	if !ok {
		return nil, fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	}
	var out []eventstore.RecordedEvent
	for _, i := range idx {
		if e := l.events[i]; e.Revision >= from {
			out = append(out, copyEvent(e))
		}
	}
	return out, nil
}

// Head returns the position of the last event of the global log.
func (s *Store) Head(context.Context) (eventstore.Position, error) {
	if s.isClosed() {
		return eventstore.Start, fmt.Errorf("head: %w", eventstore.ErrClosed)
	}
	l := s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) == 0 {
		return eventstore.Start, nil
	}
	return l.events[len(l.events)-1].Position, nil
}

// after returns the index of the first event after position from. Called with l.mu
// held.
func (l *memLog) after(from eventstore.Position) int {
	return sort.Search(len(l.events), func(i int) bool { return from.Before(l.events[i].Position) })
}

// Close ends the subscriptions; every call afterwards fails with ErrClosed. It is safe
// to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.subs.Wait()
	return nil
}

func (s *Store) isClosed() bool { return s.ctx.Err() != nil }

// copyEvent returns e with bytes of its own: a caller changing what it read changes
// nothing stored (the JetStream store decodes every read afresh).
func copyEvent(e eventstore.RecordedEvent) eventstore.RecordedEvent {
	e.Raw = bytes.Clone(e.Raw)
	e.Data = bytes.Clone(e.Data)
	return e
}
