package domain

import (
	"reflect"
	"testing"
)

func TestMakeBankOffer(t *testing.T) {
	valid := MakeBankOffer{OfferID: "o-1", Bank: bank, Product: ProductBasicAccount, FeeCurrency: "MXN", FeeAmount: " 0 ",
		AcceptedDocuments: []DocumentKind{DocCURP, DocINE}, AcceptsAlternativePack: true}
	with := func(f func(*MakeBankOffer)) MakeBankOffer {
		c := valid
		f(&c)
		return c
	}
	withdrawn := ConsentWithdrawn{GrantID: "g-bank", At: at(5)}
	want := offerA
	want.At = at(10)

	runCaseTests(t, []caseTest{
		{name: "a bank the case was shown to makes an offer", given: shown(), when: valid,
			then: events(want), thenStage: StageAccountOpening},
		{name: "a second offer from the same bank", given: shown(offerA),
			when: MakeBankOffer{OfferID: "o-3", Bank: bank, Product: ProductSavingsAccount, FeeCurrency: "MXN", FeeAmount: "35.5"},
			then: events(BankOfferMade{OfferID: "o-3", Bank: "org-bank", Product: ProductSavingsAccount, MonthlyFee: Money{Currency: "MXN", MinorUnits: 3550}, At: at(10)})},
		{name: "a later product: a loan, accepting only a pack", given: shown(offerA),
			when: MakeBankOffer{OfferID: "o-3", Bank: bank2, Product: ProductLoan, FeeCurrency: "USD", FeeAmount: "4.95", AcceptsAlternativePack: true},
			then: events(BankOfferMade{OfferID: "o-3", Bank: "org-bank-2", Product: ProductLoan, MonthlyFee: Money{Currency: "USD", MinorUnits: 495}, AcceptsAlternativePack: true, At: at(10)})},
		{name: "a currency without minor units", given: shown(offerA),
			when: MakeBankOffer{OfferID: "o-3", Bank: bank2, Product: ProductBasicAccount, FeeCurrency: "JPY", FeeAmount: "500"},
			then: events(BankOfferMade{OfferID: "o-3", Bank: "org-bank-2", Product: ProductBasicAccount, MonthlyFee: Money{Currency: "JPY", MinorUnits: 500}, At: at(10)})},
		{name: "after declining every offer, a new offer is allowed", given: shown(offerA, declinedAll),
			when: with(func(c *MakeBankOffer) { c.OfferID = "o-3"; c.Product = ProductBusinessAccount }),
			then: events(BankOfferMade{OfferID: "o-3", Bank: "org-bank", Product: ProductBusinessAccount, MonthlyFee: Money{Currency: "MXN"},
				AcceptedDocuments: []DocumentKind{DocCURP, DocINE}, AcceptsAlternativePack: true, At: at(10)})},
		{name: "the largest fee", given: shown(),
			when: with(func(c *MakeBankOffer) { c.FeeAmount = "1000000.00"; c.AcceptedDocuments = nil }),
			then: events(BankOfferMade{OfferID: "o-1", Bank: "org-bank", Product: ProductBasicAccount,
				MonthlyFee: Money{Currency: "MXN", MinorUnits: 100_000_000}, AcceptsAlternativePack: true, At: at(10)})},

		{name: "an offer only from a bank the case was shown to", given: events(referred, bankGrant, bank2Grant, bankReferred),
			when:    with(func(c *MakeBankOffer) { c.Bank = bank2 }),
			wantErr: ErrInvalidTransition, wantMsg: "makeBankOffer: an offer only from a bank the case was shown to; it was not referred to bank org-bank-2"},
		{name: "no new offer once the survivor has chosen", given: shown(offerA, offerB, choseA),
			when:    with(func(c *MakeBankOffer) { c.OfferID = "o-3"; c.Bank = bank2 }),
			wantErr: ErrInvalidTransition, wantMsg: "the survivor has chosen offer o-1 (bank org-bank)"},
		{name: "consent withdrawn since the referral", given: shown(withdrawn), when: valid, wantErr: ErrConsentRequired},
		{name: "consent expired since the referral", given: shown(), now: nextYear, when: valid, wantErr: ErrConsentRequired},
		{name: "not a bank", given: shown(), when: with(func(c *MakeBankOffer) { c.Bank = shelter }),
			wantErr: ErrWrongOrganisationKind, wantMsg: "bankId:"},
		{name: "bank not resolved", given: shown(), when: with(func(c *MakeBankOffer) { c.Bank = OrgRef{ID: "org-x"} }), wantErr: ErrUnknownOrganisation},
		{name: "no offer id", given: shown(), when: with(func(c *MakeBankOffer) { c.OfferID = " " }), wantErr: ErrInvalidInput, wantMsg: "offerId:"},
		{name: "offer id already used", given: shown(offerA), when: valid, wantErr: ErrInvalidInput, wantMsg: "offer id o-1 is already used"},
		{name: "unknown product", given: shown(), when: with(func(c *MakeBankOffer) { c.Product = "crypto_wallet" }), wantErr: ErrInvalidInput, wantMsg: "product:"},
		{name: "fee too large", given: shown(), when: with(func(c *MakeBankOffer) { c.FeeAmount = "1000001" }),
			wantErr: ErrInvalidInput, wantMsg: "monthlyFee.amount: a fee is at most 1000000"},
		{name: "fee as free text", given: shown(), when: with(func(c *MakeBankOffer) { c.FeeAmount = "12% APR" }),
			wantErr: ErrInvalidInput, wantMsg: "monthlyFee.amount: an amount is written with digits"},
		{name: "fee with too many decimals", given: shown(), when: with(func(c *MakeBankOffer) { c.FeeAmount = "1.005" }),
			wantErr: ErrInvalidInput, wantMsg: "MXN has 2 decimal places"},
		{name: "a negative fee", given: shown(), when: with(func(c *MakeBankOffer) { c.FeeAmount = "-1" }), wantErr: ErrInvalidInput},
		{name: "an unknown currency", given: shown(), when: with(func(c *MakeBankOffer) { c.FeeCurrency = "ABC" }),
			wantErr: ErrInvalidInput, wantMsg: "monthlyFee.currency:"},
		{name: "a currency in lower case", given: shown(), when: with(func(c *MakeBankOffer) { c.FeeCurrency = "mxn" }),
			wantErr: ErrInvalidInput, wantMsg: "monthlyFee.currency:"},
		{name: "unknown document kind", given: shown(), when: with(func(c *MakeBankOffer) { c.AcceptedDocuments = []DocumentKind{"library_card"} }),
			wantErr: ErrInvalidInput, wantMsg: "acceptedDocuments:"},
		{name: "document kind listed twice", given: shown(), when: with(func(c *MakeBankOffer) { c.AcceptedDocuments = []DocumentKind{DocINE, DocINE} }),
			wantErr: ErrInvalidInput, wantMsg: "twice"},
	})
}

func TestRecordSurvivorChoice(t *testing.T) {
	runCaseTests(t, []caseTest{
		{name: "the survivor chooses an offer", given: shown(offerA, offerB), when: RecordSurvivorChoice{OfferID: "o-2"},
			then: events(SurvivorChoseOffer{OfferID: "o-2", Bank: "org-bank-2", At: at(10)})},
		{name: "a new choice replaces an earlier one", given: shown(offerA, offerB, choseA), when: RecordSurvivorChoice{OfferID: "o-2"},
			then: events(SurvivorChoseOffer{OfferID: "o-2", Bank: "org-bank-2", At: at(10)})},
		{name: "a choice after declining every offer", given: shown(offerA, offerB, declinedAll), when: RecordSurvivorChoice{OfferID: "o-1"},
			then: events(SurvivorChoseOffer{OfferID: "o-1", Bank: "org-bank", At: at(10)})},
		{name: "no offer id", given: shown(offerA), when: RecordSurvivorChoice{}, wantErr: ErrInvalidInput, wantMsg: "offerId:"},
		{name: "unknown offer", given: shown(offerA), when: RecordSurvivorChoice{OfferID: "o-9"},
			wantErr: ErrInvalidInput, wantMsg: "unknown offer o-9"},
		{name: "the offer is already chosen", given: shown(offerA, choseA), when: RecordSurvivorChoice{OfferID: "o-1"},
			wantErr: ErrInvalidTransition, wantMsg: "recordSurvivorChoice: offer o-1 is already the survivor's choice"},
	})
}

func TestDeclineAllOffers(t *testing.T) {
	runCaseTests(t, []caseTest{
		{name: "the survivor declines every offer", given: shown(offerA, offerB), when: DeclineAllOffers{ReasonCode: DeclineNotReady, Reason: " wants to wait "},
			then: events(SurvivorDeclinedAllOffers{ReasonCode: DeclineNotReady, At: at(10), Personal: &ReasonDetails{Text: "wants to wait"}})},
		{name: "declining after a choice", given: shown(offerA, choseA), when: DeclineAllOffers{ReasonCode: DeclineOther},
			then: events(SurvivorDeclinedAllOffers{ReasonCode: DeclineOther, At: at(10)})},
		{name: "declining a new offer after declining the earlier ones",
			given: shown(offerA, declinedAll, BankOfferMade{OfferID: "o-3", Bank: "org-bank", Product: ProductDebitCard, At: at(6)}),
			when:  DeclineAllOffers{ReasonCode: DeclineFeesTooHigh}, then: events(SurvivorDeclinedAllOffers{ReasonCode: DeclineFeesTooHigh, At: at(10)})},
		{name: "no offer made yet", given: shown(), when: DeclineAllOffers{ReasonCode: DeclineOther},
			wantErr: ErrInvalidTransition, wantMsg: "no bank has made an offer yet"},
		{name: "no reason code", given: shown(offerA), when: DeclineAllOffers{Reason: "fees"}, wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
		{name: "declined twice with no new offer", given: shown(offerA, declinedAll), when: DeclineAllOffers{ReasonCode: DeclineOther},
			wantErr: ErrInvalidTransition, wantMsg: "already declined every offer"},
	})
}

func TestOffersEvolve(t *testing.T) {
	statuses := func(c Case) map[string]OfferStatus {
		out := map[string]OfferStatus{}
		for id, o := range c.Offers {
			out[id] = o.Status
		}
		return out
	}
	offerC := BankOfferMade{OfferID: "o-3", Bank: "org-bank-2", Product: ProductSavingsAccount, At: at(7)}
	steps := []struct {
		name     string
		events   []Event
		want     map[string]OfferStatus
		chosen   string
		declined bool
	}{
		{"offers made are open", shown(offerA, offerB), map[string]OfferStatus{"o-1": OfferOpen, "o-2": OfferOpen}, "", false},
		{"a choice closes the others", shown(offerA, offerB, choseA), map[string]OfferStatus{"o-1": OfferChosen, "o-2": OfferNotChosen}, "o-1", false},
		{"a replaced choice", shown(offerA, offerB, choseA, SurvivorChoseOffer{OfferID: "o-2", Bank: "org-bank-2", At: at(6)}),
			map[string]OfferStatus{"o-1": OfferNotChosen, "o-2": OfferChosen}, "o-2", false},
		{"declining all after a choice", shown(offerA, offerB, choseA, declinedAll),
			map[string]OfferStatus{"o-1": OfferNotChosen, "o-2": OfferNotChosen}, "", true},
		{"a new offer after declining", shown(offerA, offerB, declinedAll, offerC),
			map[string]OfferStatus{"o-1": OfferNotChosen, "o-2": OfferNotChosen, "o-3": OfferOpen}, "", false},
	}
	for _, s := range steps {
		c := Fold(s.events)
		if got := statuses(c); !reflect.DeepEqual(got, s.want) || c.ChosenOffer != s.chosen || c.DeclinedAllOffers != s.declined {
			t.Errorf("%s: statuses %v chosen %q declined %v; want %v %q %v", s.name, got, c.ChosenOffer, c.DeclinedAllOffers, s.want, s.chosen, s.declined)
		}
	}
	want := BankOffer{OfferID: "o-1", Bank: "org-bank", Product: ProductBasicAccount, MonthlyFee: Money{Currency: "MXN"},
		AcceptedDocuments: []DocumentKind{DocCURP, DocINE}, AcceptsAlternativePack: true, Status: OfferOpen, MadeAt: at(4)}
	if got := Fold(shown(offerA)).Offers["o-1"]; !reflect.DeepEqual(got, want) {
		t.Errorf("offer state\n got %+v\nwant %+v", got, want)
	}
}
