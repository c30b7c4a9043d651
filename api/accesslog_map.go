package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func accessLogToGraph(entries []app.AccessLogEntry) []graph.AccessLogEntry {
	out := make([]graph.AccessLogEntry, len(entries))
	for i, e := range entries {
		out[i] = graph.AccessLogEntry{
			At: e.At, Actor: e.Actor, Role: e.Role, Organisation: optional(e.Organisation), Groups: nonNil(e.Groups),
			Reason: optional(e.Reason), BreakGlass: e.BreakGlass, RequestID: optional(e.RequestID),
		}
	}
	return out
}
