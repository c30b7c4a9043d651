package projections

import "github.com/waymark-org/waymark/domain"

// partyOf names the bank, bureau or other organisation an event of the case concerns
// ("" when it concerns none in particular). Banks and bureaus see only the journey
// steps that concern them or no one: another bank's offer, or a concern involving
// another bank, is none of their business. c is the case after the event.
func partyOf(e domain.Event, c domain.Case) string {
	switch e := e.(type) {
	case domain.ConsentGranted:
		return e.Recipient
	case domain.ConsentWithdrawn:
		return c.Grants[e.GrantID].Recipient
	case domain.BankReferralMade:
		return e.Bank
	case domain.AccountApplicationSubmitted:
		return e.Bank
	case domain.BankAccountOpened:
		return e.Bank
	case domain.AccountApplicationDeclined:
		return e.Bank
	case domain.BankOfferMade:
		return e.Bank
	case domain.SurvivorChoseOffer:
		return e.Bank
	case domain.DueDiligencePackProvided:
		return e.Bank
	case domain.DueDiligencePackAccepted:
		return e.Bank
	case domain.DueDiligencePackRejected:
		return e.Bank
	case domain.SafeguardingConcernRaised:
		return e.Bank
	case domain.SafeguardingConcernAcknowledged:
		return c.Concerns[e.ConcernID].Bank
	case domain.SafeguardingConcernResolved:
		return c.Concerns[e.ConcernID].Bank
	case domain.CreditReportObtained:
		return e.Bureau
	case domain.CreditDisputeFiled:
		return e.Bureau
	case domain.CreditDisputeResolved:
		return c.Disputes[e.DisputeID].Bureau
	case domain.CreditDisputeItemDecided:
		return c.Disputes[e.DisputeID].Bureau
	case domain.CreditDisputeResubmitted:
		return c.Disputes[e.DisputeID].Bureau
	}
	return ""
}
