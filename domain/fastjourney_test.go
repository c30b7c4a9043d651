package domain

import (
	"reflect"
	"testing"
)

// The whole FAST journey, as the Survivor Inclusion work follows it: a case shown to
// two banks, two offers, a corrected choice, an accepted due-diligence pack instead
// of ID, an account, a safeguarding concern raised and resolved, safe-contact rules,
// a credit report and a dispute decided item by item with a resubmission, barriers
// and needs that change on the way. Every command goes through Decide.
func TestFASTJourneyIsDecidable(t *testing.T) {
	cmds := []Command{
		ReferSurvivor{ReferringOrganisation: shelter, Jurisdiction: "MX",
			Needs:    []Need{NeedIDDocument, NeedBankAccount, NeedCreditRepair},
			Barriers: []Barrier{BarrierNoID, BarrierUnawareOfProducts}, Survivor: SurvivorDetails{FullName: "Ana"}},
		GrantConsent{GrantID: "g-bank", Recipient: bank, Categories: []DataCategory{DataIdentity, DataBanking}, Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear},
		GrantConsent{GrantID: "g-bank-2", Recipient: bank2, Categories: []DataCategory{DataBanking}, Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear},
		GrantConsent{GrantID: "g-bureau", Recipient: bureau, Categories: []DataCategory{DataIdentity, DataCredit}, Purposes: []Purpose{PurposeCreditRepair}, ExpiresAt: nextYear},
		SetSafeContactRules{Allowed: []ContactChannel{ChannelThroughShelter, ChannelInPerson}, Forbidden: []ContactChannel{ChannelPost},
			Notes: "never by post to the old address"},
		ReferToBank{Bank: bank},
		ReferToBank{Bank: bank2},
		MakeBankOffer{OfferID: "o-1", Bank: bank, Product: ProductBasicAccount, FeeCurrency: "MXN", FeeAmount: "0",
			AcceptedDocuments: []DocumentKind{DocCURP, DocINE}, AcceptsAlternativePack: true},
		MakeBankOffer{OfferID: "o-2", Bank: bank2, Product: ProductDebitCard, FeeCurrency: "MXN", FeeAmount: "25.00", AcceptedDocuments: []DocumentKind{DocPassport}},
		RecordSurvivorChoice{OfferID: "o-2"},
		RecordSurvivorChoice{OfferID: "o-1"},
		ProvideDueDiligencePack{PackID: "p-1", Bank: bank, SignedLetter: true, AccompaniedVisit: true, StaffName: "Lucía Pérez"},
		RecordDueDiligenceDecision{PackID: "p-1", Accepted: true},
		ResolveBarrier{Barrier: BarrierUnawareOfProducts},
		SubmitAccountApplication{Bank: bank, Product: ProductBasicAccount},
		RecordAccountOpened{Bank: bank, Product: ProductBasicAccount},
		MeetNeed{Need: NeedBankAccount},
		RaiseSafeguardingConcern{ConcernID: "k-1", By: bank, Bank: bank, Category: ConcernTraffickerControl, Details: "A man held her card at the counter."},
		AcknowledgeSafeguardingConcern{ConcernID: "k-1", By: shelter},
		ResolveSafeguardingConcern{ConcernID: "k-1", By: bank, Resolution: ResolutionAccountRestricted, Text: "card replaced"},
		RecordCreditReportObtained{ReportID: "r-1", Bureau: bureau},
		FileCreditDispute{DisputeID: "d-2", Bureau: bureau,
			Items: []DisputeItem{
				{ItemID: "i-1", Kind: ItemDebt, Creditor: "Financiera Norte", AccountReference: "FN-0042"},
				{ItemID: "i-2", Kind: ItemAccount},
			},
			Evidence: []EvidenceKind{EvidenceProofOfIdentity, EvidenceTraffickingDetermination}},
		RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemBlocked},
		RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemRefused, ReasonCode: DisputeInsufficientEvidence, Reason: "no determination letter"},
		ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-2"}, Evidence: []EvidenceKind{EvidencePoliceReport}},
		RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemBlocked},
		MeetNeed{Need: NeedCreditRepair},
		IdentifyNeed{Need: NeedFinancialTraining},
	}
	var c Case
	var all []Event
	for i, cmd := range cmds {
		got, err := Decide(c, cmd, at(i))
		if err != nil {
			t.Fatalf("step %d %s: %v", i, cmd.CommandType(), err)
		}
		if len(got) != 1 {
			t.Fatalf("step %d %s: %d events", i, cmd.CommandType(), len(got))
		}
		c = Evolve(c, got[0])
		all = append(all, got...)
	}
	if !reflect.DeepEqual(Fold(all), c) {
		t.Fatal("folding the events gives another state than evolving them one by one")
	}

	if c.Version != uint64(len(cmds)) || c.Stage != StageCreditRepair || c.Status != StatusOpen {
		t.Errorf("version %d stage %s status %s", c.Version, c.Stage, c.Status)
	}
	if c.ChosenOffer != "o-1" || c.Offers["o-1"].Status != OfferChosen || c.Offers["o-2"].Status != OfferNotChosen || c.DeclinedAllOffers {
		t.Errorf("offers %+v chosen %q", c.Offers, c.ChosenOffer)
	}
	if c.Packs["p-1"].Decision != PackAccepted || c.Applications["org-bank"].Status != ApplicationOpened {
		t.Errorf("pack %+v application %+v", c.Packs["p-1"], c.Applications["org-bank"])
	}
	if k := c.Concerns["k-1"]; k.Status != ConcernResolved || k.Resolution != ResolutionAccountRestricted || c.OpenConcernsFor("org-shelter") != nil {
		t.Errorf("concern %+v", k)
	}
	if r := c.ContactRules; r == nil || !reflect.DeepEqual(r.Allowed, []ContactChannel{ChannelThroughShelter, ChannelInPerson}) {
		t.Errorf("contact rules %+v", r)
	}
	if d := c.Disputes["d-2"]; d.Status != DisputeResolved || d.Outcome != DisputeBlocked || d.Resubmissions != 1 || d.ItemCount != 2 {
		t.Errorf("dispute %+v", d)
	}
	if _, ok := c.CreditReports["r-1"]; !ok {
		t.Error("no credit report")
	}
	if !reflect.DeepEqual(c.Barriers, []Barrier{BarrierNoID}) || c.BarrierHistory[BarrierUnawareOfProducts] != (BarrierSpan{IdentifiedAt: at(0), ResolvedAt: at(13)}) {
		t.Errorf("barriers %v history %v", c.Barriers, c.BarrierHistory)
	}
	if !reflect.DeepEqual(c.Needs, []Need{NeedIDDocument, NeedFinancialTraining}) || c.NeedHistory[NeedBankAccount].ResolvedAt != at(16) {
		t.Errorf("needs %v history %v", c.Needs, c.NeedHistory)
	}
}

// Commands that carry personal data are refused once the survivor's data was erased;
// the journey goes on without it.
func TestErasedCaseRefusesNewPersonalData(t *testing.T) {
	erased := SurvivorDataErased{ReasonCode: ErasureSurvivorRequest, At: at(6)}
	given := shown(bureauGrant, erased)
	items := func(creditor string) []DisputeItem {
		return []DisputeItem{{ItemID: "i-1", Kind: ItemDebt, Creditor: creditor}}
	}
	evidence := []EvidenceKind{EvidenceProofOfIdentity, EvidenceTraffickingDetermination}
	runCaseTests(t, []caseTest{
		{name: "no staff name after erasure", given: given,
			when:    ProvideDueDiligencePack{PackID: "p-1", Bank: bank, AccompaniedVisit: true, StaffName: "Lucía"},
			wantErr: ErrInvalidTransition, wantMsg: "provideDueDiligencePack: the survivor's data was erased"},
		{name: "a pack without a staff name goes on", given: given,
			when: ProvideDueDiligencePack{PackID: "p-1", Bank: bank, SignedLetter: true},
			then: events(DueDiligencePackProvided{PackID: "p-1", Bank: "org-bank", SignedLetter: true, At: at(10)})},
		{name: "no safeguarding concern after erasure", given: given,
			when:    RaiseSafeguardingConcern{ConcernID: "k-1", By: bank, Bank: bank, Category: ConcernOther, Details: "x"},
			wantErr: ErrInvalidTransition, wantMsg: "erased"},
		{name: "no contact notes after erasure", given: given,
			when:    SetSafeContactRules{Allowed: []ContactChannel{ChannelThroughShelter}, Notes: "not the old address"},
			wantErr: ErrInvalidTransition, wantMsg: "erased"},
		{name: "contact rules without notes go on", given: given,
			when: SetSafeContactRules{Allowed: []ContactChannel{ChannelThroughShelter}},
			then: events(SafeContactRulesSet{Allowed: []ContactChannel{ChannelThroughShelter}, At: at(10)})},
		{name: "no creditors after erasure", given: given,
			when:    FileCreditDispute{DisputeID: "d-2", Bureau: bureau, Items: items("Financiera Norte"), Evidence: evidence},
			wantErr: ErrInvalidTransition, wantMsg: "erased"},
		{name: "a dispute without creditors goes on", given: given,
			when: FileCreditDispute{DisputeID: "d-2", Bureau: bureau, Items: items(" "), Evidence: evidence},
			then: events(CreditDisputeFiled{DisputeID: "d-2", Bureau: "org-bureau", ItemCount: 1,
				Items: []DisputeItemFiled{{ItemID: "i-1", Kind: ItemDebt}}, Evidence: evidence, At: at(10)})},
		{name: "offers go on", given: given,
			when: MakeBankOffer{OfferID: "o-1", Bank: bank, Product: ProductBasicAccount, FeeCurrency: "MXN", FeeAmount: "0"},
			then: events(BankOfferMade{OfferID: "o-1", Bank: "org-bank", Product: ProductBasicAccount, MonthlyFee: Money{Currency: "MXN"}, At: at(10)})},
	})
}

func TestLaterEventsStages(t *testing.T) {
	for _, e := range laterEvents() {
		want := Stage("")
		switch e.(type) {
		case BankOfferMade, DueDiligencePackProvided, SafeguardingConcernRaised:
			want = StageAccountOpening
		case CreditReportObtained, CreditDisputeFiled, CreditDisputeItemDecided, CreditDisputeResubmitted:
			want = StageCreditRepair
		}
		spec, _ := EventSpecOf(e)
		if got := spec.Stage; got != want {
			t.Errorf("%s reaches stage %q, want %q", e.EventType(), got, want)
		}
	}
	// A credit report straight after referral moves the case to credit repair.
	if c := Fold(events(referred, bureauGrant, CreditReportObtained{ReportID: "r", Bureau: "org-bureau", At: at(2)})); c.Stage != StageCreditRepair {
		t.Errorf("stage %s", c.Stage)
	}
}
