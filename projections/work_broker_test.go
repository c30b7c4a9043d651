package projections_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/waymark-org/waymark/projections"
)

func change(org string, i int) projections.WorkChange {
	return projections.WorkChange{Organisation: org, Kind: projections.WorkCaseShown, CaseID: fmt.Sprint("case-", i), Added: true}
}

// A subscriber that stops reading is dropped (its channel closed) once its buffer is
// full, and Publish never waits for it: the others keep receiving.
func TestWorkBrokerDropsSlowSubscribers(t *testing.T) {
	b := projections.NewWorkBroker()
	slow, cancelSlow, err := b.Subscribe("bank-a")
	if err != nil {
		t.Fatal(err)
	}
	defer cancelSlow()
	all, cancelAll, err := b.SubscribeAll()
	if err != nil {
		t.Fatal(err)
	}
	defer cancelAll()
	other, cancelOther, _ := b.Subscribe("bank-b")
	defer cancelOther()
	for i := range projections.WorkSubscriptionBuffer + 1 {
		b.Publish([]projections.WorkChange{change("bank-a", i)}) // returns although nobody reads bank-a's
	}
	b.Publish([]projections.WorkChange{change("bank-b", 0)})
	n := 0
	for range slow {
		n++
	}
	if n != projections.WorkSubscriptionBuffer {
		t.Errorf("the slow subscriber got %d changes before it was dropped, want its buffer's %d", n, projections.WorkSubscriptionBuffer)
	}
	if got := <-other; got.Organisation != "bank-b" {
		t.Errorf("bank-b got %+v: another organisation's change", got)
	}
	if len(all) != projections.WorkSubscriptionBuffer+2 {
		t.Errorf("SubscribeAll holds %d changes, want every organisation's %d", len(all), projections.WorkSubscriptionBuffer+2)
	}
	if b.Subscribers() != 2 {
		t.Errorf("%d subscribers left, want 2", b.Subscribers())
	}
	cancelSlow() // a second cancel of a dropped subscriber is harmless
}

// Subscriptions are bounded per key (a user), per organisation and per server; a
// cancelled one frees its place.
func TestWorkBrokerLimits(t *testing.T) {
	b := projections.NewWorkBroker()
	var cancels []func()
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	for range projections.MaxWorkSubscriptionsPerKey {
		_, cancel, err := b.SubscribeFor("bank-a", "user-1")
		if err != nil {
			t.Fatal(err)
		}
		cancels = append(cancels, cancel)
	}
	if _, _, err := b.SubscribeFor("bank-a", "user-1"); !errors.Is(err, projections.ErrTooManySubscriptions) {
		t.Errorf("a fifth subscription of one user: %v", err)
	}
	cancels[0]()
	_, cancel, err := b.SubscribeFor("bank-a", "user-1")
	if err != nil {
		t.Errorf("after one ended: %v", err)
	}
	cancels = append(cancels, cancel)
	for len(cancels) < projections.MaxWorkSubscriptionsPerOrganisation+1 {
		_, cancel, err := b.Subscribe("bank-a")
		if err != nil {
			t.Fatal(err)
		}
		cancels = append(cancels, cancel)
	}
	if _, _, err := b.Subscribe("bank-a"); !errors.Is(err, projections.ErrTooManySubscriptions) {
		t.Errorf("subscription %d of one organisation: %v", projections.MaxWorkSubscriptionsPerOrganisation+1, err)
	}
	for i := 0; b.Subscribers() < projections.MaxWorkSubscriptions; i++ {
		_, cancel, err := b.Subscribe(fmt.Sprint("org-", i))
		if err != nil {
			t.Fatal(err)
		}
		cancels = append(cancels, cancel)
	}
	if _, _, err := b.Subscribe("org-one-more"); !errors.Is(err, projections.ErrTooManySubscriptions) {
		t.Errorf("past the server's %d: %v", projections.MaxWorkSubscriptions, err)
	}
	// The webhooks' feed of every organisation is the server's own: sockets filling
	// the server never starve it.
	if _, cancel, err := b.SubscribeAll(); err != nil {
		t.Errorf("the feed of every organisation with the server full of sockets: %v", err)
	} else {
		cancel()
	}
}

// Closing the broker (its read models retired by a rebuild) ends every subscription
// and refuses new ones, so that subscribers move to the current read models.
func TestWorkBrokerClose(t *testing.T) {
	b := projections.NewWorkBroker()
	ch, cancel, err := b.Subscribe("bank-a")
	if err != nil {
		t.Fatal(err)
	}
	all, cancelAll, _ := b.SubscribeAll()
	b.Close()
	if _, open := <-ch; open {
		t.Error("a subscription outlived its broker")
	}
	if _, open := <-all; open {
		t.Error("SubscribeAll outlived its broker")
	}
	cancel()
	cancelAll()
	if _, _, err := b.Subscribe("bank-a"); !errors.Is(err, projections.ErrWorkBrokerClosed) {
		t.Errorf("subscribing to a closed broker: %v", err)
	}
	b.Publish([]projections.WorkChange{change("bank-a", 1)}) // nobody left: nothing to do
}
