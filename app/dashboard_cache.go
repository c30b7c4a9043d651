package app

import (
	"context"
	"sync"
	"time"

	"github.com/waymark-org/waymark/dashboard"
)

// Publishing a dashboard reads every figure of a jurisdiction and every open case of
// it (milliseconds at 100,000 cases); the page, its subscription and the CSV ask for
// the same ones again and again. dashboardCache keeps each filter's last dashboard
// while the figures have not changed, for at most dashboardMaxAge (the open cases'
// ages move with time alone), and lets one dashboard be published at a time, so that
// however many are asked for, the requests beside them keep their share of the cores.
const (
	dashboardMaxAge  = time.Minute
	dashboardCached  = 512 // filters kept; past it the cache starts again
	dashboardWorkers = 1
)

type dashboardCache struct {
	mu    sync.Mutex
	views map[dashboard.Filter]cachedDashboard
	work  chan struct{} // a token per dashboard being published
}

type cachedDashboard struct {
	changes uint64
	at      time.Time
	view    DashboardView
}

func newDashboardCache() *dashboardCache {
	return &dashboardCache{views: map[dashboard.Filter]cachedDashboard{}, work: make(chan struct{}, dashboardWorkers)}
}

// get returns filter's dashboard as of changes (the figures' count of changes) and
// now: the cached one if it still holds, else publish's, one at a time.
func (c *dashboardCache) get(ctx context.Context, filter dashboard.Filter, now time.Time, changes uint64,
	publish func(dashboard.Filter, time.Time) (DashboardView, error)) (DashboardView, error) {
	if v, ok := c.lookup(filter, now, changes); ok {
		return v, nil
	}
	select {
	case c.work <- struct{}{}:
	case <-ctx.Done():
		return DashboardView{}, ctx.Err()
	}
	defer func() { <-c.work }()
	if v, ok := c.lookup(filter, now, changes); ok { // published while this one waited
		return v, nil
	}
	v, err := publish(filter, now)
	if err != nil {
		return DashboardView{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.views) >= dashboardCached {
		clear(c.views)
	}
	c.views[filter] = cachedDashboard{changes: changes, at: now, view: v}
	return v, nil
}

func (c *dashboardCache) lookup(filter dashboard.Filter, now time.Time, changes uint64) (DashboardView, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.views[filter]
	fresh := ok && e.changes == changes && dashboard.MonthOf(e.at) == dashboard.MonthOf(now) &&
		now.Sub(e.at) < dashboardMaxAge && !now.Before(e.at)
	return e.view, fresh
}
