package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// FeedLogin is an analyst's login to the server's NATS listener: the de-identified
// feed, as an analytics consumer reads it.
type FeedLogin struct {
	URL, User, Password string
	// InboxPrefix is the prefix the server allows the analyst's inboxes.
	InboxPrefix string
}

// Feed headers and subjects the watcher reads (analytics and analyticsfeed own them;
// the bench reads the wire as any consumer would, not their Go types).
const (
	feedSubjects       = "waymark.analytics.>"
	feedPositionHeader = "Waymark-Position"
)

// feedWatch records when each feed message arrives, by the log position of the event
// that caused it (its Waymark-Position header).
type feedWatch struct {
	nc  *nats.Conn
	sub *nats.Subscription

	mu      sync.Mutex
	arrived map[string]time.Time
	changed chan struct{} // closed and replaced at every arrival
}

// watchFeed subscribes to the whole feed, live (a core subscription: what arrives from
// now on, no replay).
func watchFeed(login FeedLogin) (*feedWatch, error) {
	nc, err := nats.Connect(login.URL, nats.Name("waymark bench"), nats.UserInfo(login.User, login.Password),
		nats.CustomInboxPrefix(login.InboxPrefix), nats.Timeout(15*time.Second))
	if err != nil {
		return nil, fmt.Errorf("freshness: connect to the feed at %s: %w", login.URL, err)
	}
	w := &feedWatch{nc: nc, arrived: map[string]time.Time{}, changed: make(chan struct{})}
	w.sub, err = nc.Subscribe(feedSubjects, func(m *nats.Msg) {
		now := time.Now()
		w.mu.Lock()
		defer w.mu.Unlock()
		w.arrived[m.Header.Get(feedPositionHeader)] = now
		close(w.changed)
		w.changed = make(chan struct{})
	})
	if err == nil {
		// The subscription is in place at the server before the first command.
		err = nc.Flush()
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("freshness: subscribe to the feed: %w", err)
	}
	return w, nil
}

// wait returns when the message for the event at position arrived, waiting up to
// timeout for it. Every arrival recorded so far is then forgotten: the feed is in log
// order, so none of them can be one a later command waits for.
func (w *feedWatch) wait(ctx context.Context, position string, timeout time.Duration) (time.Time, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		at, ok := w.arrived[position]
		changed := w.changed
		if ok {
			clear(w.arrived)
		}
		w.mu.Unlock()
		if ok {
			return at, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return time.Time{}, fmt.Errorf("freshness: no feed message for the event at %s within %s", position, timeout)
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
}

func (w *feedWatch) close() {
	w.sub.Unsubscribe()
	w.nc.Close()
}
