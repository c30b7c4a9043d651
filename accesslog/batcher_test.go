package accesslog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waymark-org/waymark/accesslog"
)

// memSink keeps entries in memory and checks how the Log uses a Sink: rounds of at
// most MaxRound entries, one at a time. An entry whose reason is "fail" fails alone;
// gate, when set, holds each round until it is closed or receives.
type memSink struct {
	mu       sync.Mutex
	entries  []accesslog.Entry
	rounds   int
	inFlight atomic.Int32
	gate     chan struct{}
	t        *testing.T
}

var errRefused = errors.New("refused by the sink")

func (s *memSink) Publish(ctx context.Context, entries []accesslog.Entry) []error {
	if n := s.inFlight.Add(1); n > 1 {
		s.t.Errorf("%d rounds in flight at once", n)
	}
	defer s.inFlight.Add(-1)
	if len(entries) == 0 || len(entries) > accesslog.MaxRound {
		s.t.Errorf("a round of %d entries", len(entries))
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
		}
	}
	errs := make([]error, len(entries))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rounds++
	for i, e := range entries {
		if e.Reason == "fail" {
			errs[i] = errRefused
			continue
		}
		s.entries = append(s.entries, e)
	}
	return errs
}

func (s *memSink) ForCase(_ context.Context, caseID string) ([]accesslog.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []accesslog.Entry
	for _, e := range s.entries {
		if e.CaseID == caseID {
			out = append(out, e)
		}
	}
	return out, nil
}

func newLog(t *testing.T, sink *memSink) *accesslog.Log {
	t.Helper()
	sink.t = t
	l := accesslog.New(sink)
	t.Cleanup(l.Close)
	return l
}

func entries(actor, caseID string, n int, reason string) []accesslog.Entry {
	out := make([]accesslog.Entry, n)
	for i := range out {
		out[i] = accesslog.Entry{At: time.Date(2026, 5, 1, 12, 0, 0, n-i, time.UTC), Actor: actor, Role: "caseworker",
			CaseID: caseID, Groups: []string{"identity"}, Reason: reason}
	}
	return out
}

// Many callers at once: every entry stored, in rounds no larger than MaxRound, one at
// a time, far fewer rounds than calls.
func TestRoundsAreBoundedAndShared(t *testing.T) {
	t.Parallel()
	sink := &memSink{}
	log := newLog(t, sink)
	const callers, each = 40, 100
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			if err := log.Record(t.Context(), entries(fmt.Sprint("u", i), "case-a", each, "")...); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := log.ForCase(t.Context(), "case-a")
	if err != nil || len(got) != callers*each {
		t.Fatalf("%d entries stored (%v), want %d", len(got), err, callers*each)
	}
	if min := callers * each / accesslog.MaxRound; sink.rounds < min || sink.rounds >= callers*each {
		t.Errorf("%d rounds for %d entries", sink.rounds, callers*each)
	}
}

// An entry the sink refuses fails its own call only.
func TestOneEntryFailsOnlyItsCall(t *testing.T) {
	t.Parallel()
	sink := &memSink{gate: make(chan struct{})}
	log := newLog(t, sink)
	var wg sync.WaitGroup
	wg.Go(func() { _ = log.Record(t.Context(), entries("first", "case-f", 1, "")...) }) // holds the first round
	time.Sleep(10 * time.Millisecond)
	var bad error
	good := make([]error, 10)
	wg.Go(func() {
		bad = log.Record(t.Context(), append(entries("bad", "case-x", 3, ""), entries("bad", "case-x", 1, "fail")...)...)
	})
	for i := range good {
		wg.Go(func() { good[i] = log.Record(t.Context(), entries(fmt.Sprint("g", i), "case-g", 5, "")...) })
	}
	time.Sleep(10 * time.Millisecond) // let them queue behind the held round
	close(sink.gate)
	wg.Wait()
	if !errors.Is(bad, errRefused) {
		t.Errorf("the call with a refused entry: %v, want its error", bad)
	}
	for i, err := range good {
		if err != nil {
			t.Errorf("caller %d failed with another caller's entry: %v", i, err)
		}
	}
}

// While the sink is slow the queue fills; callers past it wait for room (back-pressure)
// as long as their context allows, and then fail with its error, never another.
func TestFullQueueWaitsThenGivesUp(t *testing.T) {
	t.Parallel()
	sink := &memSink{gate: make(chan struct{})}
	log := newLog(t, sink)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 { // 3 × 4,000 entries: more than the queue holds
		wg.Go(func() { errs <- log.Record(t.Context(), entries("heavy", "case-h", 4000, "")...) })
	}
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := log.Record(ctx, entries("late", "case-l", 1, "")...); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a caller past a full queue: %v, want its context's error", err)
	}
	go func() { // let every round through
		for {
			select {
			case sink.gate <- struct{}{}:
			case <-t.Context().Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a heavy caller failed rather than waited: %v", err)
		}
	}
	if got, _ := log.ForCase(t.Context(), "case-h"); len(got) != 12000 {
		t.Errorf("%d heavy entries stored, want 12000", len(got))
	}
}

// Invalid entries are refused before anything is queued; ForCase sorts oldest first
// and finds nothing for an id that is not one token.
func TestValidateAndOrder(t *testing.T) {
	t.Parallel()
	sink := &memSink{}
	log := newLog(t, sink)
	for _, bad := range []accesslog.Entry{{Actor: "u"}, {CaseID: "c"}, {Actor: "u", CaseID: "a.b"}, {Actor: "u", CaseID: "a*"}, {Actor: "u", CaseID: "a b"}} {
		if err := log.Record(t.Context(), bad); !errors.Is(err, accesslog.ErrInvalidEntry) {
			t.Errorf("Record(%+v) = %v, want ErrInvalidEntry", bad, err)
		}
	}
	if sink.rounds != 0 {
		t.Errorf("invalid entries reached the sink")
	}
	if err := log.Record(t.Context(), entries("u", "case-o", 5, "")...); err != nil {
		t.Fatal(err)
	}
	got, err := log.ForCase(t.Context(), "case-o")
	if err != nil || len(got) != 5 || !slices.IsSortedFunc(got, func(a, b accesslog.Entry) int { return a.At.Compare(b.At) }) {
		t.Errorf("ForCase = %v, %v; want 5 entries oldest first", got, err)
	}
	if got, err := log.ForCase(t.Context(), "case-o.>"); err != nil || got != nil {
		t.Errorf("ForCase of a wildcard = %v, %v; want nothing", got, err)
	}
}

// Close returns with calls in flight (each gets an answer) and later calls fail at
// once.
func TestCloseFailsWaitingCalls(t *testing.T) {
	t.Parallel()
	sink := &memSink{gate: make(chan struct{})}
	sink.t = t
	log := accesslog.New(sink)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { _ = log.Record(t.Context(), entries("u", "case-c", 1, "")...) })
		time.Sleep(10 * time.Millisecond) // the first holds the round, the second queues
	}
	go func() { time.Sleep(10 * time.Millisecond); close(sink.gate) }()
	log.Close()
	wg.Wait() // every call answered
	if err := log.Record(t.Context(), entries("u", "case-c", 1, "")...); err == nil {
		t.Error("Record after Close succeeded")
	}
}
