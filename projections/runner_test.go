package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/memstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/projections"
)

var at = time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)

// openStore is an in-memory store: these tests are about the read models, which the
// store's contract (the global log in order, subscriptions) is all they rely on.
func openStore(t *testing.T) *memstore.Store {
	t.Helper()
	s := memstore.New(0)
	t.Cleanup(func() { s.Close() })
	return s
}

func appendEvents(t *testing.T, s eventstore.Store, stream string, events ...domain.Event) eventstore.Position {
	t.Helper()
	data := make([]eventstore.EventData, len(events))
	for i, e := range events {
		d, err := codec.Encode(e, stream+"-"+e.EventType(), eventstore.Metadata{Actor: "t", Role: "caseworker", Organisation: "shelter", RecordedAt: at}, passThrough, nil)
		if err != nil {
			t.Fatal(err)
		}
		data[i] = d
	}
	res, err := s.Append(context.Background(), stream, eventstore.Any, data...)
	if err != nil {
		t.Fatal(err)
	}
	return res.Last()
}

// passThrough leaves personal data as it is: these tests are about the read model.
func passThrough(_ string, _ int, plaintext []byte) (json.RawMessage, error) { return plaintext, nil }

func referred(name string, barriers ...domain.Barrier) domain.SurvivorReferred {
	return domain.SurvivorReferred{ReferringOrganisation: "shelter", Jurisdiction: "MX", Barriers: barriers, At: at,
		Personal: &domain.SurvivorDetails{FullName: name}}
}

func TestRunnerFeedsCaseViewsAndWaits(t *testing.T) {
	s := openStore(t)
	appendEvents(t, s, "case-a", referred("Ana Demo", domain.BarrierNoID))
	cases := projections.NewCases(nil)
	r := projections.NewRunner(s, slog.New(slog.NewTextHandler(io.Discard, nil)), cases)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := r.WaitReady(wait); err != nil {
		t.Fatal(err)
	}
	last := appendEvents(t, s, "case-b", referred("Bea Demo"), domain.CaseNoteAdded{NoteID: "n1", At: at, Personal: &domain.NoteDetails{Text: "hi"}})
	if err := r.WaitFor(wait, last); err != nil {
		t.Fatal(err)
	}
	b, ok := cases.Get("b")
	if !ok || b.State.Version != 2 || len(b.Notes) != 1 || len(b.Journey) != 2 || b.Position != last {
		t.Fatalf("case b = %+v", b)
	}
	// Personal data stays as stored: opaque to the read model.
	if texts, err := projections.NoteTexts(wait, s, b); err != nil || len(texts) != 1 || string(texts[0].Data) != `{"text":"hi"}` {
		t.Errorf("note personal = %+v, %v", texts, err)
	}
	page := cases.List(projections.CaseFilter{}, paging.Window{Size: 10}, eventstore.Start)
	if len(page.Cases) != 2 || page.Cases[0].ID != "b" || page.Cases[1].ID != "a" {
		t.Errorf("list order = %v", page.Cases)
	}
	if page := cases.List(projections.CaseFilter{Barrier: domain.BarrierNoID}, paging.Window{Size: 10}, eventstore.Start); page.TotalCount != 1 {
		t.Errorf("barrier filter = %d", page.TotalCount)
	}

	// Waiting for a position not yet written ends with the caller's context.
	short, stopShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stopShort()
	future := eventstore.NewPosition(1<<40, 0)
	if err := r.WaitFor(short, future); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait for the future: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if err := r.WaitFor(context.Background(), future); !errors.Is(err, projections.ErrStopped) {
		t.Errorf("wait after stop: %v", err)
	}
	if r.Ready() {
		t.Error("a stopped runner reports ready")
	}
}

// A case stream that does not start with a referral is a broken log, not a view.
func TestCaseWithoutReferralStopsTheRunner(t *testing.T) {
	s := openStore(t)
	appendEvents(t, s, "case-x", domain.CaseNoteAdded{NoteID: "n", At: at, Personal: &domain.NoteDetails{Text: "orphan"}})
	r := projections.NewRunner(s, slog.New(slog.NewTextHandler(io.Discard, nil)), projections.NewCases(nil))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waited := make(chan error, 1)
	go func() { waited <- r.WaitReady(ctx) }() // waiting before Run, never ready
	if err := r.Run(ctx); err == nil {
		t.Fatal("runner accepted a case without a referral")
	}
	// Whoever waits for ready learns that it stopped, before or after it did.
	if err := <-waited; !errors.Is(err, projections.ErrStopped) {
		t.Errorf("wait for ready while it stopped: %v", err)
	}
	if err := r.WaitReady(ctx); !errors.Is(err, projections.ErrStopped) {
		t.Errorf("wait for ready after it stopped: %v", err)
	}
}
