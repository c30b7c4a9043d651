package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// dashboardSurvey maps the application's survey summary onto the dashboard's type: a
// round of 0 (none answered) is null.
func dashboardSurvey(s app.SurveySummary) *graph.DashboardSurvey {
	out := &graph.DashboardSurvey{
		OrganisationsAnswered: s.OrganisationsAnswered, Organisations: s.Organisations,
		Services: s.Services, Capacity: s.Capacity, SurvivorsPerYear: s.SurvivorsPerYear, Barriers: s.Barriers, Needs: s.Needs,
	}
	if s.Round != 0 {
		round := s.Round
		out.Round = &round
	}
	return out
}
