package api

import (
	"context"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// safeguardingSealed says which sealed parts of the concerns the selection asks for.
func safeguardingSealed(ctx context.Context) app.SealedSafeguarding {
	return app.SealedSafeguarding{Details: requested(ctx, "details"), Resolutions: requested(ctx, "resolutionText")}
}

func concernsToGraph(concerns []app.SafeguardingConcern) []graph.SafeguardingConcern {
	out := make([]graph.SafeguardingConcern, len(concerns))
	for i, k := range concerns {
		out[i] = graph.SafeguardingConcern{
			ID: k.ID, RaisedBy: &k.RaisedBy, Bank: &k.Bank, Category: k.Category, Status: k.Status,
			Details: optional(k.Details), RaisedAt: k.RaisedAt, AcknowledgedAt: optionalTime(k.AcknowledgedAt),
			ResolvedAt: optionalTime(k.ResolvedAt), Resolution: optional(k.Resolution), ResolutionText: optional(k.ResolutionText),
		}
	}
	return out
}
