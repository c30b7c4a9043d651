package app

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/waymark-org/waymark/dashboard"
)

// Limits of dashboardUpdated: each subscription publishes its dashboard again when
// the figures move, so their number is bounded, per user and in all.
const (
	MaxDashboardSubscriptionsPerUser = 4
	MaxDashboardSubscriptions        = 256
	// dashboardPoll is how often a subscription looks whether the figures moved: the
	// push comes at most this long after the change (the bench measures it).
	dashboardPoll = 200 * time.Millisecond
	// dashboardRepublish: the open cases' ages and the stalled count change with time
	// alone, so a subscription publishes again this often even when no event came.
	dashboardRepublish = time.Minute
)

// dashboardSubscriptions counts the open dashboard subscriptions.
type dashboardSubscriptions struct {
	mu     sync.Mutex
	byUser map[string]int
	total  int
}

func (d *dashboardSubscriptions) acquire(user string) (release func(), err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byUser == nil {
		d.byUser = map[string]int{}
	}
	switch {
	case d.byUser[user] >= MaxDashboardSubscriptionsPerUser:
		return nil, fmt.Errorf("%w: at most %d dashboard subscriptions per user", ErrTooManySubscriptions, MaxDashboardSubscriptionsPerUser)
	case d.total >= MaxDashboardSubscriptions:
		return nil, fmt.Errorf("%w: the server holds %d dashboard subscriptions already", ErrTooManySubscriptions, MaxDashboardSubscriptions)
	}
	d.byUser[user]++
	d.total++
	return sync.OnceFunc(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.total--
		if d.byUser[user]--; d.byUser[user] == 0 {
			delete(d.byUser, user)
		}
	}), nil
}

// SubscribeDashboard pushes the dashboard filter selects: first as it stands, then
// again whenever a published number of it changes (never for a change that publishes
// nothing new: the provisional month moves in steps of k, and a push carries only
// what Dashboard would answer). A subscriber that reads slowly gets the latest
// dashboard, not every one. The channel closes when ctx ends, or when the caller may
// no longer read it.
func (s *Service) SubscribeDashboard(ctx context.Context, actor Actor, filter dashboard.Filter) (<-chan DashboardView, error) {
	first, err := s.Dashboard(ctx, actor, filter)
	if err != nil {
		return nil, err
	}
	release, err := s.dashboardSubs.acquire(actor.ID)
	if err != nil {
		return nil, err
	}
	out := make(chan DashboardView, 1)
	out <- first
	go func() {
		defer release()
		defer close(out)
		tick := time.NewTicker(dashboardPoll)
		defer tick.Stop()
		last, changes, at := first, s.DashboardChanges(), time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			now := s.DashboardChanges()
			if now == changes && time.Since(at) < dashboardRepublish {
				continue
			}
			changes, at = now, time.Now()
			v, err := s.Dashboard(ctx, actor, filter) // authorised again: a revoked token ends here
			if err != nil {
				return
			}
			if reflect.DeepEqual(v.View, last.View) && reflect.DeepEqual(v.Survey, last.Survey) {
				continue // nothing published changed (the position alone does not count)
			}
			last = v
			select { // the latest replaces one the subscriber has not taken yet
			case <-out:
			default:
			}
			out <- v
		}
	}()
	return out, nil
}
