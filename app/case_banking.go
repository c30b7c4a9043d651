package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// Banking is the case's banking group as the caller may see it: a bank's staff see
// only their own bank's referral, offers, packs and application.
type Banking struct {
	Referrals []BankReferral // oldest first
	Offers    []Offer        // oldest first (case_offers.go)
	// ChosenOfferID is the offer the survivor chose; "" if none, or if it is another
	// bank's than the caller's.
	ChosenOfferID     string
	DeclinedAllOffers bool
	DeclineReasonCode domain.DeclineReason
	// DeclineReason is the text beside DeclineReasonCode (personal): it goes with
	// the notes.
	DeclineReason string
	Packs         []DueDiligencePack // oldest first (case_duediligence.go)
	Applications  []Application      // the latest per bank, oldest first
	// Withheld: personal fields left empty for want of a stated reason.
	Withheld Withheld
}

// SealedBanking says which sealed parts of the banking group the caller asked for.
type SealedBanking struct {
	ApplicationReasons bool // the text beside a declined application's code
	PackStaff          bool // the staff member accompanying a visit
	PackReasons        bool // the text beside a rejected pack's code
	DeclineReason      bool // the text beside declining every offer (read with the notes)
}

// BankReferral is a bank the case was shown to.
type BankReferral struct {
	Bank       Organisation
	ReferredAt time.Time
}

// Application is the latest account application at one bank.
type Application struct {
	Bank        Organisation
	Product     domain.AccountProduct
	Status      domain.ApplicationStatus
	ReasonCode  domain.AccountDeclineReason
	Reason      string // personal: the text beside ReasonCode
	SubmittedAt time.Time
	UpdatedAt   time.Time
	// Withheld: personal fields left empty for want of a stated reason.
	Withheld Withheld
}

// Banking returns the case's banking (banking group); sealed says which of its
// personal parts to open.
func (c *Case) Banking(ctx context.Context, sealed SealedBanking) (*Banking, error) {
	if err := c.authorize(ctx, access.GroupBanking); err != nil {
		return nil, err
	}
	o, err := c.opener(ctx, access.GroupBanking, sealed.ApplicationReasons || sealed.PackStaff || sealed.PackReasons)
	if err != nil {
		return nil, err
	}
	state := c.v.State
	out := &Banking{Referrals: []BankReferral{}, Applications: []Application{}}
	for _, ref := range sortedBy(state.BankReferrals, func(b domain.BankReferral) time.Time { return b.At }, func(b domain.BankReferral) string { return b.Bank }) {
		if c.sees(ref.Bank) {
			out.Referrals = append(out.Referrals, BankReferral{Bank: c.org(ref.Bank), ReferredAt: ref.At})
		}
	}
	for _, a := range sortedBy(state.Applications, func(a domain.AccountApplication) time.Time { return a.SubmittedAt }, func(a domain.AccountApplication) string { return a.Bank }) {
		if !c.sees(a.Bank) {
			continue
		}
		app := Application{
			Bank: c.org(a.Bank), Product: a.Product, Status: a.Status, ReasonCode: a.ReasonCode,
			SubmittedAt: a.SubmittedAt, UpdatedAt: a.UpdatedAt,
		}
		if sealed.ApplicationReasons {
			app.Reason, err = text(ctx, o, c.v.Sealed[projections.SealedApplicationDecline(a.Bank)])
			if err := withhold(&app.Withheld, "Reason", err); err != nil {
				return nil, err
			}
		}
		out.Applications = append(out.Applications, app)
	}
	if err := c.offers(ctx, out, sealed.DeclineReason); err != nil {
		return nil, err
	}
	if out.Packs, err = c.packs(ctx, o, sealed); err != nil {
		return nil, err
	}
	return out, nil
}
