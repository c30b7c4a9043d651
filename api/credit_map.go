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

// creditWithheld reports the personal fields left empty for want of a reason.
func creditWithheld(ctx context.Context, c *app.Credit) {
	for i, d := range c.Disputes {
		reportWithheld(ctx, d.Withheld, "disputes", i)
		for j, it := range d.Items {
			reportWithheld(ctx, it.Withheld, "disputes", i, "items", j)
		}
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
	out := &graph.CreditDisputeDueConnection{Edges: make([]graph.CreditDisputeDueEdge, len(p.Disputes))}
	cursors := make([]string, len(p.Disputes))
	for i, d := range p.Disputes {
		cursors[i] = d.Cursor
		out.Edges[i] = graph.CreditDisputeDueEdge{Cursor: d.Cursor, Node: &graph.CreditDisputeDue{
			CaseID: d.CaseID, DisputeID: d.DisputeID, Bureau: &d.Bureau, FiledAt: d.FiledAt,
			DueAt: optionalTime(d.DueAt), Overdue: d.Overdue, PendingItems: d.PendingItems,
		}}
	}
	out.PageInfo = pageInfoOf(p.HasPreviousPage, p.HasNextPage, cursors)
	return out
}
