package analyticsfeed

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// subscriptions records where each subscription to the log starts.
type subscriptions struct {
	eventstore.Store
	mu    sync.Mutex
	froms []eventstore.Position
}

func (s *subscriptions) Subscribe(ctx context.Context, from eventstore.Position) (eventstore.Subscription, error) {
	s.mu.Lock()
	s.froms = append(s.froms, from)
	s.mu.Unlock()
	return s.Store.Subscribe(ctx, from)
}

// last is where the latest subscription started. A publisher already at the head
// is caught up before it subscribes: wait for it.
func (s *subscriptions) last(t *testing.T) eventstore.Position {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a failure guard, not a measure
	for {
		s.mu.Lock()
		n := len(s.froms)
		var from eventstore.Position
		if n > 0 {
			from = s.froms[n-1]
		}
		s.mu.Unlock()
		if n > 0 {
			return from
		}
		if time.Now().After(deadline) {
			t.Fatal("the publisher never read the log")
		}
		time.Sleep(time.Millisecond)
	}
}

// A restart reads the log on from where the last run stopped reading, not from the
// stream's last message: a feed of few consenting cases read the whole log again at
// every start. What it skips caused nothing, so the feed is the same: a case that
// consents later is backfilled in full, a case in the feed publishes its next event
// from its whole history, and a republish (another stream) reads from its start.
func TestRestartReadsOnAfterTheMark(t *testing.T) {
	e := newEnv(t)
	run := func() (*subscriptions, *running) {
		t.Helper()
		spy := &subscriptions{Store: e.n.Store}
		cfg := e.config(testKey)
		cfg.Store = spy
		r := e.start(cfg)
		e.caughtUp(r)
		return spy, r
	}
	stop := func(r *running) {
		t.Helper()
		r.stop()
		<-r.done
		if r.err != nil {
			t.Fatalf("run: %v", r.err)
		}
	}

	// Nothing published: the stream stays empty.
	ana, bea := e.refer("ana"), e.refer("bea")
	e.note(ana, "before any consent")
	spy, r := run()
	if got := spy.last(t); !got.IsStart() {
		t.Fatalf("the first run read from %s, want the start", got)
	}
	stop(r)
	head := e.head()
	spy, r = run()
	if got := spy.last(t); got != head {
		t.Fatalf("a restart on an empty stream read from %s, want after %s (where the last run stopped)", got, head)
	}
	e.grant(ana, t0.AddDate(0, 6, 0))
	e.caughtUp(r)
	want := []string{"survivor-referred", "note-added", "consent-granted"}
	if got := types(t, of(t, e.stored(), e.pseudonym(ana))); !slices.Equal(got, want) {
		t.Fatalf("ana's backfill after a restart past her first events: %v, want %v", got, want)
	}
	stop(r)

	// Events of cases not in the feed after the stream's last message.
	e.note(bea, "not in the feed")
	e.note(bea, "still not")
	head = e.head()
	spy, r = run()
	stop(r)
	spy, r = run()
	if got := spy.last(t); got != head {
		t.Fatalf("a restart read from %s, want after %s (where the last run stopped)", got, head)
	}
	e.note(ana, "in the feed")
	e.caughtUp(r)
	want = append(want, "note-added")
	if got := types(t, of(t, e.stored(), e.pseudonym(ana))); !slices.Equal(got, want) {
		t.Fatalf("ana after a restart: %v, want %v", got, want)
	}
	if got := of(t, e.stored(), e.pseudonym(bea)); len(got) != 0 {
		t.Fatalf("bea was published: %v", got)
	}
	stop(r)

	// A republish makes another stream: the mark is not its, even when the republish
	// stopped before it deleted the registry the mark is in.
	cfg := e.config(testKey)
	cfg.resetStep = func(step string) error {
		if step == "stream deleted" {
			return errCrash
		}
		return nil
	}
	if err := Republish(context.Background(), cfg, eventstore.Start); !errors.Is(err, errCrash) {
		t.Fatalf("the interrupted republish: %v", err)
	}
	spy, r = run()
	if got := spy.last(t); !got.IsStart() {
		t.Fatalf("after a republish from the start the publisher read from %s", got)
	}
	if got := types(t, of(t, e.stored(), e.pseudonym(ana))); !slices.Equal(got, want) {
		t.Fatalf("ana republished: %v, want %v", got, want)
	}
	stop(r)
}
