package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func accessLogToGraph(page app.AccessLogPage) *graph.AccessLogConnection {
	conn := &graph.AccessLogConnection{
		Edges:      make([]graph.AccessLogEdge, len(page.Entries)),
		PageInfo:   pageInfoOf(page.HasPreviousPage, page.HasNextPage, page.Cursors),
		TotalCount: page.TotalCount,
	}
	for i, e := range page.Entries {
		conn.Edges[i] = graph.AccessLogEdge{Cursor: page.Cursors[i], Node: &graph.AccessLogEntry{
			At: e.At, Actor: e.Actor, Role: e.Role, Organisation: optional(e.Organisation), Groups: nonNil(e.Groups),
			Reason: optional(e.Reason), BreakGlass: e.BreakGlass, RequestID: optional(e.RequestID),
		}}
	}
	return conn
}

func accessLogFilter(f *graph.AccessLogFilter) app.AccessLogFilter {
	if f == nil {
		return app.AccessLogFilter{}
	}
	return app.AccessLogFilter{Actor: deref(f.Actor), Role: deref(f.Role), BreakGlass: f.BreakGlass, From: deref(f.From), To: deref(f.To)}
}

func reportToGraph(report []app.BreakGlassSummary) []graph.BreakGlassSummary {
	out := make([]graph.BreakGlassSummary, len(report))
	for i, s := range report {
		out[i] = graph.BreakGlassSummary{
			Actor: s.Actor, Organisation: optional(s.Organisation), Reads: s.Reads, Cases: s.Cases,
			First: s.First, Last: s.Last, Reasons: nonNil(s.Reasons),
		}
	}
	return out
}
