package api

import (
	"context"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// creditSealed says which sealed parts of credit the selection asks for.
func creditSealed(ctx context.Context) app.SealedCredit {
	return app.SealedCredit{
		Items:          requested(ctx, "disputes", "items", "creditor") || requested(ctx, "disputes", "items", "accountReference"),
		ItemReasons:    requested(ctx, "disputes", "items", "reason"),
		DisputeReasons: requested(ctx, "disputes", "reason"),
	}
}

func creditToGraph(c *app.Credit) *graph.CaseCredit {
	out := &graph.CaseCredit{
		Reports:  make([]graph.CreditReport, len(c.Reports)),
		Disputes: make([]graph.CreditDispute, len(c.Disputes)),
	}
	for i, r := range c.Reports {
		out.Reports[i] = graph.CreditReport{ID: r.ID, Bureau: &r.Bureau, ObtainedAt: r.ObtainedAt}
	}
	for i, d := range c.Disputes {
		out.Disputes[i] = graph.CreditDispute{
			ID: d.ID, Bureau: &d.Bureau, ItemCount: d.ItemCount, Status: d.Status, Outcome: optional(d.Outcome),
			ReasonCode: optional(d.ReasonCode), Reason: optional(d.Reason), FiledAt: d.FiledAt,
			ResolvedAt: optionalTime(d.ResolvedAt), Items: make([]graph.DisputeItem, len(d.Items)),
			Evidence: nonNil(d.Evidence), Resubmissions: d.Resubmissions, DueAt: optionalTime(d.DueAt), Overdue: d.Overdue,
		}
		for j, it := range d.Items {
			out.Disputes[i].Items[j] = graph.DisputeItem{
				ID: it.ID, Kind: it.Kind, Outcome: it.Outcome, ReasonCode: optional(it.ReasonCode),
				Reason: optional(it.Reason), Creditor: optional(it.Creditor), AccountReference: optional(it.AccountReference),
			}
		}
	}
	return out
}

func duePageToGraph(p app.DuePage) *graph.CreditDisputeDueConnection {
	out := &graph.CreditDisputeDueConnection{Edges: make([]graph.CreditDisputeDueEdge, len(p.Disputes)),
		PageInfo: &graph.PageInfo{HasNextPage: p.HasNextPage}}
	for i, d := range p.Disputes {
		out.Edges[i] = graph.CreditDisputeDueEdge{Cursor: d.Cursor, Node: &graph.CreditDisputeDue{
			CaseID: d.CaseID, DisputeID: d.DisputeID, Bureau: &d.Bureau, FiledAt: d.FiledAt,
			DueAt: optionalTime(d.DueAt), Overdue: d.Overdue, PendingItems: d.PendingItems,
		}}
	}
	if n := len(p.Disputes); n > 0 {
		out.PageInfo.EndCursor = &p.Disputes[n-1].Cursor
	}
	return out
}
