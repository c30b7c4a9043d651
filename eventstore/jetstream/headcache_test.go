package jetstream

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

func TestHeadCacheBounded(t *testing.T) {
	c := newHeadCache(8)
	for i := range 100 {
		stream := fmt.Sprint("case-", i)
		c.put(stream, streamHead{exists: true, last: uint64(i), lastHash: "h", seq: uint64(i + 1)})
		if n := c.len(); n > 8 {
			t.Fatalf("%d entries after %d puts, bound 8", n, i+1)
		}
		if h, ok := c.get(stream); !ok || h.last != uint64(i) {
			t.Fatalf("the head just put is not cached: %+v %v", h, ok)
		}
	}
	one := newHeadCache(1)
	one.put("case-a", streamHead{exists: true, seq: 1})
	one.put("case-b", streamHead{exists: true, seq: 2})
	if _, ok := one.get("case-b"); !ok || one.len() != 1 {
		t.Errorf("cache of one: %d entries", one.len())
	}
}

func TestHeadCacheKeepsNewest(t *testing.T) {
	c := newHeadCache(8)
	c.put("case-1", streamHead{exists: true, last: 5, seq: 9})
	c.put("case-1", streamHead{exists: true, last: 3, seq: 4}) // a read that finished late
	if h, _ := c.get("case-1"); h.seq != 9 {
		t.Errorf("older head replaced a newer one: %+v", h)
	}
	c.put("case-1", streamHead{exists: true, last: 6, seq: 12})
	if h, _ := c.get("case-1"); h.seq != 12 {
		t.Errorf("newer head not taken: %+v", h)
	}
	c.put("case-2", streamHead{}) // no stream: nothing to cache
	if _, ok := c.get("case-2"); ok {
		t.Error("cached the head of a stream without messages")
	}
	c.drop("case-1")
	if _, ok := c.get("case-1"); ok {
		t.Error("dropped head still cached")
	}
}

// TestAppendWithoutHeadRead: appends after the store's own appends or reads take the
// head from the cache; one it cannot judge reads it.
func TestAppendWithoutHeadRead(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, Config{DataDir: dir, Sync: SyncInterval})
	last := mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("a", 2)...).LastRevision
	for i := range 5 {
		last = mustAppendT(t, s, "case-1", eventstore.Exact(last), testEvents(fmt.Sprint("b", i), 1+i%2)...).LastRevision
	}
	mustAppendT(t, s, "case-1", eventstore.Any, testEvents("c", 1)...)
	mustAppendT(t, s, "case-1", eventstore.StreamExists, testEvents("d", 1)...)
	last += 2
	if n := s.headReads.Load(); n != 0 {
		t.Errorf("%d head reads for appends after the store's own", n)
	}

	// An expectation the cache disagrees with reads the head before failing.
	var wrong *eventstore.WrongExpectedRevisionError
	if _, err := s.Append(t.Context(), "case-1", eventstore.Exact(last-1), testEvents("x", 1)...); !errors.As(err, &wrong) || wrong.Actual != last {
		t.Fatalf("stale Exact: %v", err)
	}
	if n := s.headReads.Load(); n != 1 {
		t.Errorf("%d head reads for a failing Exact, want 1", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A fresh store learns heads from reads that reach the end of a stream.
	s = mustOpen(t, Config{DataDir: dir, Sync: SyncInterval})
	defer s.Close()
	if _, err := s.ReadStream(t.Context(), "case-1", 3); err != nil {
		t.Fatal(err)
	}
	mustAppendT(t, s, "case-1", eventstore.Exact(last), testEvents("e", 1)...)
	if n := s.headReads.Load(); n != 0 {
		t.Errorf("%d head reads after reading the stream", n)
	}
	events, err := s.ReadStream(t.Context(), "case-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := eventstore.VerifyChain("case-1", events); err != nil || uint64(len(events)) != last+2 {
		t.Errorf("%d events, want %d: %v", len(events), last+2, err)
	}
}

// openPair opens two stores on one server, as two replicas would: the first embeds it
// and listens, the second connects to it as an external server. Each has its own head
// cache, so each one's is stale once the other appends.
func openPair(t *testing.T) [2]*Store {
	t.Helper()
	a := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval, ListenAddr: "127.0.0.1:0"})
	t.Cleanup(func() { a.Close() })
	b := mustOpen(t, replicaConfig(a))
	t.Cleanup(func() { b.Close() })
	return [2]*Store{a, b}
}

// TestStaleHeadCacheAcrossStores alternates appends to one stream between two stores,
// so that every append's writer has a stale cached head: the server's expected last
// subject sequence turns each stale guess into a retry (or, for an expectation that is
// itself stale, a failure with the actual revision), and the stream stays one
// contiguous chain.
func TestStaleHeadCacheAcrossStores(t *testing.T) {
	stores := openPair(t)
	publishes := [2]int{}
	for i, s := range stores {
		s.beforePublish = func() { publishes[i]++ }
	}
	const stream = "case-shared"
	last := mustAppendT(t, stores[0], stream, eventstore.NoStream, testEvents("first", 1)...).LastRevision

	// stores[1] has no head cached: it tries NoStream without one, and the server says no.
	var wrong *eventstore.WrongExpectedRevisionError
	if _, err := stores[1].Append(t.Context(), stream, eventstore.NoStream, testEvents("x", 1)...); !errors.As(err, &wrong) || !wrong.ActualExists || wrong.Actual != last {
		t.Fatalf("NoStream on an existing stream: %v", err)
	}
	if publishes[1] != 1 {
		t.Errorf("NoStream: %d publishes, want 1 (no head read first)", publishes[1])
	}

	// The revision each store has cached: what it last wrote, or read as the head.
	cachedBy := [2]uint64{last, wrong.Actual}
	for i := range 30 {
		w := i % 2
		s := stores[w]
		n := 1 + i%3
		events := testEvents(fmt.Sprint("r", i), n)
		before := publishes[w]
		var res eventstore.AppendResult
		var err error
		switch i % 3 {
		case 0: // Exact, right: a stale cached head disagrees, so the head is read
			res, err = s.Append(t.Context(), stream, eventstore.Exact(last), events...)
			if publishes[w]-before != 1 {
				t.Errorf("append %d: Exact with a disagreeing cache published %d times, want 1", i, publishes[w]-before)
			}
		case 1: // Any: published after the stale cached head, rejected, retried
			res, err = s.Append(t.Context(), stream, eventstore.Any, events...)
			if publishes[w]-before != 2 {
				t.Errorf("append %d: Any with a stale cache published %d times, want 2", i, publishes[w]-before)
			}
		case 2: // Exact, as stale as the cache: it agrees, the server does not
			_, err := s.Append(t.Context(), stream, eventstore.Exact(cachedBy[w]), events...)
			if !errors.As(err, &wrong) || !wrong.ActualExists || wrong.Actual != last {
				t.Fatalf("append %d: stale Exact(%d) at %d: %v", i, cachedBy[w], last, err)
			}
			if publishes[w]-before != 1 {
				t.Errorf("append %d: stale Exact published %d times, want 1", i, publishes[w]-before)
			}
			res, err = s.Append(t.Context(), stream, eventstore.Exact(last), events...)
		}
		if err != nil {
			t.Fatalf("append %d by store %d: %v", i, w, err)
		}
		if want := last + uint64(n); res.LastRevision != want {
			t.Fatalf("append %d: last revision %d, want %d", i, res.LastRevision, want)
		}
		last, cachedBy[w] = res.LastRevision, res.LastRevision
	}

	var reads [2][]eventstore.RecordedEvent
	for i, s := range stores {
		events, err := s.ReadStream(t.Context(), stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(len(events)) != last+1 {
			t.Fatalf("store %d reads %d events, want %d", i, len(events), last+1)
		}
		if err := eventstore.VerifyChain(stream, events); err != nil {
			t.Fatal(err)
		}
		reads[i] = events
	}
	for i := range reads[0] {
		if reads[0][i].Metadata.Hash != reads[1][i].Metadata.Hash || reads[0][i].Position != reads[1][i].Position {
			t.Fatalf("the stores read revision %d differently", i)
		}
	}
}

// TestConcurrentAnyAcrossStores: writers on two stores append to one stream at once;
// every append lands at its own revision and the chain holds.
func TestConcurrentAnyAcrossStores(t *testing.T) {
	stores := openPair(t)
	const stream, each = "case-busy", 25
	var mu sync.Mutex
	revisions := map[uint64]bool{}
	var wg sync.WaitGroup
	for w := range 4 {
		s := stores[w%2]
		wg.Go(func() {
			for i := range each {
				exp := eventstore.Any
				if i > 0 && i%5 == 0 {
					exp = eventstore.StreamExists // it exists: this writer wrote to it
				}
				r, err := s.Append(t.Context(), stream, exp, testEvents(fmt.Sprint("w", w, "-", i), 1)...)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				mu.Lock()
				if revisions[r.LastRevision] {
					t.Errorf("revision %d returned twice", r.LastRevision)
				}
				revisions[r.LastRevision] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	events, err := stores[1].ReadStream(t.Context(), stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != len(revisions) {
		t.Errorf("%d events for %d appends", len(events), len(revisions))
	}
	if err := eventstore.VerifyChain(stream, events); err != nil {
		t.Error(err)
	}
}
