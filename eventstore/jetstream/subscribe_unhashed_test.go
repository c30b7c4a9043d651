package jetstream

import (
	"context"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// An unhashed subscription delivers what Subscribe delivers, in the same order and
// from the same place, with every hash left empty; the hash of each event's Raw is the
// one Subscribe gives.
func TestSubscribeUnhashedIsSubscribeWithoutHashes(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval})
	defer s.Close()
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("a", 3)...)
	second := mustAppendT(t, s, "case-2", eventstore.NoStream, testEvents("b", 2)...)
	mustAppendT(t, s, "case-1", eventstore.Exact(2), testEvents("c", 2)...)
	var _ eventstore.UnhashedSubscriber = s

	for _, from := range []eventstore.Position{eventstore.Start, second.Positions[0]} {
		hashed := readN(t, s, s.Subscribe, from)
		unhashed := readN(t, s, s.SubscribeUnhashed, from)
		if len(hashed) != len(unhashed) || len(hashed) == 0 {
			t.Fatalf("from %s: %d events hashed, %d unhashed", from, len(hashed), len(unhashed))
		}
		for i, h := range hashed {
			u := unhashed[i]
			if u.Metadata.Hash != "" {
				t.Errorf("event %s: hash %q, want none", u.ID, u.Metadata.Hash)
			}
			if h.Metadata.Hash == "" || eventstore.HashOf(u.Raw) != h.Metadata.Hash {
				t.Errorf("event %s: the hash of its Raw is not the one Subscribe gives", u.ID)
			}
			u.Metadata.Hash = h.Metadata.Hash
			if u.ID != h.ID || u.Position != h.Position || u.Stream != h.Stream || u.Revision != h.Revision ||
				u.Metadata != h.Metadata || string(u.Data) != string(h.Data) || string(u.Raw) != string(h.Raw) {
				t.Errorf("unhashed %+v\nhashed %+v", u, h)
			}
		}
	}
}

// readN reads what subscribe delivers after from up to the log's head.
func readN(t *testing.T, s *Store, subscribe func(context.Context, eventstore.Position) (eventstore.Subscription, error),
	from eventstore.Position) []eventstore.RecordedEvent {
	t.Helper()
	head, err := s.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	sub, err := subscribe(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var out []eventstore.RecordedEvent
	for e := range sub.Events() {
		out = append(out, e)
		if !e.Position.Before(head) {
			return out
		}
	}
	t.Fatalf("the subscription from %s ended after %d events: %v", from, len(out), sub.Err())
	return nil
}
