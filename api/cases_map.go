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
	conn := &graph.CaseConnection{
		Edges:      make([]graph.CaseEdge, len(page.Cases)),
		PageInfo:   &graph.PageInfo{HasNextPage: page.HasNextPage},
		TotalCount: page.TotalCount,
	}
	for i, c := range page.Cases {
		conn.Edges[i] = graph.CaseEdge{Cursor: c.Cursor(), Node: c}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn
}

// pageSize is cases(first:), 20 when left out.
func pageSize(first *int) int {
	if first == nil {
		return 20
	}
	return *first
}
