package domain

import (
	"fmt"
	"slices"
	"time"
)

// Bank offers and the survivor's choice. A case is shown to several partner banks
// (ReferToBank); each may make offers; the survivor chooses one, or declines them
// all with a reason. A choice can be corrected by choosing another offer, and she
// can change her mind after declining: new offers and a choice are allowed again.
// Only a recorded choice stops new offers.

// OfferStatus says where one bank offer stands with the survivor.
type OfferStatus string

const (
	OfferOpen      OfferStatus = "open"
	OfferChosen    OfferStatus = "chosen"
	OfferNotChosen OfferStatus = "not_chosen"
)

func AllOfferStatus() []OfferStatus { return []OfferStatus{OfferOpen, OfferChosen, OfferNotChosen} }

func (x OfferStatus) Valid() bool { return slices.Contains(AllOfferStatus(), x) }

// DeclineReason is why a survivor declined every bank offer.
type DeclineReason string

const (
	DeclineFeesTooHigh            DeclineReason = "fees_too_high"
	DeclineBranchNotAccessible    DeclineReason = "branch_not_accessible"
	DeclineDistrustsBanks         DeclineReason = "distrusts_banks"
	DeclinePrefersAnotherProvider DeclineReason = "prefers_another_provider"
	DeclineSafetyConcern          DeclineReason = "safety_concern"
	DeclineNotReady               DeclineReason = "not_ready"
	DeclineOther                  DeclineReason = "other"
)

func AllDeclineReason() []DeclineReason {
	return []DeclineReason{DeclineFeesTooHigh, DeclineBranchNotAccessible, DeclineDistrustsBanks,
		DeclinePrefersAnotherProvider, DeclineSafetyConcern, DeclineNotReady, DeclineOther}
}

func (x DeclineReason) Valid() bool { return slices.Contains(AllDeclineReason(), x) }

// BankOffer is one offer a bank made on the case.
type BankOffer struct {
	OfferID                string
	Bank                   string
	Product                AccountProduct
	MonthlyFee             Money
	AcceptedDocuments      []DocumentKind // the ID document kinds the bank accepts for opening
	AcceptsAlternativePack bool           // the bank will consider a due-diligence pack instead of ID
	Status                 OfferStatus
	MadeAt                 time.Time
}

// ---- Commands and events -----------------------------------------------------------

type MakeBankOffer struct {
	OfferID                string `waymark:"new"`
	Bank                   OrgRef
	Product                AccountProduct
	FeeCurrency            string // ISO 4217, e.g. "MXN"
	FeeAmount              string // a decimal, e.g. "0" or "35.50"
	AcceptedDocuments      []DocumentKind
	AcceptsAlternativePack bool
}

type RecordSurvivorChoice struct {
	OfferID string
}

type DeclineAllOffers struct {
	ReasonCode DeclineReason
	Reason     string // optional text
}

// BankOfferMade: a bank the case was shown to offered a product.
type BankOfferMade struct {
	OfferID                string         `json:"offerId" waymark:"id"`
	Bank                   string         `json:"bank" waymark:"id"`
	Product                AccountProduct `json:"product"`
	MonthlyFee             Money          `json:"monthlyFee"`
	AcceptedDocuments      []DocumentKind `json:"acceptedDocuments,omitempty"`
	AcceptsAlternativePack bool           `json:"acceptsAlternativePack"`
	At                     time.Time      `json:"at"`
}

// SurvivorChoseOffer: the survivor chose an offer; a later choice replaces it.
type SurvivorChoseOffer struct {
	OfferID string    `json:"offerId" waymark:"id"`
	Bank    string    `json:"bank" waymark:"id"`
	At      time.Time `json:"at"`
}

// SurvivorDeclinedAllOffers: the survivor declined every offer made so far.
type SurvivorDeclinedAllOffers struct {
	ReasonCode DeclineReason  `json:"reasonCode"`
	At         time.Time      `json:"at"`
	Personal   *ReasonDetails `json:"personal,omitempty"`
}

func (MakeBankOffer) CommandType() string        { return "MakeBankOffer" }
func (RecordSurvivorChoice) CommandType() string { return "RecordSurvivorChoice" }
func (DeclineAllOffers) CommandType() string     { return "DeclineAllOffers" }

func (BankOfferMade) EventType() string             { return "BankOfferMade" }
func (SurvivorChoseOffer) EventType() string        { return "SurvivorChoseOffer" }
func (SurvivorDeclinedAllOffers) EventType() string { return "SurvivorDeclinedAllOffers" }

// ---- Table -------------------------------------------------------------------------

func offersConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[MakeBankOffer]{decide: decideMakeBankOffer,
				by: func(cmd MakeBankOffer, _ Case) Performer { return bankSide(cmd.Bank.ID) }}.spec(),
			caseCommand[RecordSurvivorChoice]{decide: decideSurvivorChoice}.spec(),
			caseCommand[DeclineAllOffers]{decide: decideDeclineAllOffers}.spec(),
		},
		events: []EventSpec{
			caseEvent[BankOfferMade]{stage: StageAccountOpening, evolve: evolveBankOfferMade,
				party: func(e BankOfferMade, _ Case) string { return e.Bank }}.spec(),
			caseEvent[SurvivorChoseOffer]{evolve: evolveSurvivorChoseOffer,
				party: func(e SurvivorChoseOffer, _ Case) string { return e.Bank }}.spec(),
			caseEvent[SurvivorDeclinedAllOffers]{evolve: evolveSurvivorDeclinedAllOffers}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideMakeBankOffer(c Case, cmd MakeBankOffer, now time.Time) ([]Event, error) {
	bank := cmd.Bank.ID
	if err := checkID("offerId", cmd.OfferID); err != nil {
		return nil, err
	}
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if !cmd.Product.Valid() {
		return nil, invalid("product", fmt.Sprintf("unknown account product %q", cmd.Product))
	}
	fee, err := ParseMoney("monthlyFee", cmd.FeeCurrency, cmd.FeeAmount)
	if err != nil {
		return nil, err
	}
	if err := checkList("acceptedDocuments", cmd.AcceptedDocuments, false); err != nil {
		return nil, err
	}
	if _, used := c.Offers[cmd.OfferID]; used {
		return nil, invalid("offerId", fmt.Sprintf("offer id %s is already used on this case", cmd.OfferID))
	}
	if _, ok := c.BankReferrals[bank]; !ok {
		return nil, transition(fmt.Sprintf("an offer only from a bank the case was shown to; it was not referred to bank %s", bank))
	}
	if c.ChosenOffer != "" {
		return nil, transition(fmt.Sprintf("the survivor has chosen offer %s (bank %s); no new offer can be made",
			c.ChosenOffer, c.Offers[c.ChosenOffer].Bank))
	}
	if _, err := requireConsent(c, "bank", bank, PurposeBanking, now); err != nil {
		return nil, err
	}
	return one(BankOfferMade{
		OfferID: cmd.OfferID, Bank: bank, Product: cmd.Product, MonthlyFee: fee,
		AcceptedDocuments: cloneList(cmd.AcceptedDocuments), AcceptsAlternativePack: cmd.AcceptsAlternativePack, At: now,
	})
}

// decideSurvivorChoice records a choice, or corrects an earlier one: any offer made
// on the case can be chosen except the one already chosen.
func decideSurvivorChoice(c Case, cmd RecordSurvivorChoice, now time.Time) ([]Event, error) {
	if err := checkID("offerId", cmd.OfferID); err != nil {
		return nil, err
	}
	o, ok := c.Offers[cmd.OfferID]
	if !ok {
		return nil, invalid("offerId", fmt.Sprintf("unknown offer %s on this case", cmd.OfferID))
	}
	if o.Status == OfferChosen {
		return nil, transition(fmt.Sprintf("offer %s is already the survivor's choice", o.OfferID))
	}
	return one(SurvivorChoseOffer{OfferID: o.OfferID, Bank: o.Bank, At: now})
}

func decideDeclineAllOffers(c Case, cmd DeclineAllOffers, now time.Time) ([]Event, error) {
	if err := checkCode("reasonCode", cmd.ReasonCode, "reason the survivor declined every offer"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	if len(c.Offers) == 0 {
		return nil, transition("no bank has made an offer yet; there is nothing to decline")
	}
	if c.DeclinedAllOffers {
		return nil, transition("the survivor already declined every offer, and no bank has made a new one since")
	}
	return one(SurvivorDeclinedAllOffers{ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

// latestOffer finds the last offer bank made (the greater id when two were made at
// the same instant, so the answer does not depend on map order).
func (c Case) latestOffer(bank string) (BankOffer, bool) {
	var latest BankOffer
	found := false
	for _, o := range c.Offers {
		if o.Bank != bank {
			continue
		}
		if !found || o.MadeAt.After(latest.MadeAt) || (o.MadeAt.Equal(latest.MadeAt) && o.OfferID > latest.OfferID) {
			latest, found = o, true
		}
	}
	return latest, found
}

// ---- Evolve ------------------------------------------------------------------------

// The offer events. DeclinedAllOffers holds while the survivor's latest answer is
// declining everything: a new offer or a choice clears it.

func evolveBankOfferMade(c Case, e BankOfferMade) Case {
	c.Offers = with(c.Offers, e.OfferID, BankOffer{
		OfferID: e.OfferID, Bank: e.Bank, Product: e.Product, MonthlyFee: e.MonthlyFee,
		AcceptedDocuments: cloneList(e.AcceptedDocuments), AcceptsAlternativePack: e.AcceptsAlternativePack,
		Status: OfferOpen, MadeAt: e.At,
	})
	c.DeclinedAllOffers, c.DeclineReasonCode = false, ""
	return c
}

func evolveSurvivorChoseOffer(c Case, e SurvivorChoseOffer) Case {
	if _, ok := c.Offers[e.OfferID]; !ok {
		return c
	}
	c.Offers = offersWithStatus(c.Offers, e.OfferID)
	c.ChosenOffer, c.DeclinedAllOffers, c.DeclineReasonCode = e.OfferID, false, ""
	return c
}

func evolveSurvivorDeclinedAllOffers(c Case, e SurvivorDeclinedAllOffers) Case {
	c.Offers = offersWithStatus(c.Offers, "")
	c.ChosenOffer, c.DeclinedAllOffers, c.DeclineReasonCode = "", true, e.ReasonCode
	return c
}

// offersWithStatus returns a copy of offers where chosen (if any) is chosen and every
// other offer is not chosen.
func offersWithStatus(offers map[string]BankOffer, chosen string) map[string]BankOffer {
	if len(offers) == 0 {
		return offers
	}
	out := make(map[string]BankOffer, len(offers))
	for id, o := range offers {
		o.Status = OfferNotChosen
		if id == chosen {
			o.Status = OfferChosen
		}
		out[id] = o
	}
	return out
}
