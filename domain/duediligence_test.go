package domain

import "testing"

func TestProvideDueDiligencePack(t *testing.T) {
	valid := ProvideDueDiligencePack{PackID: "p-1", Bank: bank, SignedLetter: true, AccompaniedVisit: true, StaffName: " Lucía Pérez "}
	with := func(f func(*ProvideDueDiligencePack)) ProvideDueDiligencePack {
		c := valid
		f(&c)
		return c
	}
	want := packProvided
	want.At = at(10)
	withdrawn := ConsentWithdrawn{GrantID: "g-bank", At: at(5)}

	runCaseTests(t, []caseTest{
		{name: "a letter and an accompanied visit by a named staff member", given: shown(), when: valid,
			then: events(want), thenStage: StageAccountOpening},
		{name: "only the organisation's address for correspondence: nothing personal", given: shown(),
			when: ProvideDueDiligencePack{PackID: "p-2", Bank: bank2, CorrespondenceAddress: true},
			then: events(DueDiligencePackProvided{PackID: "p-2", Bank: "org-bank-2", CorrespondenceAddress: true, At: at(10)})},
		{name: "a new pack after a rejected one", given: shown(packProvided, packRejected),
			when: ProvideDueDiligencePack{PackID: "p-2", Bank: bank, SignedLetter: true, CorrespondenceAddress: true},
			then: events(DueDiligencePackProvided{PackID: "p-2", Bank: "org-bank", SignedLetter: true, CorrespondenceAddress: true, At: at(10)})},

		{name: "a pack holds at least one element", given: shown(), when: ProvideDueDiligencePack{PackID: "p-1", Bank: bank},
			wantErr: ErrInvalidInput, wantMsg: "provideDueDiligencePack: a pack holds at least one of"},
		{name: "an accompanied visit names the staff member", given: shown(), when: with(func(c *ProvideDueDiligencePack) { c.StaffName = "  " }),
			wantErr: ErrInvalidInput, wantMsg: "staffName: name the staff member"},
		{name: "a staff member is named only for a visit", given: shown(), when: with(func(c *ProvideDueDiligencePack) { c.AccompaniedVisit = false }),
			wantErr: ErrInvalidInput, wantMsg: "staffName: a staff member is named only for an accompanied visit"},
		{name: "no pack id", given: shown(), when: with(func(c *ProvideDueDiligencePack) { c.PackID = "" }), wantErr: ErrInvalidInput, wantMsg: "packId:"},
		{name: "pack id already used", given: shown(packProvided), when: valid, wantErr: ErrInvalidInput, wantMsg: "pack id p-1 is already used"},
		{name: "not a bank", given: shown(), when: with(func(c *ProvideDueDiligencePack) { c.Bank = bureau }), wantErr: ErrWrongOrganisationKind},
		{name: "a bank the case was not shown to", given: events(referred, bankGrant), when: valid,
			wantErr: ErrInvalidTransition, wantMsg: "not referred to bank org-bank"},
		{name: "consent to the bank withdrawn", given: shown(withdrawn), when: valid, wantErr: ErrConsentRequired},
	})
}

func TestRecordDueDiligenceDecision(t *testing.T) {
	given := shown(packProvided)
	runCaseTests(t, []caseTest{
		{name: "the bank accepts the pack", given: given, when: RecordDueDiligenceDecision{PackID: "p-1", Accepted: true},
			then: events(DueDiligencePackAccepted{PackID: "p-1", Bank: "org-bank", At: at(10)})},
		{name: "a reason given with an acceptance is refused", given: given, when: RecordDueDiligenceDecision{PackID: "p-1", Accepted: true, Reason: "fine"},
			wantErr: ErrInvalidInput, wantMsg: "only when the pack is rejected"},
		{name: "the bank rejects the pack with a reason", given: given,
			when: RecordDueDiligenceDecision{PackID: "p-1", ReasonCode: PackInsufficientEvidence, Reason: " letter unsigned "},
			then: events(DueDiligencePackRejected{PackID: "p-1", Bank: "org-bank", ReasonCode: PackInsufficientEvidence, At: at(10),
				Personal: &ReasonDetails{Text: "letter unsigned"}})},
		{name: "a decision is recorded even after consent was withdrawn", given: append(given, ConsentWithdrawn{GrantID: "g-bank", At: at(5)}),
			when: RecordDueDiligenceDecision{PackID: "p-1", Accepted: true},
			then: events(DueDiligencePackAccepted{PackID: "p-1", Bank: "org-bank", At: at(10)})},
		{name: "rejected without a reason code", given: given, when: RecordDueDiligenceDecision{PackID: "p-1"},
			wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
		{name: "no pack id", given: given, when: RecordDueDiligenceDecision{Accepted: true}, wantErr: ErrInvalidInput, wantMsg: "packId:"},
		{name: "unknown pack", given: given, when: RecordDueDiligenceDecision{PackID: "p-9", Accepted: true},
			wantErr: ErrInvalidInput, wantMsg: "unknown due-diligence pack p-9"},
		{name: "already accepted", given: append(given, packAccepted), when: RecordDueDiligenceDecision{PackID: "p-1", ReasonCode: PackRejectionOther},
			wantErr: ErrInvalidTransition, wantMsg: "pack p-1 was already accepted by bank org-bank"},
		{name: "already rejected", given: append(given, packRejected), when: RecordDueDiligenceDecision{PackID: "p-1", Accepted: true},
			wantErr: ErrInvalidTransition, wantMsg: "already rejected"},
	})
}

// No account opening without an accepted ID document or an accepted pack.
func TestAccountOpeningNeedsAcceptedIDOrPack(t *testing.T) {
	open := RecordAccountOpened{Bank: bank, Product: ProductBasicAccount}
	opened := events(BankAccountOpened{Bank: "org-bank", Product: ProductBasicAccount, At: at(10)})
	refused := IDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalNotEligible, At: at(3)}
	passportOnly := BankOfferMade{OfferID: "o-9", Bank: "org-bank", Product: ProductBasicAccount,
		AcceptedDocuments: []DocumentKind{DocPassport}, At: at(5)}
	bank2Pack := DueDiligencePackProvided{PackID: "p-2", Bank: "org-bank-2", SignedLetter: true, At: at(4)}
	bank2PackAccepted := DueDiligencePackAccepted{PackID: "p-2", Bank: "org-bank-2", At: at(5)}
	// given builds a case shown to both banks with an application at org-bank.
	given := func(es ...Event) []Event { return shown(append(es, applied)...) }
	const noID = "recordAccountOpened: no accepted ID document or due-diligence pack for bank org-bank"

	runCaseTests(t, []caseTest{
		{name: "an obtained document when the bank made no offer", given: given(docRequested, docObtained), when: open, then: opened},
		{name: "an obtained document of a kind the bank's offer accepts", given: given(docRequested, docObtained, offerA), when: open, then: opened},
		{name: "an accepted pack instead of ID", given: given(packProvided, packAccepted), when: open, then: opened},
		{name: "the latest offer counts", given: given(docRequested, docObtained, passportOnly,
			BankOfferMade{OfferID: "o-10", Bank: "org-bank", Product: ProductBasicAccount, AcceptedDocuments: []DocumentKind{DocCURP}, At: at(6)}),
			when: open, then: opened},
		{name: "another bank's offer does not count", given: given(docRequested, docObtained, offerB), when: open, then: opened},

		{name: "no document and no pack", given: given(), when: open, wantErr: ErrInvalidTransition, wantMsg: noID},
		{name: "a document requested but not obtained", given: given(docRequested), when: open, wantErr: ErrInvalidTransition, wantMsg: noID},
		{name: "a refused document", given: given(docRequested, refused), when: open, wantErr: ErrInvalidTransition, wantMsg: noID},
		{name: "a document of a kind the bank's latest offer does not accept", given: given(docRequested, docObtained, offerA, passportOnly),
			when: open, wantErr: ErrInvalidTransition, wantMsg: noID},
		{name: "a pack still pending", given: given(packProvided), when: open, wantErr: ErrInvalidTransition, wantMsg: noID},
		{name: "a rejected pack", given: given(packProvided, packRejected), when: open, wantErr: ErrInvalidTransition, wantMsg: noID},
		{name: "a pack accepted by another bank", given: given(bank2Pack, bank2PackAccepted), when: open, wantErr: ErrInvalidTransition, wantMsg: noID},
		{name: "the referral rule still comes first", given: given(docRequested, docObtained), when: RecordAccountOpened{Bank: OrgRef{ID: "org-bank-3", Kind: OrgBank}, Product: ProductBasicAccount},
			wantErr: ErrInvalidTransition, wantMsg: "account opening only at a bank the case was referred to"},
	})
}

func TestAcceptsForOpening(t *testing.T) {
	// Two offers made at the same instant: the greater id is the latest, whatever the
	// map order.
	same := BankOfferMade{OfferID: "o-0", Bank: "org-bank", Product: ProductBasicAccount, AcceptedDocuments: []DocumentKind{DocCURP}, At: at(4)}
	sameLater := BankOfferMade{OfferID: "o-5", Bank: "org-bank", Product: ProductBasicAccount, AcceptedDocuments: []DocumentKind{DocINE}, At: at(4)}
	c := Fold(shown(docRequested, docObtained, same, sameLater))
	for range 20 {
		if c.AcceptsForOpening("org-bank") {
			t.Fatal("o-5 (INE only) is the latest offer; a CURP must not do")
		}
	}
	if !c.AcceptsForOpening("org-bank-2") {
		t.Error("org-bank-2 made no offer: any obtained document does")
	}
	if (Case{}).AcceptsForOpening("org-bank") {
		t.Error("an empty case has nothing to identify the survivor with")
	}
	p := Fold(shown(packProvided, packAccepted)).Packs["p-1"]
	if want := (DueDiligencePack{PackID: "p-1", Bank: "org-bank", SignedLetter: true, AccompaniedVisit: true,
		Decision: PackAccepted, ProvidedAt: at(4), DecidedAt: at(5)}); p != want {
		t.Errorf("pack state\n got %+v\nwant %+v", p, want)
	}
	if r := Fold(shown(packProvided, packRejected)).Packs["p-1"]; r.Decision != PackRejected || r.ReasonCode != PackInsufficientEvidence {
		t.Errorf("rejected pack state %+v", r)
	}
}
