package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// DashboardView is a coalition dashboard as published, the baseline survey beside it,
// and how far the read models had got when it was read: every event up to Position is
// in it.
type DashboardView struct {
	dashboard.View
	Survey   SurveySummary
	Position eventstore.Position
}

// Dashboard publishes the coalition dashboard filter selects (dashboard.Publisher:
// fixed tables, suppressed whole). Analysts and every organisation's staff may read
// it; it holds no case and no person. A filter that selects nothing is ErrBadInput
// with the reason.
func (s *Service) Dashboard(ctx context.Context, actor Actor, filter dashboard.Filter) (DashboardView, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadDashboard, Now: s.Now()}).Err(); err != nil {
		return DashboardView{}, err
	}
	if err := filter.Check(); err != nil {
		return DashboardView{}, badDashboardFilter(err)
	}
	if err := domain.CheckJurisdiction("jurisdiction", filter.Jurisdiction); err != nil {
		return DashboardView{}, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	if filter.Organisation != "" {
		if _, ok := s.orgs.Get(filter.Organisation); !ok {
			// The value is not repeated: it could be anything typed in the wrong field.
			return DashboardView{}, fmt.Errorf("%w: organisationId: no such organisation in the directory", ErrBadInput)
		}
	}
	return s.dashboards.get(ctx, filter, s.Now(), s.DashboardChanges(), s.publishDashboard)
}

// publishDashboard publishes the dashboard filter selects now, from the figures as
// they stand.
func (s *Service) publishDashboard(filter dashboard.Filter, now time.Time) (DashboardView, error) {
	var out DashboardView
	if s.runner != nil {
		out.Position = s.runner.Position() // read first: the figures hold at least this
	}
	q := dashboard.Query{Filter: filter, Now: now, Open: s.cases.OpenCases(filter.Jurisdiction), StalledAfter: s.stalledAfter}
	var err error
	s.cases.Dashboard().Read(func(f *dashboard.Figures) { out.View, err = s.publisher.Publish(f, q) })
	if err != nil {
		return DashboardView{}, badDashboardFilter(err)
	}
	out.Survey = SummariseSurvey(s.orgs.List(filter.Jurisdiction, ""), filter.Organisation, filter.To.Year)
	return out, nil
}

// DashboardChanges counts the changes of what a dashboard is made of, its figures and
// the directory (the survey): a subscriber publishes again only when it moved (or
// time did).
func (s *Service) DashboardChanges() uint64 {
	return s.cases.Dashboard().Changes() + s.orgs.Changes()
}

func badDashboardFilter(err error) error {
	if errors.Is(err, dashboard.ErrBadFilter) {
		return fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	return fmt.Errorf("dashboard: %w", err)
}
