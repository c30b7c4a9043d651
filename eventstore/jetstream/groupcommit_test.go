package jetstream

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

// With sync=always many concurrent appends are made durable in rounds of many, a
// stale expectation in a round is refused alone, and one writer goes alone.
func TestGroupCommit(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncAlways, ListenAddr: "127.0.0.1:0"})
	defer s.Close()
	other := mustOpen(t, replicaConfig(s)) // another replica, whose writes this store's head cache does not see
	defer other.Close()
	if s.commit == nil {
		t.Fatal("no group commit with sync=always on the embedded server")
	}

	// One writer: every append on its own.
	last := mustAppendT(t, s, "case-alone", eventstore.NoStream, benchEvent).LastRevision
	for range 20 {
		last = mustAppendT(t, s, "case-alone", eventstore.Exact(last), benchEvent).LastRevision
	}
	if _, grouped, _ := s.commit.Counts(); grouped != 0 {
		t.Fatalf("one writer was grouped with others %d times", grouped)
	}

	// 128 writers at once; in the last round another replica wrote to a quarter of the
	// streams first, so those appends reach the server with a stale expectation.
	const writers = 128
	heads := make([]uint64, writers)
	for w := range writers {
		heads[w] = mustAppendT(t, s, fmt.Sprintf("case-g%d", w), eventstore.NoStream, benchEvent).LastRevision
	}
	for round := range 5 {
		if round == 4 {
			for w := 0; w < writers; w += 4 {
				mustAppendT(t, other, fmt.Sprintf("case-g%d", w), eventstore.Any, benchEvent)
			}
		}
		start := make(chan struct{})
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			expected := heads[w]
			wg.Go(func() {
				<-start
				var r eventstore.AppendResult
				r, errs[w] = s.Append(t.Context(), fmt.Sprintf("case-g%d", w), eventstore.Exact(expected), benchEvent)
				if errs[w] == nil {
					heads[w] = r.LastRevision
				}
			})
		}
		close(start)
		wg.Wait()
		for w, err := range errs {
			stale := round == 4 && w%4 == 0
			if stale != errors.Is(err, eventstore.ErrWrongExpectedRevision) || !stale && err != nil {
				t.Fatalf("round %d writer %d (stale %v): %v", round, w, stale, err)
			}
		}
	}
	if _, grouped, _ := s.commit.Counts(); grouped == 0 {
		t.Error("128 concurrent writers were never made durable together")
	}
	for w := range writers {
		events, err := s.ReadStream(t.Context(), fmt.Sprintf("case-g%d", w), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := eventstore.VerifyChain(fmt.Sprintf("case-g%d", w), events); err != nil {
			t.Error(err)
		}
		want := heads[w] + 1
		if w%4 == 0 {
			want++ // the other replica's append
		}
		if uint64(len(events)) != want {
			t.Errorf("case-g%d has %d events, its writer saw revision %d", w, len(events), heads[w])
		}
	}
}

// sync=interval acknowledges before any fsync: grouping would buy nothing.
func TestNoGroupCommitWithoutSyncAlways(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval})
	defer s.Close()
	if s.commit != nil {
		t.Error("group commit with sync=interval")
	}
}
