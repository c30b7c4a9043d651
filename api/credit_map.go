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
			Evidence: nonNil(d.Evidence), Resubmissions: d.Resubmissions,
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
