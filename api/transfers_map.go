package api

import (
	"context"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// transferTextsRequested: the texts beside a transfer's reason codes are opened (and
// their reading logged) only when the query asks for them.
func transferTextsRequested(ctx context.Context) bool {
	return requested(ctx, "reason") || requested(ctx, "declineReason")
}

func transferToGraph(t app.Transfer) graph.CaseTransfer {
	return graph.CaseTransfer{
		ID: t.ID, From: &t.From, To: &t.To, ToJurisdiction: t.ToJurisdiction,
		ReasonCode: t.ReasonCode, Reason: optional(t.Reason), Status: t.Status, RequestedAt: t.RequestedAt,
		DeclineReasonCode: optional(t.DeclineReasonCode), DeclineReason: optional(t.DeclineReason), DecidedAt: optionalTime(t.DecidedAt),
	}
}

func transfersToGraph(transfers []app.Transfer) []graph.CaseTransfer {
	out := make([]graph.CaseTransfer, len(transfers))
	for i, t := range transfers {
		out[i] = transferToGraph(t)
	}
	return out
}
