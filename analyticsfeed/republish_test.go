package analyticsfeed

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// A publisher whose analytics key is not the stream's refuses to publish and says to
// republish; the stream is unchanged. Republishing under the new key starts the feed
// again: every pseudonym is new.
func TestKeyMismatchRefused(t *testing.T) {
	e := newEnv(t)
	a := e.refer("ana")
	e.grant(a, t0.AddDate(0, 6, 0))
	r := e.start(e.config(testKey))
	e.caughtUp(r)
	r.stop()
	<-r.done
	before := e.stored()

	p, err := New(e.config(otherKey))
	if err != nil {
		t.Fatal(err)
	}
	err = p.Run(context.Background())
	if !errors.Is(err, ErrKeyMismatch) || !strings.Contains(err.Error(), "waymark republish") {
		t.Fatalf("Run with another key: %v", err)
	}
	if !slices.Equal(ids(e.stored()), ids(before)) {
		t.Error("the stream changed")
	}
	if _, err := New(Config{Store: e.n.Store, JS: e.js, Pseudonymizer: analytics.Pseudonymizer{Key: []byte("short")},
		IsAnalyticsRecipient: func(string) bool { return true }}); !errors.Is(err, ErrConfig) {
		t.Errorf("a short key: %v", err)
	}

	if err := Republish(context.Background(), e.config(otherKey), eventstore.Start); err != nil {
		t.Fatal(err)
	}
	r2 := e.start(e.config(otherKey))
	e.caughtUp(r2)
	after := e.stored()
	newPseudonym := analytics.Pseudonymizer{Key: otherKey}.Pseudonym(a)
	if len(after) != 2 || len(of(t, after, newPseudonym)) != 2 || len(of(t, after, e.pseudonym(a))) != 0 {
		t.Errorf("after the republish under the new key: %v", ids(after))
	}
}

// A running publisher republishes from the start (the same feed again) and from a
// position: then only what comes after it, the cases in the feed at that position
// known without a backfill, a dormant one leaving when its consent expires. A
// position after the log's head is refused and changes nothing.
func TestRepublishWhileRunning(t *testing.T) {
	e := newEnv(t)
	r := e.start(e.config(testKey))
	a, b, c := e.refer("ana"), e.refer("bea"), e.refer("cai")
	e.grant(a, t0.AddDate(0, 6, 0))
	e.grant(b, t0.Add(72*time.Hour)) // b has no event after its grant
	gc := e.grant(c, t0.AddDate(0, 6, 0))
	from := e.note(a, "ana before the republish point").Position
	e.note(a, "ana after it")
	e.do(worker, c, domain.WithdrawConsent{GrantID: gc})
	e.caughtUp(r)
	first := e.stored()
	ctx := context.Background()

	if err := r.p.Republish(ctx, eventstore.NewPosition(1<<60, 0)); !errors.Is(err, ErrBeyondHead) {
		t.Errorf("a position after the head: %v", err)
	}
	if !slices.Equal(ids(e.stored()), ids(first)) {
		t.Error("a refused republish changed the stream")
	}

	if err := r.p.Republish(ctx, eventstore.Start); err != nil {
		t.Fatal(err)
	}
	e.caughtUp(r)
	if again := e.stored(); !slices.Equal(ids(again), ids(first)) {
		t.Errorf("republished from the start:\n%s", diff(ids(again), ids(first)))
	}

	if err := r.p.Republish(ctx, from); err != nil {
		t.Fatal(err)
	}
	e.caughtUp(r)
	got := e.stored()
	if want := []string{"note-added", "tombstone"}; !slices.Equal(types(t, got), want) {
		t.Fatalf("republished after a position: %v, want %v", types(t, got), want)
	}
	if ce(t, got[0]).Subject != e.pseudonym(a) || ce(t, got[1]).Subject != e.pseudonym(c) {
		t.Errorf("republished after a position: %v", ids(got))
	}
	e.clock.Set(t0.Add(72 * time.Hour))
	tail := e.note(a, "the end")
	if err := r.p.WaitFor(ctx, tail.Position); err != nil {
		t.Fatal(err)
	}
	got = e.stored()
	if want := []string{"note-added", "tombstone", "tombstone", "note-added"}; !slices.Equal(types(t, got), want) || ce(t, got[2]).Subject != e.pseudonym(b) {
		t.Fatalf("after the dormant case's expiry: %v, want %v with bea's tombstone third", types(t, got), want)
	}
	checkAll(t, e, got)
}

// A case in the feed whose consent expires while no publisher runs, and which has no
// event since, leaves when the next publisher starts: the registry knows it.
func TestExpiryDuringDowntime(t *testing.T) {
	e := newEnv(t)
	sub := e.subscribeLive()
	a, b := e.refer("ana"), e.refer("bea")
	e.grant(a, t0.Add(48*time.Hour))
	e.grant(b, t0.AddDate(0, 6, 0))
	r := e.start(e.config(testKey))
	e.caughtUp(r)
	r.stop()
	<-r.done
	e.clock.Set(t0.Add(72 * time.Hour))
	r2 := e.start(e.config(testKey))
	got := sub.wait(t, 5)
	if c := ce(t, got[4]); c.Type != analytics.TombstoneType || c.Subject != e.pseudonym(a) {
		t.Fatalf("after the restart: %s %+v", got[4].subject, c)
	}
	e.note(b, "bea goes on") // read after the purge that follows the tombstone
	e.caughtUp(r2)
	if n := len(of(t, e.stored(), e.pseudonym(a))); n != 1 {
		t.Errorf("ana's journey not purged: %d messages", n)
	}
	checkAll(t, e, got)
}
