package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// waitTimeout bounds every wait for a subscription's events.
const waitTimeout = 15 * time.Second

var baseTime = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// gen makes deterministic events: ids, commands and times count up.
type gen struct {
	mu sync.Mutex
	n  int
}

func (g *gen) event(typ string) eventstore.EventData {
	g.mu.Lock()
	g.n++
	n := g.n
	g.mu.Unlock()
	md := eventstore.Metadata{
		Actor:         "user-7",
		Role:          "caseworker",
		Organisation:  "org-shelter-1",
		CommandID:     fmt.Sprintf("cmd-%d", n),
		CorrelationID: "corr-1",
		CausationID:   fmt.Sprintf("cause-%d", n),
		RecordedAt:    baseTime.Add(time.Duration(n) * time.Second),
	}
	if n%2 == 0 { // half of them as commands record them now, half as before
		md.CommandType, md.Fingerprint = "DoThing", fmt.Sprintf("%064x", n)
	}
	return eventstore.EventData{
		ID:            fmt.Sprintf("01900000-0000-7000-8000-%012x", n),
		Type:          typ,
		SchemaVersion: 1 + n%2,
		Data:          json.RawMessage(fmt.Sprintf(`{"n":%d,"personal":{"sealed":"c2VhbGVk"},"note":"a<b & c"}`, n)),
		Metadata:      md,
	}
}

func (g *gen) events(k int) []eventstore.EventData {
	out := make([]eventstore.EventData, k)
	for i := range out {
		out[i] = g.event("TestThingHappened")
	}
	return out
}

func mustAppend(t *testing.T, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, events ...eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(t.Context(), stream, exp, events...)
	if err != nil {
		t.Fatalf("append %d events to %s (expected %s): %v", len(events), stream, exp, err)
	}
	if len(res.Positions) != len(events) {
		t.Fatalf("append to %s: %d positions for %d events", stream, len(res.Positions), len(events))
	}
	return res
}

func mustRead(t *testing.T, s eventstore.Store, stream string, from uint64) []eventstore.RecordedEvent {
	t.Helper()
	events, err := s.ReadStream(t.Context(), stream, from)
	if err != nil {
		t.Fatalf("read %s from %d: %v", stream, from, err)
	}
	return events
}

func mustHead(t *testing.T, s eventstore.Store) eventstore.Position {
	t.Helper()
	p, err := s.Head(t.Context())
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	return p
}

// checkEvent asserts that got is want stored in stream at rev after an event whose
// hash is prevHash: the exact bytes eventstore.EncodeRecord makes, decoded back.
func checkEvent(t *testing.T, got eventstore.RecordedEvent, want eventstore.EventData, stream string, rev uint64, prevHash string) {
	t.Helper()
	if got.Stream != stream || got.Revision != rev {
		t.Fatalf("event %s: stored as %s revision %d, want %s revision %d", want.ID, got.Stream, got.Revision, stream, rev)
	}
	raw, hash, err := eventstore.EncodeRecord(stream, rev, prevHash, want)
	if err != nil {
		t.Fatalf("encode expected event: %v", err)
	}
	if !bytes.Equal(got.Raw, raw) {
		t.Errorf("event %s: raw bytes\n got %s\nwant %s", want.ID, got.Raw, raw)
	}
	if got.Metadata.Hash != hash || got.Metadata.Hash != eventstore.HashOf(got.Raw) {
		t.Errorf("event %s: hash %q, want %q", want.ID, got.Metadata.Hash, hash)
	}
	if got.Metadata.PrevHash != prevHash {
		t.Errorf("event %s: prev hash %q, want %q", want.ID, got.Metadata.PrevHash, prevHash)
	}
	if got.ID != want.ID || got.Type != want.Type || got.SchemaVersion != want.SchemaVersion {
		t.Errorf("event: got id/type/schema %s/%s/%d, want %s/%s/%d", got.ID, got.Type, got.SchemaVersion, want.ID, want.Type, want.SchemaVersion)
	}
	wantData := want.Data
	if len(wantData) == 0 {
		wantData = json.RawMessage(`{}`)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, wantData); err != nil {
		t.Fatalf("expected data: %v", err)
	}
	if !bytes.Equal(got.Data, compact.Bytes()) {
		t.Errorf("event %s: data %s, want %s", want.ID, got.Data, compact.Bytes())
	}
	gm, wm := got.Metadata, want.Metadata
	if gm.Actor != wm.Actor || gm.Role != wm.Role || gm.Organisation != wm.Organisation ||
		gm.CommandID != wm.CommandID || gm.CorrelationID != wm.CorrelationID ||
		gm.CausationID != wm.CausationID || !gm.RecordedAt.Equal(wm.RecordedAt) ||
		gm.CommandType != wm.CommandType || gm.Fingerprint != wm.Fingerprint {
		t.Errorf("event %s: metadata %+v, want %+v", want.ID, gm, wm)
	}
	dec, err := eventstore.DecodeRecord(got.Raw)
	if err != nil {
		t.Fatalf("event %s: raw does not decode: %v", want.ID, err)
	}
	if dec.ID != got.ID || dec.Stream != got.Stream || dec.Revision != got.Revision || dec.Metadata.Hash != got.Metadata.Hash {
		t.Errorf("event %s: raw decodes to %s %s@%d, not the event returned", want.ID, dec.ID, dec.Stream, dec.Revision)
	}
}

// sameEvents asserts two reads of the same events agree on everything stored.
func sameEvents(t *testing.T, what string, got, want []eventstore.RecordedEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Stream != w.Stream || g.Revision != w.Revision || g.Position != w.Position ||
			g.Metadata.Hash != w.Metadata.Hash || g.Metadata.PrevHash != w.Metadata.PrevHash || !bytes.Equal(g.Raw, w.Raw) {
			t.Fatalf("%s: event %d is %s %s@%d at %s, want %s %s@%d at %s",
				what, i, g.ID, g.Stream, g.Revision, g.Position, w.ID, w.Stream, w.Revision, w.Position)
		}
	}
}

// state is what a failed operation must leave untouched.
type state struct {
	head    eventstore.Position
	events  []eventstore.RecordedEvent
	missing bool
}

func snapshot(t *testing.T, s eventstore.Store, stream string) state {
	t.Helper()
	st := state{head: mustHead(t, s)}
	events, err := s.ReadStream(t.Context(), stream, 0)
	switch {
	case errors.Is(err, eventstore.ErrStreamNotFound):
		st.missing = true
	case err != nil:
		t.Fatalf("read %s: %v", stream, err)
	}
	st.events = events
	return st
}

func (st state) check(t *testing.T, s eventstore.Store, stream, what string) {
	t.Helper()
	now := snapshot(t, s, stream)
	if now.head != st.head {
		t.Errorf("%s: head moved from %s to %s", what, st.head, now.head)
	}
	if now.missing != st.missing {
		t.Fatalf("%s: stream %s missing before=%v after=%v", what, stream, st.missing, now.missing)
	}
	sameEvents(t, what+": stream "+stream, now.events, st.events)
}

// expectWrong appends with exp and asserts it fails with the actual revision given,
// writing nothing.
func expectWrong(t *testing.T, s eventstore.Store, stream string, exp eventstore.ExpectedRevision, actual uint64, exists bool, events ...eventstore.EventData) {
	t.Helper()
	before := snapshot(t, s, stream)
	_, err := s.Append(t.Context(), stream, exp, events...)
	if !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("append to %s expecting %s: got %v, want ErrWrongExpectedRevision", stream, exp, err)
	}
	var wrong *eventstore.WrongExpectedRevisionError
	if !errors.As(err, &wrong) {
		t.Fatalf("append to %s expecting %s: %v is not a *WrongExpectedRevisionError", stream, exp, err)
	}
	if wrong.Stream != stream || wrong.Expected != exp || wrong.ActualExists != exists || (exists && wrong.Actual != actual) {
		t.Errorf("append to %s expecting %s: error says stream %s expected %s actual %d exists %v; want actual %d exists %v",
			stream, exp, wrong.Stream, wrong.Expected, wrong.Actual, wrong.ActualExists, actual, exists)
	}
	before.check(t, s, stream, "failed append")
}

// subscribe opens a subscription closed at the end of the test.
func subscribe(t *testing.T, s eventstore.Store, from eventstore.Position) eventstore.Subscription {
	t.Helper()
	sub, err := s.Subscribe(t.Context(), from)
	if err != nil {
		t.Fatalf("subscribe from %s: %v", from, err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// next reads n events from sub.
func next(t *testing.T, sub eventstore.Subscription, n int) []eventstore.RecordedEvent {
	t.Helper()
	out := make([]eventstore.RecordedEvent, 0, n)
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for len(out) < n {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", len(out), n, sub.Err())
			}
			out = append(out, e)
		case <-deadline.C:
			t.Fatalf("subscription: %d of %d events after %s", len(out), n, waitTimeout)
		}
	}
	return out
}

// wantIDs asserts events are exactly the ids given, in order, at the positions given.
func wantIDs(t *testing.T, what string, got []eventstore.RecordedEvent, ids []string, positions []eventstore.Position) {
	t.Helper()
	gotIDs := make([]string, len(got))
	for i, e := range got {
		gotIDs[i] = e.ID
	}
	if !slices.Equal(gotIDs, ids) {
		t.Fatalf("%s: ids\n got %v\nwant %v", what, gotIDs, ids)
	}
	for i, e := range got {
		if positions != nil && e.Position != positions[i] {
			t.Errorf("%s: event %s at %s, its append said %s", what, e.ID, e.Position, positions[i])
		}
		if i > 0 && !got[i-1].Position.Before(e.Position) {
			t.Errorf("%s: position %s does not follow %s", what, e.Position, got[i-1].Position)
		}
	}
}

// ids returns the events' ids.
func ids(events []eventstore.EventData) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// closedWithin waits for sub's channel to close and returns its Err.
func closedWithin(t *testing.T, sub eventstore.Subscription) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for {
		select {
		case _, ok := <-sub.Events():
			if !ok {
				return sub.Err()
			}
		case <-ctx.Done():
			t.Fatalf("subscription still open after %s", waitTimeout)
		}
	}
}
