package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func historyToGraph(page app.HistoryPage) *graph.CaseHistoryConnection {
	conn := &graph.CaseHistoryConnection{
		Edges:      make([]graph.CaseHistoryEdge, len(page.Events)),
		PageInfo:   pageInfoOf(page.HasPreviousPage, page.HasNextPage, page.Cursors),
		TotalCount: page.TotalCount,
	}
	for i, e := range page.Events {
		conn.Edges[i] = graph.CaseHistoryEdge{Cursor: page.Cursors[i], Node: e}
	}
	return conn
}

func verificationToGraph(v app.Verification) *graph.CaseVerification {
	out := &graph.CaseVerification{Ok: v.OK, Events: v.Events, HeadHash: optional(v.HeadHash), Checkpoints: v.Checkpoints, Signed: v.Signed}
	if b := v.Break; b != nil {
		out.FirstBreak = &graph.ChainBreak{Stream: b.Stream, Revision: int(b.Revision), Problem: b.Problem, Expected: b.Expected, Found: b.Found}
	}
	return out
}
