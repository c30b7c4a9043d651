package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

// testConcurrentExactWriters races two writers with the same Exact revision, round
// after round: exactly one wins, the other learns the winner's revision.
func testConcurrentExactWriters(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	const stream, rounds = "case-race", 20
	last := mustAppend(t, s, stream, eventstore.NoStream, g.event("Opened")).LastRevision
	for round := range rounds {
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for w := range errs {
			events := g.events(1 + w) // the writers append different amounts
			wg.Go(func() {
				<-start
				_, errs[w] = s.Append(t.Context(), stream, eventstore.Exact(last), events...)
			})
		}
		close(start)
		wg.Wait()

		won, lost := -1, -1
		for w, err := range errs {
			switch {
			case err == nil:
				won = w
			case errors.Is(err, eventstore.ErrWrongExpectedRevision):
				lost = w
			default:
				t.Fatalf("round %d writer %d: %v", round, w, err)
			}
		}
		if won < 0 || lost < 0 {
			t.Fatalf("round %d: errors %v; want exactly one winner", round, errs)
		}
		var wrong *eventstore.WrongExpectedRevisionError
		if !errors.As(errs[lost], &wrong) {
			t.Fatalf("round %d: %v is not a *WrongExpectedRevisionError", round, errs[lost])
		}
		last += uint64(1 + won)
		if !wrong.ActualExists || wrong.Actual != last {
			t.Fatalf("round %d: loser told actual %d (exists %v), want %d", round, wrong.Actual, wrong.ActualExists, last)
		}
	}
	events := mustRead(t, s, stream, 0)
	if uint64(len(events)) != last+1 {
		t.Fatalf("stream has %d events, want %d: a loser wrote something", len(events), last+1)
	}
	if err := eventstore.VerifyChain(stream, events); err != nil {
		t.Error(err)
	}
}

// testConcurrentAnyWriters hammers one stream with Any from many goroutines: every
// append lands, revisions are contiguous and the chain holds, so the store appended
// each one against the head it hashed.
func testConcurrentAnyWriters(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	const stream, writers, each = "case-busy", 8, 25
	type landed struct {
		id       string
		revision uint64
		position eventstore.Position
	}
	results := make([][]landed, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range each {
				e := g.event("Busy")
				r, err := s.Append(t.Context(), stream, eventstore.Any, e)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				results[w] = append(results[w], landed{e.ID, r.LastRevision, r.Positions[0]})
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	events := mustRead(t, s, stream, 0)
	if len(events) != writers*each {
		t.Fatalf("stream has %d events, want %d", len(events), writers*each)
	}
	if err := eventstore.VerifyChain(stream, events); err != nil {
		t.Error(err)
	}
	for w, rs := range results {
		for i, r := range rs {
			if r.revision >= uint64(len(events)) {
				t.Fatalf("writer %d append %d: revision %d past the end", w, i, r.revision)
			}
			e := events[r.revision]
			if e.ID != r.id || e.Position != r.position {
				t.Errorf("writer %d: revision %d holds %s at %s, its append said %s at %s", w, r.revision, e.ID, e.Position, r.id, r.position)
			}
			if i > 0 && !rs[i-1].position.Before(r.position) {
				t.Errorf("writer %d: later append at %s, not after %s", w, r.position, rs[i-1].position)
			}
		}
	}
	for i := 1; i < len(events); i++ {
		if !events[i-1].Position.Before(events[i].Position) {
			t.Errorf("revision %d at %s, not after revision %d at %s", i, events[i].Position, i-1, events[i-1].Position)
		}
	}
}

// testConcurrentWritersOnManyStreams has many writers append at once, each to its own
// stream, as a store that groups appends into one durable write meets them: every
// append lands once at its revision, a writer with a stale expectation among them is
// refused alone (with the actual revision) while the others land, and several writers
// on one stream in the same moment still append one after the other.
func testConcurrentWritersOnManyStreams(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	const writers, each = 64, 10
	stream := func(w int) string { return "case-many-" + string(rune('a'+w/26)) + string(rune('a'+w%26)) }
	heads := make([]uint64, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			r, err := s.Append(t.Context(), stream(w), eventstore.NoStream, g.event("Opened"))
			for i := 0; err == nil && i < each; i++ {
				heads[w] = r.LastRevision
				r, err = s.Append(t.Context(), stream(w), eventstore.Exact(heads[w]), g.event("Step"))
			}
			if err != nil {
				t.Errorf("writer %d: %v", w, err)
				return
			}
			heads[w] = r.LastRevision
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	// Every other writer now appends after a stale revision, all at once.
	errs := make([]error, writers)
	start := make(chan struct{})
	for w := range writers {
		expected := heads[w]
		if w%2 == 1 {
			expected--
		}
		wg.Go(func() {
			<-start
			_, errs[w] = s.Append(t.Context(), stream(w), eventstore.Exact(expected), g.event("Last"))
		})
	}
	close(start)
	wg.Wait()
	for w, err := range errs {
		var wrong *eventstore.WrongExpectedRevisionError
		switch {
		case w%2 == 0 && err != nil:
			t.Errorf("writer %d with a current expectation: %v", w, err)
		case w%2 == 1 && (!errors.As(err, &wrong) || !wrong.ActualExists || wrong.Actual != heads[w]):
			t.Errorf("writer %d with a stale expectation: %v, want actual revision %d", w, err, heads[w])
		}
	}
	for w := range writers {
		want := heads[w] + 1
		if w%2 == 0 {
			want++
		}
		events := mustRead(t, s, stream(w), 0)
		if uint64(len(events)) != want {
			t.Errorf("%s has %d events, want %d", stream(w), len(events), want)
		}
		if err := eventstore.VerifyChain(stream(w), events); err != nil {
			t.Error(err)
		}
	}

	// Four writers per stream at once, with Any: all land, one after the other.
	const shared, per = 8, 4
	for i := range shared * per {
		wg.Go(func() {
			if _, err := s.Append(t.Context(), stream(i%shared), eventstore.Any, g.event("Shared")); err != nil {
				t.Errorf("shared writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for w := range shared {
		events := mustRead(t, s, stream(w), 0)
		if err := eventstore.VerifyChain(stream(w), events); err != nil {
			t.Error(err)
		}
	}
}
