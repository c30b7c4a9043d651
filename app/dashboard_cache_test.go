package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waymark-org/waymark/dashboard"
)

func TestDashboardCache(t *testing.T) {
	c := newDashboardCache()
	published := 0
	publish := func(dashboard.Filter, time.Time) (DashboardView, error) {
		published++
		return DashboardView{View: dashboard.View{MinCell: published}}, nil
	}
	f := dashboard.Filter{Jurisdiction: "MX", From: dashboard.Month{Year: 2026, Month: 1}, To: dashboard.Month{Year: 2026, Month: 3}}
	now := time.Date(2026, 3, 31, 23, 58, 0, 0, time.UTC)
	steps := []struct {
		name    string
		filter  dashboard.Filter
		at      time.Time
		changes uint64
		want    int // publishes so far
	}{
		{"first", f, now, 7, 1},
		{"again, nothing changed", f, now.Add(30 * time.Second), 7, 1},
		{"the figures changed", f, now.Add(30 * time.Second), 8, 2},
		{"another filter", dashboard.Filter{Jurisdiction: "US", From: f.From, To: f.To}, now.Add(30 * time.Second), 8, 3},
		{"the month turned", f, now.Add(90 * time.Second), 8, 4},
		{"a minute on", f, now.Add(151 * time.Second), 8, 5},
	}
	for _, s := range steps {
		v, err := c.get(context.Background(), s.filter, s.at, s.changes, publish)
		if err != nil || published != s.want || v.MinCell != published {
			t.Errorf("%s: %d publishes, got %d (%v); want %d", s.name, published, v.MinCell, err, s.want)
		}
	}
	// One dashboard is published at a time: a request that cannot get its turn before
	// its context ends gets the context's error.
	c.work <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.get(ctx, f, now.Add(time.Hour), 99, publish); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for its turn: %v", err)
	}
}
