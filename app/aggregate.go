package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
)

// aggregate is a stream folded for deciding: its version, its domain state, and what
// it recorded of every command (from the events' metadata), by organisation and
// command id (keyed: projections.CommandKey). Values are never changed once made, so
// a cached one can be shared.
type aggregate struct {
	stream  string
	version uint64 // events in the stream
	state   any    // domain.Case or domain.Organisation; nil for a new stream
	results map[projections.CommandKey]recorded
}

// recorded is a command recorded in a stream: its result and what identifies its
// input.
type recorded struct {
	version     uint64              // the stream's version after it
	position    eventstore.Position // of its last event
	commandType string              // "" if recorded before commands' types were kept
	fingerprint string              // likewise
}

// result is the Result of a command recorded in a.
func (a aggregate) result(r recorded) Result {
	_, id, _ := eventstore.SplitStreamName(a.stream)
	return Result{ID: id, Version: r.version, Position: r.position}
}

// fold applies one domain event to a state.
type fold func(state any, e domain.Event) any

func foldCaseEvent(state any, e domain.Event) any {
	c, _ := state.(domain.Case)
	return domain.Evolve(c, e)
}

func foldOrganisationEvent(state any, e domain.Event) any {
	o, _ := state.(domain.Organisation)
	return domain.EvolveOrganisation(o, e)
}

// caseState returns an aggregate's state as a case (the zero case for a new stream).
func caseState(a aggregate) domain.Case {
	c, _ := a.state.(domain.Case)
	return c
}

func organisationState(a aggregate) domain.Organisation {
	o, _ := a.state.(domain.Organisation)
	return o
}

// load returns stream folded. With fresh false it may come from the cache: a cached
// aggregate can be behind when another replica wrote. execute copes: the expected
// revision of the append catches a stale acceptance, and a rejection on a cached
// aggregate is decided again on a fresh load before the caller hears of it.
func (s *Service) load(ctx context.Context, stream string, f fold, fresh bool) (aggregate, error) {
	if !fresh {
		if a, ok := s.aggregates.get(stream); ok {
			return a, nil
		}
	}
	history, err := s.store.ReadStream(ctx, stream, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return aggregate{stream: stream, results: map[projections.CommandKey]recorded{}}, nil
	}
	if err != nil {
		return aggregate{}, fmt.Errorf("read %s: %w", stream, err)
	}
	a := aggregate{stream: stream, results: map[projections.CommandKey]recorded{}}
	var key projections.CommandKey
	lastOrg, lastID := "", ""
	for _, rec := range history {
		e, _, err := codec.Decode(rec)
		if err != nil {
			return aggregate{}, err
		}
		a.state = f(a.state, e)
		a.version++
		md := rec.Metadata
		if md.CommandID == "" {
			continue
		}
		if md.CommandID != lastID || md.Organisation != lastOrg { // a command's events share the key
			lastOrg, lastID, key = md.Organisation, md.CommandID, s.commands.Key(md.Organisation, md.CommandID)
		}
		a.results[key] = recorded{version: rec.Revision + 1, position: rec.Position, commandType: md.CommandType, fingerprint: md.Fingerprint}
	}
	s.aggregates.put(a)
	return a, nil
}

// appended returns a after events were appended by the command with key k, recorded
// as done.
func (s *Service) appended(a aggregate, f fold, events []domain.Event, k projections.CommandKey, done recorded) aggregate {
	next := aggregate{stream: a.stream, version: a.version, state: a.state, results: maps.Clone(a.results)}
	for _, e := range events {
		next.state = f(next.state, e)
		next.version++
	}
	next.results[k] = done
	s.aggregates.put(next)
	return next
}

// aggregateCache keeps recently used aggregates so that a command needs no read of
// its stream. It is bounded: when full, it forgets about half of its entries (map
// order), which costs a reload each, never correctness.
type aggregateCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]aggregate
}

func newAggregateCache(max int) *aggregateCache {
	return &aggregateCache{max: max, entries: make(map[string]aggregate)}
}

func (c *aggregateCache) get(stream string) (aggregate, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.entries[stream]
	return a, ok
}

// put stores a unless the cache already holds a newer version of the stream.
func (c *aggregateCache) put(a aggregate) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[a.stream]; ok && old.version > a.version {
		return
	}
	if len(c.entries) >= c.max {
		for k := range c.entries {
			delete(c.entries, k)
			if len(c.entries) < c.max/2 {
				break
			}
		}
	}
	c.entries[a.stream] = a
}

func (c *aggregateCache) forget(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, stream)
}
