package api

import (
	"fmt"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/dashboard"
)

// dashboardFilter reads the GraphQL filter; a month that is not YYYY-MM is bad input
// with the sentence that says so.
func dashboardFilter(in graph.DashboardFilter) (dashboard.Filter, error) {
	from, err := dashboard.ParseMonth(in.FromMonth)
	if err != nil {
		return dashboard.Filter{}, badInput("fromMonth", err)
	}
	to, err := dashboard.ParseMonth(in.ToMonth)
	if err != nil {
		return dashboard.Filter{}, badInput("toMonth", err)
	}
	return dashboard.Filter{Jurisdiction: in.Jurisdiction, Organisation: deref(in.OrganisationID), From: from, To: to}, nil
}

func badInput(field string, err error) error {
	return fmt.Errorf("%s: %v: %w", field, err, app.ErrBadInput)
}

func dashboardToGraph(v app.DashboardView) *graph.Dashboard {
	out := &graph.Dashboard{
		Jurisdiction: v.Jurisdiction, MinCell: v.MinCell, CurrentMonth: v.Current.String(), Position: v.Position.String(),
		Months: make([]string, len(v.Months)), Periods: make([]string, len(v.Periods)),
		Funnel: seriesToGraph(v.Funnel), Figures: seriesToGraph(v.Figures),
		StalledCases: countToGraph(v.Stalled),
		// Lists the schema promises are never null, even with no period in range.
		Conversions: []graph.DashboardConversion{}, Durations: []graph.DashboardDuration{},
	}
	if v.Organisation != "" {
		out.OrganisationID = &v.Organisation
	}
	for i, m := range v.Months {
		out.Months[i] = m.String()
	}
	for i, p := range v.Periods {
		out.Periods[i] = p.String()
	}
	for _, c := range v.Conversions {
		out.Conversions = append(out.Conversions, graph.DashboardConversion{From: c.From, To: c.To, Period: c.Period.String(), Percent: c.Percent})
	}
	for _, d := range v.Durations {
		out.Durations = append(out.Durations, graph.DashboardDuration{
			Kind: d.Kind, From: d.From, To: d.To, Period: d.Period.String(),
			Cases: countToGraph(d.Cases), MedianDays: d.Median, P90Days: d.P90,
		})
	}
	for _, b := range v.OpenCases {
		out.OpenCases = append(out.OpenCases, graph.DashboardBand{Band: b.Band, Count: countToGraph(b.Count)})
	}
	return out
}

func seriesToGraph(in []dashboard.Series) []graph.DashboardSeries {
	out := make([]graph.DashboardSeries, len(in))
	for i, s := range in {
		g := graph.DashboardSeries{Figure: string(s.Figure), Name: s.Name(), Months: make([]graph.DashboardCount, len(s.Months)), Periods: make([]graph.DashboardCount, len(s.Periods))}
		if code := s.Code(); code != "" {
			g.Code = &code
		}
		for j, c := range s.Months {
			g.Months[j] = *countToGraph(c)
		}
		for j, c := range s.Periods {
			g.Periods[j] = *countToGraph(c)
		}
		out[i] = g
	}
	return out
}

func countToGraph(c dashboard.Count) *graph.DashboardCount {
	out := &graph.DashboardCount{Suppressed: c.Suppressed, Provisional: c.Provisional}
	if !c.Suppressed {
		v := c.Value
		out.Value = &v
	}
	return out
}
