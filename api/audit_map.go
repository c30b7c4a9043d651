package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func historyToGraph(page app.HistoryPage) *graph.CaseHistoryConnection {
	conn := &graph.CaseHistoryConnection{
		Edges:      make([]graph.CaseHistoryEdge, len(page.Events)),
		PageInfo:   &graph.PageInfo{HasNextPage: page.HasNextPage},
		TotalCount: page.TotalCount,
	}
	for i, e := range page.Events {
		conn.Edges[i] = graph.CaseHistoryEdge{Cursor: page.Cursors[i], Node: e}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn
}

// sizeOr is a page size argument, def when left out (or null).
func sizeOr(first *int, def int) int {
	if first == nil {
		return def
	}
	return *first
}

func verificationToGraph(v app.Verification) *graph.CaseVerification {
	out := &graph.CaseVerification{Ok: v.OK, Events: v.Events, HeadHash: optional(v.HeadHash), Checkpoints: v.Checkpoints, Signed: v.Signed}
	if b := v.Break; b != nil {
		out.FirstBreak = &graph.ChainBreak{Stream: b.Stream, Revision: int(b.Revision), Problem: b.Problem, Expected: b.Expected, Found: b.Found}
	}
	return out
}
