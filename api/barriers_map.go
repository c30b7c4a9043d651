package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func barrierSpansToGraph(spans []app.BarrierSpan) []graph.BarrierSpan {
	out := make([]graph.BarrierSpan, len(spans))
	for i, s := range spans {
		out[i] = graph.BarrierSpan{Barrier: s.Barrier, IdentifiedAt: s.IdentifiedAt, ResolvedAt: optionalTime(s.ResolvedAt)}
	}
	return out
}

func needSpansToGraph(spans []app.NeedSpan) []graph.NeedSpan {
	out := make([]graph.NeedSpan, len(spans))
	for i, s := range spans {
		out[i] = graph.NeedSpan{Need: s.Need, IdentifiedAt: s.IdentifiedAt, MetAt: optionalTime(s.MetAt)}
	}
	return out
}
