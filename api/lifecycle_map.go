package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func closureToGraph(c *app.Closure) *graph.Closure {
	if c == nil {
		return nil
	}
	return &graph.Closure{Outcome: c.Outcome, Reason: optional(c.Reason), At: c.At}
}

func reopeningsToGraph(reopenings []app.Reopening) []graph.Reopening {
	out := make([]graph.Reopening, len(reopenings))
	for i, ro := range reopenings {
		out[i] = graph.Reopening{ReasonCode: ro.ReasonCode, Reason: optional(ro.Reason), At: ro.At}
	}
	return out
}
