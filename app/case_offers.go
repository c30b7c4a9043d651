package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// Offer is an offer a bank made on the case.
type Offer struct {
	ID                     string
	Bank                   Organisation
	Product                domain.AccountProduct
	MonthlyFee             domain.Money
	AcceptedDocuments      []domain.DocumentKind // the ID document kinds the bank accepts for opening
	AcceptsAlternativePack bool                  // the bank will consider a due-diligence pack instead of ID
	Status                 domain.OfferStatus
	MadeAt                 time.Time
}

// offers fills in the offers the caller may see, the survivor's choice among them, and
// whether she declined them all (with its text, which goes with the notes, when
// withReason).
func (c *Case) offers(ctx context.Context, out *Banking, withReason bool) error {
	state := c.v.State
	out.Offers = []Offer{}
	for _, o := range sortedBy(state.Offers, func(o domain.BankOffer) time.Time { return o.MadeAt }, func(o domain.BankOffer) string { return o.OfferID }) {
		if c.sees(o.Bank) {
			out.Offers = append(out.Offers, Offer{
				ID: o.OfferID, Bank: c.org(o.Bank), Product: o.Product, MonthlyFee: o.MonthlyFee,
				AcceptedDocuments: o.AcceptedDocuments, AcceptsAlternativePack: o.AcceptsAlternativePack,
				Status: o.Status, MadeAt: o.MadeAt,
			})
		}
	}
	if state.ChosenOffer != "" && c.sees(state.Offers[state.ChosenOffer].Bank) {
		out.ChosenOfferID = state.ChosenOffer
	}
	out.DeclinedAllOffers = state.DeclinedAllOffers
	if !state.DeclinedAllOffers {
		return nil
	}
	out.DeclineReasonCode = state.DeclineReasonCode
	// The survivor's side wrote why she declined every bank: it goes with the notes.
	notes, err := c.notesOpener(ctx, withReason)
	if err != nil {
		return err
	}
	out.DeclineReason, err = text(ctx, notes, c.v.Sealed[projections.SealedDeclineAll])
	return withhold(&out.Withheld, "DeclineReason", err)
}
