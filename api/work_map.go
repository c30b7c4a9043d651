package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// workCounts lists a queue's counts in the kinds' own order (a stable answer).
func workCounts(counts map[app.WorkKind]int) []graph.WorkKindCount {
	out := []graph.WorkKindCount{}
	for _, kind := range app.AllWorkKind() {
		if n := counts[kind]; n > 0 {
			out = append(out, graph.WorkKindCount{Kind: kind, Count: n})
		}
	}
	return out
}
