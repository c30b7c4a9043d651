package projections

import (
	"fmt"
	"sync"

	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/domain"
)

// Dashboard is the coalition dashboard's read model: the figures of every case event
// (dashboard.Figures). Cases feeds it as it applies each case event, since it holds
// the case's state before and after; the snapshot keeps it (it cannot be worked out
// from the views, which do not keep every event's codes).
type Dashboard struct {
	mu      sync.RWMutex
	figures *dashboard.Figures
}

// NewDashboard returns an empty dashboard read model.
func NewDashboard() *Dashboard { return &Dashboard{figures: dashboard.NewFigures()} }

func (d *Dashboard) apply(caseID string, e domain.Event, before, after domain.Case) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.figures.Apply(caseID, e, before, after)
}

// Read calls fn with the figures, held still meanwhile; fn must not keep them.
func (d *Dashboard) Read(fn func(f *dashboard.Figures)) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	fn(d.figures)
}

// Changes counts the figures' changes: a subscriber compares it to see whether
// anything moved.
func (d *Dashboard) Changes() uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.figures.Changes()
}

// capture encodes the figures for a snapshot (between two events: they are small
// beside the case views, a few dozen bytes a case).
func (d *Dashboard) capture() []byte {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.figures.AppendTo(nil)
}

// restore installs figures loaded from a snapshot into an empty read model.
func (d *Dashboard) restore(f *dashboard.Figures) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.figures.Changes() != 0 {
		return fmt.Errorf("dashboard: %w", errNotEmpty)
	}
	d.figures = f
	return nil
}

// OpenCases are the open cases of a jurisdiction as they stand: who holds each, when
// it was referred and when it last changed (the dashboard's age bands and stalled
// count).
func (c *Cases) OpenCases(jurisdiction string) []dashboard.OpenCase {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []dashboard.OpenCase
	for _, v := range c.order {
		if v.State.Jurisdiction == jurisdiction && v.State.Status == domain.StatusOpen {
			out = append(out, dashboard.OpenCase{Organisation: v.State.OwnerOrganisation, ReferredAt: v.ReferredAt, LastEventAt: v.UpdatedAt})
		}
	}
	return out
}
