package api

import (
	"context"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// bankingSealed says which sealed parts of banking the selection asks for.
func bankingSealed(ctx context.Context) app.SealedBanking {
	return app.SealedBanking{
		ApplicationReasons: requested(ctx, "applications", "reason"),
		PackStaff:          requested(ctx, "dueDiligencePacks", "staffName"),
		PackReasons:        requested(ctx, "dueDiligencePacks", "reason"),
		DeclineReason:      requested(ctx, "declineReason"),
	}
}

// bankingWithheld reports the personal fields left empty for want of a reason.
func bankingWithheld(ctx context.Context, b *app.Banking) {
	reportWithheld(ctx, b.Withheld)
	for i, p := range b.Packs {
		reportWithheld(ctx, p.Withheld, "dueDiligencePacks", i)
	}
	for i, a := range b.Applications {
		reportWithheld(ctx, a.Withheld, "applications", i)
	}
}

func bankingToGraph(b *app.Banking) *graph.CaseBanking {
	out := &graph.CaseBanking{
		Referrals:         make([]graph.BankReferral, len(b.Referrals)),
		Offers:            make([]graph.BankOffer, len(b.Offers)),
		ChosenOfferID:     optional(b.ChosenOfferID),
		DeclinedAllOffers: b.DeclinedAllOffers,
		DeclineReasonCode: optional(b.DeclineReasonCode),
		DeclineReason:     optional(b.DeclineReason),
		DueDiligencePacks: make([]graph.DueDiligencePack, len(b.Packs)),
		Applications:      make([]graph.AccountApplication, len(b.Applications)),
	}
	for i, ref := range b.Referrals {
		out.Referrals[i] = graph.BankReferral{Bank: &ref.Bank, ReferredAt: ref.ReferredAt}
	}
	for i, o := range b.Offers {
		out.Offers[i] = offerToGraph(o)
	}
	for i, p := range b.Packs {
		out.DueDiligencePacks[i] = packToGraph(p)
	}
	for i, a := range b.Applications {
		out.Applications[i] = graph.AccountApplication{
			Bank: &a.Bank, Product: a.Product, Status: a.Status, ReasonCode: optional(a.ReasonCode),
			Reason: optional(a.Reason), SubmittedAt: a.SubmittedAt, UpdatedAt: a.UpdatedAt,
		}
	}
	return out
}
