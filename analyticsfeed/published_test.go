package analyticsfeed

import (
	"sync"
	"testing"
	"time"
)

// Config.Published hears of every event of the log the publisher is done with — in
// the feed or not — with its recorded-at time (serve's metrics time the publish lag).
func TestPublishedIsToldOfEveryEvent(t *testing.T) {
	e := newEnv(t) // four organisations registered: four events
	var (
		mu   sync.Mutex
		seen []time.Time
	)
	cfg := e.config(testKey)
	cfg.Published = func(at time.Time) { mu.Lock(); seen = append(seen, at); mu.Unlock() }
	r := e.start(cfg)
	a := e.refer("published")
	e.caughtUp(r)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(seen) }
	if got := count(); got != 5 {
		t.Fatalf("told of %d events, want the 4 registrations and the referral", got)
	}
	e.appClock.Advance(time.Minute)
	e.note(a, "not in the feed: no analytics grant")
	e.caughtUp(r)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 6 || !seen[5].Equal(t0.Add(time.Minute)) {
		t.Errorf("after one more event: %d, the last at %v, want 6 at %v", len(seen), seen[len(seen)-1], t0.Add(time.Minute))
	}
}
