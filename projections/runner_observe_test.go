package projections_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// ObserveApplied hears of the events applied live, not of those replayed to catch up
// (their age is not how late the read models are), and only before Run.
func TestObserveAppliedLiveEventsOnly(t *testing.T) {
	s := openStore(t)
	appendEvents(t, s, "case-a", referred("Ana Demo"), domain.CaseNoteAdded{NoteID: "n1", At: at})
	r := projections.NewRunner(s, slog.New(slog.NewTextHandler(io.Discard, nil)), projections.NewCases(nil))
	var (
		mu   sync.Mutex
		seen []time.Time
	)
	if err := r.ObserveApplied(func(t time.Time) { mu.Lock(); seen = append(seen, t); mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := r.WaitReady(wait); err != nil {
		t.Fatal(err)
	}
	last := appendEvents(t, s, "case-b", referred("Bea Demo"))
	if err := r.WaitFor(wait, last); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(seen) != 1 || !seen[0].Equal(at) {
		t.Errorf("observed %v, want the one live event, recorded at %v", seen, at)
	}
	mu.Unlock()
	if err := r.ObserveApplied(nil); !errors.Is(err, projections.ErrRunning) {
		t.Errorf("ObserveApplied while running: %v, want ErrRunning", err)
	}
}
