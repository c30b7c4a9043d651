package domain

import (
	"reflect"
	"strings"
	"testing"
)

func TestMakeBankOffer(t *testing.T) {
	valid := MakeBankOffer{OfferID: "o-1", Bank: bank, Product: ProductBasicAccount, MonthlyFee: " MXN 0 ",
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
			when: MakeBankOffer{OfferID: "o-3", Bank: bank, Product: ProductSavingsAccount},
			then: events(BankOfferMade{OfferID: "o-3", Bank: "org-bank", Product: ProductSavingsAccount, At: at(10)})},
		{name: "a later product: a loan, accepting only a pack", given: shown(offerA),
			when: MakeBankOffer{OfferID: "o-3", Bank: bank2, Product: ProductLoan, MonthlyFee: "12% APR", AcceptsAlternativePack: true},
			then: events(BankOfferMade{OfferID: "o-3", Bank: "org-bank-2", Product: ProductLoan, MonthlyFee: "12% APR", AcceptsAlternativePack: true, At: at(10)})},
		{name: "after declining every offer, a new offer is allowed", given: shown(offerA, declinedAll),
			when: with(func(c *MakeBankOffer) { c.OfferID = "o-3"; c.Product = ProductBusinessAccount }),
			then: events(BankOfferMade{OfferID: "o-3", Bank: "org-bank", Product: ProductBusinessAccount, MonthlyFee: "MXN 0",
				AcceptedDocuments: []DocumentKind{DocCURP, DocINE}, AcceptsAlternativePack: true, At: at(10)})},
		{name: "a fee of exactly the maximum length", given: shown(),
			when: with(func(c *MakeBankOffer) {
				c.MonthlyFee = strings.Repeat("é", MaxMonthlyFeeLength)
				c.AcceptedDocuments = nil
			}),
			then: events(BankOfferMade{OfferID: "o-1", Bank: "org-bank", Product: ProductBasicAccount,
				MonthlyFee: strings.Repeat("é", MaxMonthlyFeeLength), AcceptsAlternativePack: true, At: at(10)})},

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
		{name: "fee too long", given: shown(), when: with(func(c *MakeBankOffer) { c.MonthlyFee = strings.Repeat("x", MaxMonthlyFeeLength+1) }),
			wantErr: ErrInvalidInput, wantMsg: "monthlyFee: the monthly fee is 101 characters long"},
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
		{name: "the survivor declines every offer", given: shown(offerA, offerB), when: DeclineAllOffers{Reason: " wants to wait "},
			then: events(SurvivorDeclinedAllOffers{Reason: "wants to wait", At: at(10)})},
		{name: "declining after a choice", given: shown(offerA, choseA), when: DeclineAllOffers{Reason: "changed her mind"},
			then: events(SurvivorDeclinedAllOffers{Reason: "changed her mind", At: at(10)})},
		{name: "declining a new offer after declining the earlier ones",
			given: shown(offerA, declinedAll, BankOfferMade{OfferID: "o-3", Bank: "org-bank", Product: ProductDebitCard, At: at(6)}),
			when:  DeclineAllOffers{Reason: "fees"}, then: events(SurvivorDeclinedAllOffers{Reason: "fees", At: at(10)})},
		{name: "no offer made yet", given: shown(), when: DeclineAllOffers{Reason: "x"},
			wantErr: ErrInvalidTransition, wantMsg: "no bank has made an offer yet"},
		{name: "no reason", given: shown(offerA), when: DeclineAllOffers{Reason: "  "}, wantErr: ErrInvalidInput, wantMsg: "reason:"},
		{name: "declined twice with no new offer", given: shown(offerA, declinedAll), when: DeclineAllOffers{Reason: "x"},
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
	want := BankOffer{OfferID: "o-1", Bank: "org-bank", Product: ProductBasicAccount, MonthlyFee: "MXN 0",
		AcceptedDocuments: []DocumentKind{DocCURP, DocINE}, AcceptsAlternativePack: true, Status: OfferOpen, MadeAt: at(4)}
	if got := Fold(shown(offerA)).Offers["o-1"]; !reflect.DeepEqual(got, want) {
		t.Errorf("offer state\n got %+v\nwant %+v", got, want)
	}
}
