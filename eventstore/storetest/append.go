package storetest

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

func testAppendAndReadBack(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	const stream = "case-read-back"
	first := g.events(3)
	first[1].Data = json.RawMessage(" {\n \"spaced\" : [1, 2] }") // stored compacted
	first[2].Data = nil                                           // stored as {}
	r1 := mustAppend(t, s, stream, eventstore.NoStream, first...)
	if r1.LastRevision != 2 {
		t.Errorf("first append: last revision %d, want 2", r1.LastRevision)
	}
	second := g.events(2)
	r2 := mustAppend(t, s, stream, eventstore.Exact(2), second...)
	if r2.LastRevision != 4 {
		t.Errorf("second append: last revision %d, want 4", r2.LastRevision)
	}

	want := append(first, second...)
	positions := append(r1.Positions, r2.Positions...)
	got := mustRead(t, s, stream, 0)
	if len(got) != len(want) {
		t.Fatalf("read %d events, want %d", len(got), len(want))
	}
	prev := ""
	for i, e := range got {
		checkEvent(t, e, want[i], stream, uint64(i), prev)
		if e.Position != positions[i] {
			t.Errorf("event %d at %s, its append said %s", i, e.Position, positions[i])
		}
		if i > 0 && !positions[i-1].Before(positions[i]) {
			t.Errorf("position %s does not follow %s", positions[i], positions[i-1])
		}
		prev = e.Metadata.Hash
	}
	if err := eventstore.VerifyChain(stream, got); err != nil {
		t.Errorf("verify chain: %v", err)
	}
	if head := mustHead(t, s); head != r2.Last() {
		t.Errorf("head %s, want the last append's %s", head, r2.Last())
	}
}

func testExpectedRevision(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	// existing has revisions 0..2; missing has no events.
	const existing, missing = "case-existing", "case-missing"
	mustAppend(t, s, existing, eventstore.NoStream, g.events(3)...)

	t.Run("AnyOnMissing", func(t *testing.T) {
		if r := mustAppend(t, s, "case-any", eventstore.Any, g.events(2)...); r.LastRevision != 1 {
			t.Errorf("last revision %d, want 1", r.LastRevision)
		}
	})
	t.Run("AnyOnExisting", func(t *testing.T) {
		if r := mustAppend(t, s, "case-any", eventstore.Any, g.event("X")); r.LastRevision != 2 {
			t.Errorf("last revision %d, want 2", r.LastRevision)
		}
	})
	t.Run("NoStreamOnMissing", func(t *testing.T) {
		if r := mustAppend(t, s, "case-new", eventstore.NoStream, g.event("X")); r.LastRevision != 0 {
			t.Errorf("last revision %d, want 0", r.LastRevision)
		}
	})
	t.Run("NoStreamOnExisting", func(t *testing.T) {
		expectWrong(t, s, existing, eventstore.NoStream, 2, true, g.events(2)...)
	})
	t.Run("StreamExistsOnMissing", func(t *testing.T) {
		expectWrong(t, s, missing, eventstore.StreamExists, 0, false, g.event("X"))
	})
	t.Run("StreamExistsOnExisting", func(t *testing.T) {
		if r := mustAppend(t, s, "case-new", eventstore.StreamExists, g.event("X")); r.LastRevision != 1 {
			t.Errorf("last revision %d, want 1", r.LastRevision)
		}
	})
	t.Run("ExactMatching", func(t *testing.T) {
		if r := mustAppend(t, s, "case-new", eventstore.Exact(1), g.events(2)...); r.LastRevision != 3 {
			t.Errorf("last revision %d, want 3", r.LastRevision)
		}
	})
	t.Run("ExactBehind", func(t *testing.T) {
		expectWrong(t, s, existing, eventstore.Exact(1), 2, true, g.event("X"))
	})
	t.Run("ExactAhead", func(t *testing.T) {
		expectWrong(t, s, existing, eventstore.Exact(3), 2, true, g.events(2)...)
	})
	t.Run("ExactZeroOnMissing", func(t *testing.T) {
		expectWrong(t, s, missing, eventstore.Exact(0), 0, false, g.event("X"))
	})
	t.Run("ChainSurvivesFailures", func(t *testing.T) {
		mustAppend(t, s, existing, eventstore.Exact(2), g.event("X"))
		events := mustRead(t, s, existing, 0)
		if len(events) != 4 {
			t.Fatalf("%s has %d events, want 4", existing, len(events))
		}
		if err := eventstore.VerifyChain(existing, events); err != nil {
			t.Error(err)
		}
	})
}

func testReadStreamFromRevision(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	const stream = "case-from"
	a, b := g.events(2), g.events(3)
	mustAppend(t, s, stream, eventstore.NoStream, a...)
	mustAppend(t, s, "case-other", eventstore.NoStream, g.events(2)...) // in between in the log
	mustAppend(t, s, stream, eventstore.Exact(1), b...)
	all := mustRead(t, s, stream, 0)
	allIDs := append(ids(a), ids(b)...)
	wantIDs(t, "read from 0", all, allIDs, nil)

	for _, from := range []uint64{1, 2, 3, 4} { // inside an append, at one's start, ...
		got := mustRead(t, s, stream, from)
		sameEvents(t, "read from middle", got, all[from:])
	}
	if got := mustRead(t, s, stream, 5); len(got) != 0 {
		t.Errorf("read from past the end: %d events, want none", len(got))
	}
}

func testReadMissingStream(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	mustAppend(t, s, "case-present", eventstore.NoStream, g.events(2)...)
	for _, from := range []uint64{0, 3} {
		if _, err := s.ReadStream(t.Context(), "case-absent", from); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Errorf("read missing stream from %d: %v, want ErrStreamNotFound", from, err)
		}
	}
	// A stream whose name extends another's is still a different stream.
	if _, err := s.ReadStream(t.Context(), "case-present_2", 0); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Errorf("read case-present_2: %v, want ErrStreamNotFound", err)
	}
}

func testInvalidStreamName(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	mustAppend(t, s, "case-1", eventstore.NoStream, g.event("X"))
	before := mustHead(t, s)
	bad := []string{"", "case", "case-", "-1", "case-a.b", "case-a b", "case-*", "case->", "case-ä", "case-" + strings.Repeat("x", 200)}
	for _, name := range bad {
		if _, err := s.Append(t.Context(), name, eventstore.Any, g.event("X")); !errors.Is(err, eventstore.ErrInvalidStreamName) {
			t.Errorf("append to %q: %v, want ErrInvalidStreamName", name, err)
		}
		if _, err := s.ReadStream(t.Context(), name, 0); !errors.Is(err, eventstore.ErrInvalidStreamName) {
			t.Errorf("read %q: %v, want ErrInvalidStreamName", name, err)
		}
	}
	if after := mustHead(t, s); after != before {
		t.Errorf("head moved from %s to %s", before, after)
	}
}

func testNoEvents(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	mustAppend(t, s, "case-1", eventstore.NoStream, g.event("X"))
	for _, stream := range []string{"case-1", "case-2"} {
		before := snapshot(t, s, stream)
		for _, exp := range []eventstore.ExpectedRevision{eventstore.Any, eventstore.NoStream, eventstore.Exact(0)} {
			if _, err := s.Append(t.Context(), stream, exp); !errors.Is(err, eventstore.ErrNoEvents) {
				t.Errorf("append nothing to %s expecting %s: %v, want ErrNoEvents", stream, exp, err)
			}
		}
		before.check(t, s, stream, "empty append")
	}
}

func testInvalidEventWritesNothing(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	const stream = "case-invalid"
	mustAppend(t, s, stream, eventstore.NoStream, g.event("X"))
	before := snapshot(t, s, stream)
	noID, noType, badJSON := g.event("X"), g.event("X"), g.event("X")
	noID.ID, noType.Type, badJSON.Data = "", "", json.RawMessage(`{"open":`)
	for _, bad := range []eventstore.EventData{noID, noType, badJSON} {
		_, err := s.Append(t.Context(), stream, eventstore.Any, g.event("X"), bad)
		if err == nil || errors.Is(err, eventstore.ErrWrongExpectedRevision) {
			t.Errorf("append with an invalid event: %v, want an error", err)
		}
	}
	before.check(t, s, stream, "invalid append")
}

func testMultiEventAppendIsAtomic(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	const stream, appends, size = "case-atomic", 25, 4
	batches := make([][]eventstore.EventData, appends)
	for i := range batches {
		batches[i] = g.events(size)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() { // a reader never sees part of an append
		reads := 0
		for {
			select {
			case <-done:
				if reads > 0 {
					return
				}
				// On a busy machine the appends can all land before the reader's
				// first read: read once more, so the check always runs.
			default:
			}
			events, err := s.ReadStream(t.Context(), stream, 0)
			if errors.Is(err, eventstore.ErrStreamNotFound) {
				continue
			}
			if err != nil {
				t.Errorf("concurrent read: %v", err)
				return
			}
			reads++
			if len(events)%size != 0 {
				t.Errorf("concurrent read saw %d events: part of an append", len(events))
				return
			}
		}
	})
	var positions []eventstore.Position
	var want []string
	for i, batch := range batches {
		r := mustAppend(t, s, stream, eventstore.Any, batch...)
		if r.LastRevision != uint64((i+1)*size-1) {
			t.Errorf("append %d: last revision %d, want %d", i, r.LastRevision, (i+1)*size-1)
		}
		positions = append(positions, r.Positions...)
		want = append(want, ids(batch)...)
	}
	close(done)
	wg.Wait()

	got := mustRead(t, s, stream, 0)
	wantIDs(t, "read", got, want, positions)
	for i, e := range got {
		if e.Revision != uint64(i) {
			t.Fatalf("event %d has revision %d", i, e.Revision)
		}
	}
	if err := eventstore.VerifyChain(stream, got); err != nil {
		t.Error(err)
	}
	wantIDs(t, "subscription", next(t, subscribe(t, s, eventstore.Start), len(want)), want, positions)
}

// testTooLargeWritesNothing: an append far over any backend's message size (4 MiB of
// data; JetStream's default max payload is 1 MiB) is ErrEventTooLarge with the sizes,
// and writes nothing; SizeChecker, where a store has it, says so without appending.
func testTooLargeWritesNothing(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	const stream = "case-too-large"
	mustAppend(t, s, stream, eventstore.NoStream, g.event("X"))
	before := snapshot(t, s, stream)
	huge := g.event("X")
	huge.Data = json.RawMessage(`{"blob":"` + strings.Repeat("a", 4<<20) + `"}`)
	for _, exp := range []eventstore.ExpectedRevision{eventstore.Any, eventstore.Exact(0)} {
		_, err := s.Append(t.Context(), stream, exp, huge)
		var tooLarge *eventstore.TooLargeError
		if !errors.As(err, &tooLarge) || !errors.Is(err, eventstore.ErrEventTooLarge) {
			t.Fatalf("a 4 MiB append expecting %s: %v, want a *TooLargeError", exp, err)
		}
		if tooLarge.Size <= 4<<20 || tooLarge.Max <= 0 || tooLarge.Max >= tooLarge.Size {
			t.Errorf("sizes: %d bytes, at most %d", tooLarge.Size, tooLarge.Max)
		}
	}
	before.check(t, s, "case-too-large", "too large append")
	if checker, ok := s.(eventstore.SizeChecker); ok {
		if err := checker.CheckAppendSize(stream, huge); !errors.Is(err, eventstore.ErrEventTooLarge) {
			t.Errorf("CheckAppendSize of 4 MiB: %v", err)
		}
		if err := checker.CheckAppendSize(stream, g.event("X")); err != nil {
			t.Errorf("CheckAppendSize of a small event: %v", err)
		}
	}
	if r := mustAppend(t, s, stream, eventstore.Exact(0), g.event("X")); r.LastRevision != 1 {
		t.Errorf("the next append landed at revision %d, want 1", r.LastRevision)
	}
}
