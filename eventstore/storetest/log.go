package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

// appendLog interleaves appends to three streams and returns the ids and positions
// in append order.
func appendLog(t *testing.T, s eventstore.Store, g *gen) (eventIDs []string, positions []eventstore.Position) {
	t.Helper()
	plan := []struct {
		stream string
		n      int
	}{
		{"case-a", 1}, {"case-b", 2}, {"case-a", 1}, {"organisation-c", 3},
		{"case-b", 1}, {"case-a", 2}, {"organisation-c", 1}, {"case-b", 1},
	}
	for _, p := range plan {
		events := g.events(p.n)
		r := mustAppend(t, s, p.stream, eventstore.Any, events...)
		eventIDs = append(eventIDs, ids(events)...)
		positions = append(positions, r.Positions...)
	}
	return eventIDs, positions
}

func testGlobalOrderAcrossStreams(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	if head := mustHead(t, s); !head.IsStart() {
		t.Fatalf("empty store: head %s, want Start", head)
	}
	want, positions := appendLog(t, s, g)
	got := next(t, subscribe(t, s, eventstore.Start), len(want))
	wantIDs(t, "global log", got, want, positions)
	if head := mustHead(t, s); head != positions[len(positions)-1] {
		t.Errorf("head %s, want the last event's %s", head, positions[len(positions)-1])
	}
	// The log carries each event as its stream stores it.
	for _, stream := range []string{"case-a", "case-b", "organisation-c"} {
		var fromLog []eventstore.RecordedEvent
		for _, e := range got {
			if e.Stream == stream {
				fromLog = append(fromLog, e)
			}
		}
		sameEvents(t, "log vs "+stream, fromLog, mustRead(t, s, stream, 0))
	}
}

func testSubscribeFromMiddle(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	a1, b, a2 := g.events(3), g.events(2), g.events(1)
	r1 := mustAppend(t, s, "case-a", eventstore.NoStream, a1...)
	r2 := mustAppend(t, s, "case-b", eventstore.NoStream, b...)
	r3 := mustAppend(t, s, "case-a", eventstore.Exact(2), a2...)
	stored := append(append(ids(a1), ids(b)...), ids(a2)...)
	positions := append(append(r1.Positions, r2.Positions...), r3.Positions...)

	cases := []struct {
		name string
		from eventstore.Position
		skip int // events at or before from
	}{
		{"Start", eventstore.Start, 0},
		{"InsideAnAppend", r1.Positions[1], 2},
		{"LastOfAnAppend", r1.Positions[2], 3},
		{"FirstOfAnAppend", r2.Positions[0], 4},
		{"Head", r3.Last(), 6},
	}
	subs := make([]eventstore.Subscription, len(cases))
	for i, c := range cases {
		subs[i] = subscribe(t, s, c.from)
		got := next(t, subs[i], len(stored)-c.skip)
		wantIDs(t, c.name+" catch-up", got, stored[c.skip:], positions[c.skip:])
	}
	// Then every subscription goes live, with nothing in between.
	live := g.events(2)
	r4 := mustAppend(t, s, "case-b", eventstore.Exact(1), live...)
	live2 := g.event("X")
	r5 := mustAppend(t, s, "case-c", eventstore.NoStream, live2)
	for i, c := range cases {
		got := next(t, subs[i], 3)
		wantIDs(t, c.name+" live", got, append(ids(live), live2.ID), append(r4.Positions, r5.Positions...))
	}
}

func testSubscribeLiveFromEmpty(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	sub := subscribe(t, s, eventstore.Start)
	var want []string
	var positions []eventstore.Position
	for i, stream := range []string{"case-1", "case-2", "case-1"} {
		events := g.events(i + 1)
		r := mustAppend(t, s, stream, eventstore.Any, events...)
		want = append(want, ids(events)...)
		positions = append(positions, r.Positions...)
	}
	wantIDs(t, "live", next(t, sub, len(want)), want, positions)
}

func testSubscriptionEnds(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	mustAppend(t, s, "case-1", eventstore.NoStream, g.events(3)...)

	ctx, cancel := context.WithCancel(t.Context())
	byCtx, err := s.Subscribe(ctx, eventstore.Start)
	if err != nil {
		t.Fatal(err)
	}
	next(t, byCtx, 1)
	cancel()
	if err := closedWithin(t, byCtx); err != nil {
		t.Errorf("subscription ended by its context: Err %v, want nil", err)
	}

	byClose := subscribe(t, s, eventstore.Start)
	byClose.Close()
	if err := closedWithin(t, byClose); err != nil {
		t.Errorf("closed subscription: Err %v, want nil", err)
	}

	// A subscription nobody reads ends when the store closes.
	unread := subscribe(t, s, eventstore.Start)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := closedWithin(t, unread); err != nil {
		t.Errorf("subscription ended by Close: Err %v, want nil", err)
	}
}

func testClosedStore(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	mustAppend(t, s, "case-1", eventstore.NoStream, g.event("X"))
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	ctx := t.Context()
	if _, err := s.Append(ctx, "case-1", eventstore.Any, g.event("X")); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("append after close: %v, want ErrClosed", err)
	}
	if _, err := s.ReadStream(ctx, "case-1", 0); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("read after close: %v, want ErrClosed", err)
	}
	if _, err := s.Subscribe(ctx, eventstore.Start); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("subscribe after close: %v, want ErrClosed", err)
	}
	if _, err := s.Head(ctx); !errors.Is(err, eventstore.ErrClosed) {
		t.Errorf("head after close: %v, want ErrClosed", err)
	}
}

func testPersistenceAcrossRestart(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	want, _ := appendLog(t, s, g)
	streams := []string{"case-a", "case-b", "organisation-c"}
	before := map[string][]eventstore.RecordedEvent{}
	for _, stream := range streams {
		before[stream] = mustRead(t, s, stream, 0)
	}
	headBefore := mustHead(t, s)
	logBefore := next(t, subscribe(t, s, eventstore.Start), len(want))

	s = h.Restart(t)
	for _, stream := range streams {
		sameEvents(t, "after restart: "+stream, mustRead(t, s, stream, 0), before[stream])
	}
	if head := mustHead(t, s); head != headBefore {
		t.Errorf("after restart: head %s, want %s", head, headBefore)
	}
	sameEvents(t, "after restart: global log", next(t, subscribe(t, s, eventstore.Start), len(want)), logBefore)

	// The streams' state carried over: expectations and the chain go on.
	a := before["case-a"]
	expectWrong(t, s, "case-a", eventstore.NoStream, a[len(a)-1].Revision, true, g.event("X"))
	more := g.events(2)
	r := mustAppend(t, s, "case-a", eventstore.Exact(a[len(a)-1].Revision), more...)
	if r.LastRevision != uint64(len(a)+1) {
		t.Errorf("append after restart: last revision %d, want %d", r.LastRevision, len(a)+1)
	}
	if !headBefore.Before(r.Positions[0]) {
		t.Errorf("append after restart at %s, not after the old head %s", r.Positions[0], headBefore)
	}
	after := mustRead(t, s, "case-a", 0)
	checkEvent(t, after[len(a)], more[0], "case-a", uint64(len(a)), a[len(a)-1].Metadata.Hash)
	if err := eventstore.VerifyChain("case-a", after); err != nil {
		t.Error(err)
	}
	if head := mustHead(t, s); head != r.Last() {
		t.Errorf("head %s, want %s", head, r.Last())
	}
}

func testPositionOrdering(t *testing.T, h Harness) {
	s, g := h.Store, &gen{}
	_, positions := appendLog(t, s, g)
	for i, p := range positions {
		if !eventstore.Start.Before(p) || p.IsStart() || p.Compare(eventstore.Start) != 1 {
			t.Errorf("position %s is not after Start", p)
		}
		if p.Compare(p) != 0 || p.Before(p) {
			t.Errorf("position %s does not equal itself", p)
		}
		parsed, err := eventstore.ParsePosition(p.String())
		if err != nil || parsed != p || parsed.Compare(p) != 0 {
			t.Errorf("ParsePosition(%q) = %s, %v; want %s", p.String(), parsed, err, p)
		}
		for j, q := range positions {
			if want := cmp(i, j); p.Compare(q) != want || q.Compare(p) != -want || p.Before(q) != (want < 0) {
				t.Errorf("position %d (%s) vs %d (%s): Compare %d, want %d", i, p, j, q, p.Compare(q), want)
			}
		}
	}
	if p, err := eventstore.ParsePosition(eventstore.Start.String()); err != nil || !p.IsStart() {
		t.Errorf("ParsePosition(Start) = %s, %v", p, err)
	}
	for _, bad := range []string{"", "12", "a-b", "1-", "-1", "1-2-3", "-1-2"} {
		if _, err := eventstore.ParsePosition(bad); !errors.Is(err, eventstore.ErrInvalidPosition) {
			t.Errorf("ParsePosition(%q): %v, want ErrInvalidPosition", bad, err)
		}
	}
}

func cmp(i, j int) int {
	switch {
	case i < j:
		return -1
	case i > j:
		return 1
	}
	return 0
}
