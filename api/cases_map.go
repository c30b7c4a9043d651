package api

import (
	"context"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// fromSummary answers one field of the case's summary group.
func fromSummary[T any](ctx context.Context, c *app.Case, field func(*app.Summary) T) (T, error) {
	s, err := c.Summary(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return field(s), nil
}

func journeyToGraph(steps []app.JourneyStep) []graph.JourneyStep {
	out := make([]graph.JourneyStep, len(steps))
	for i, s := range steps {
		out[i] = graph.JourneyStep{
			Type: s.Type, At: s.At, Stage: s.Stage, Version: int(s.Version), Position: s.Position,
			ActorOrganisation: optional(s.ActorOrganisation),
		}
	}
	return out
}

func connectionToGraph(page app.CasePage) *graph.CaseConnection {
	conn := &graph.CaseConnection{Edges: make([]graph.CaseEdge, len(page.Cases)), TotalCount: page.TotalCount}
	cursors := make([]string, len(page.Cases))
	for i, c := range page.Cases {
		cursors[i] = c.Cursor()
		conn.Edges[i] = graph.CaseEdge{Cursor: cursors[i], Node: c}
	}
	conn.PageInfo = pageInfoOf(page.HasPreviousPage, page.HasNextPage, cursors)
	return conn
}
