package analyticsfeed

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

var errCrash = errors.New("crash (test)")

// A republish that stops half-way through its reset (a crash after deleting the
// stream, or after deleting the registry too) leaves a feed the next publisher
// resumes from: the whole log published again, and a consent withdrawn afterwards
// still purges its journey and publishes its tombstone.
func TestRepublishInterruptedAtEveryStep(t *testing.T) {
	for _, step := range []string{"stream deleted", "registry deleted"} {
		t.Run(step, func(t *testing.T) {
			e := newEnv(t)
			a, b := e.refer("ana"), e.refer("bea")
			ga := e.grant(a, t0.AddDate(0, 6, 0))
			e.grant(b, t0.AddDate(0, 6, 0))
			r := e.start(e.config(testKey))
			e.caughtUp(r)
			r.stop()
			<-r.done

			cfg := e.config(testKey)
			cfg.resetStep = func(s string) error {
				if s == step {
					return errCrash
				}
				return nil
			}
			if err := Republish(context.Background(), cfg, eventstore.Start); !errors.Is(err, errCrash) {
				t.Fatalf("the interrupted republish: %v", err)
			}
			r = e.start(e.config(testKey))
			e.caughtUp(r)
			e.do(worker, a, domain.WithdrawConsent{GrantID: ga})
			e.caughtUp(r)
			st := e.stored()
			if got := types(t, of(t, st, e.pseudonym(a))); !slices.Equal(got, []string{"tombstone"}) {
				t.Errorf("ana after her withdrawal: %v, want only her tombstone", got)
			}
			if got := types(t, of(t, st, e.pseudonym(b))); !slices.Equal(got, []string{"survivor-referred", "consent-granted"}) {
				t.Errorf("bea: %v", got)
			}
		})
	}
}

// A stream whose registry is gone (deleted by hand) stops the publisher with the
// sentence to republish, changing nothing: it cannot know whom a withdrawal must
// tombstone. A republish from the start mends it.
func TestRegistryLostStopsTheFeed(t *testing.T) {
	e := newEnv(t)
	a := e.refer("ana")
	ga := e.grant(a, t0.AddDate(0, 6, 0))
	r := e.start(e.config(testKey))
	e.caughtUp(r)
	r.stop()
	<-r.done
	before := e.stored()
	if err := e.js.DeleteKeyValue(t.Context(), RegistryBucket); err != nil {
		t.Fatal(err)
	}
	p, err := New(e.config(testKey))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(context.Background()); !errors.Is(err, ErrRegistryLost) {
		t.Fatalf("Run without its registry: %v", err)
	}
	if !slices.Equal(ids(e.stored()), ids(before)) {
		t.Error("the stream changed")
	}
	if err := Republish(context.Background(), e.config(testKey), eventstore.Start); err != nil {
		t.Fatal(err)
	}
	r = e.start(e.config(testKey))
	e.caughtUp(r)
	e.do(worker, a, domain.WithdrawConsent{GrantID: ga})
	e.caughtUp(r)
	if got := types(t, of(t, e.stored(), e.pseudonym(a))); !slices.Equal(got, []string{"tombstone"}) {
		t.Errorf("ana after her withdrawal: %v, want only her tombstone", got)
	}
}
