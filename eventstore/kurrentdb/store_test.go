package kurrentdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
)

func event(n int) eventstore.EventData {
	return eventstore.EventData{
		ID: fmt.Sprintf("01900000-0000-7000-8000-%012x", n), Type: "Happened", SchemaVersion: 1,
		Data:     json.RawMessage(fmt.Sprintf(`{"n":%d}`, n)),
		Metadata: eventstore.Metadata{Actor: "user-1", Role: "caseworker", RecordedAt: time.Date(2025, 3, 1, 9, 0, n, 0, time.UTC)},
	}
}

// The server going away and coming back (on the double: Stop, Restart on the same
// address with the same data) is a pause: an append made while it is down lands once
// it is back, and a subscription resumes after the last event it delivered, with no
// event twice and none missed. The client library gives its connection up after about
// a second of failed discovery; the store starts a new one.
func TestServerRestart(t *testing.T) {
	t.Parallel()
	srv, s := testkit.KurrentDBStore(t)
	sub, err := s.Subscribe(t.Context(), eventstore.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := s.Append(t.Context(), "case-1", eventstore.NoStream, event(1)); err != nil {
		t.Fatal(err)
	}
	receive(t, sub, event(1).ID)

	srv.Stop()
	// Nothing succeeds against a server that is down: a call gives up when its
	// context does.
	short, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := s.ReadStream(short, "case-1", 0); err == nil {
		t.Fatal("a read with the server down succeeded")
	}
	type result struct {
		res eventstore.AppendResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := s.Append(t.Context(), "case-1", eventstore.Exact(0), event(2))
		done <- result{res, err}
	}()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("append across the restart: %v", r.err)
	}
	if r.res.LastRevision != 1 {
		t.Errorf("append across the restart: revision %d, want 1", r.res.LastRevision)
	}
	receive(t, sub, event(2).ID)
	if _, err := s.Append(t.Context(), "case-1", eventstore.Exact(1), event(3)); err != nil {
		t.Fatal(err)
	}
	receive(t, sub, event(3).ID)
	events, err := s.ReadStream(t.Context(), "case-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("%d events after the restart, want 3", len(events))
	}
	if err := eventstore.VerifyChain("case-1", events); err != nil {
		t.Error(err)
	}
}

func receive(t *testing.T, sub eventstore.Subscription, id string) {
	t.Helper()
	select {
	case e, ok := <-sub.Events():
		if !ok {
			t.Fatalf("subscription ended: %v", sub.Err())
		}
		if e.ID != id {
			t.Fatalf("subscription delivered %s, want %s", e.ID, id)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("subscription: no event %s after 30 s", id)
	}
}

// A stream of a kind Waymark does not keep is refused: the subscriptions' server-side
// filter names the kinds (eventstore.Kinds), so its events would never reach a read
// model.
func TestUnknownKindRefused(t *testing.T) {
	t.Parallel()
	srv, s := testkit.KurrentDBStore(t)
	if _, err := s.Append(t.Context(), "invoice-1", eventstore.Any, event(1)); !errors.Is(err, eventstore.ErrInvalidStreamName) {
		t.Errorf("append to invoice-1: %v, want ErrInvalidStreamName", err)
	}
	if srv.StreamLen("invoice-1") != 0 {
		t.Error("the refused append wrote to KurrentDB")
	}
	if _, err := s.Append(t.Context(), "audit-checkpoints", eventstore.NoStream, event(2)); err != nil {
		t.Errorf("append to audit-checkpoints: %v", err)
	}
}
