package domain

import (
	"reflect"
	"testing"
	"time"
)

// journey is a full journey: refer → consent → document → bank → opened → dispute →
// outcome → note → close → reopen.
func journey() []Event {
	return events(
		referred,
		bankGrant,
		bureauGrant,
		docRequested,
		IDDocumentObtained{DocumentID: "doc-1", At: at(3), Personal: &DocumentDetails{DocumentNumber: "CURP123"}},
		bankReferred,
		applied,
		BankAccountOpened{Bank: "org-bank", Product: ProductDebitCard, At: at(5)},
		disputeFiled,
		CreditDisputeResolved{DisputeID: "d-1", Outcome: DisputePartiallyBlocked, ReasonCode: DisputeItemNotFound, At: at(7),
			Personal: &ReasonDetails{Text: "2 of 3 blocked"}},
		CaseNoteAdded{NoteID: "n-1", At: at(8), Personal: &NoteDetails{Text: "Account works."}},
		CaseClosed{Outcome: ClosureJourneyCompleted, At: at(9)},
		CaseReopened{ReasonCode: ReopenNewNeed, At: at(10), Personal: &ReasonDetails{Text: "new debt found"}},
	)
}

func TestFoldFullJourney(t *testing.T) {
	got := Fold(journey())
	want := Case{
		Version:  13,
		Referred: true, OwnerOrganisation: "org-shelter", Jurisdiction: "MX",
		Needs: []Need{NeedIDDocument, NeedBankAccount}, Barriers: []Barrier{BarrierNoID},
		NeedHistory: Spans[Need]{
			{NeedIDDocument, NeedSpan{IdentifiedAt: at(0)}}, {NeedBankAccount, NeedSpan{IdentifiedAt: at(0)}},
		},
		BarrierHistory: Spans[Barrier]{{BarrierNoID, BarrierSpan{IdentifiedAt: at(0)}}},
		Stage:          StageCreditRepair, Status: StatusOpen,
		Grants: map[string]ConsentGrant{
			"g-bank": {ID: "g-bank", Recipient: "org-bank", Categories: []DataCategory{DataIdentity, DataBanking},
				Purposes: []Purpose{PurposeBanking}, GrantedAt: at(1), ExpiresAt: nextYear},
			"g-bureau": {ID: "g-bureau", Recipient: "org-bureau", Categories: []DataCategory{DataIdentity, DataCredit},
				Purposes: []Purpose{PurposeCreditRepair}, GrantedAt: at(1), ExpiresAt: nextYear},
		},
		Documents: map[string]IDDocument{
			"doc-1": {ID: "doc-1", Kind: DocCURP, IssuingOrganisation: "org-renapo", Status: DocumentObtained, RequestedAt: at(2), UpdatedAt: at(3)},
		},
		BankReferrals: map[string]BankReferral{"org-bank": {Bank: "org-bank", GrantID: "g-bank", At: at(3)}},
		Applications: map[string]AccountApplication{
			"org-bank": {Bank: "org-bank", Product: ProductDebitCard, Status: ApplicationOpened, SubmittedAt: at(4), UpdatedAt: at(5)},
		},
		Disputes: map[string]CreditDispute{
			"d-1": {ID: "d-1", Bureau: "org-bureau", ItemCount: 3, Status: DisputeResolved, Outcome: DisputePartiallyBlocked,
				ReasonCode: DisputeItemNotFound, FiledAt: at(5), ResolvedAt: at(7)},
		},
		NoteCount: 1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Fold(journey)\n got %+v\nwant %+v", got, want)
	}

	// Just before reopening, the case was closed with its outcome.
	j := journey()
	closedState := Fold(j[:len(j)-1])
	if closedState.Status != StatusClosed || closedState.ClosedOutcome != ClosureJourneyCompleted || closedState.Stage != StageCreditRepair {
		t.Fatalf("closed state = %s/%s/%s", closedState.Status, closedState.ClosedOutcome, closedState.Stage)
	}
}

// Every step of the journey must be something Decide would have produced: replaying
// it through Decide gives back the same events.
func TestJourneyIsDecidable(t *testing.T) {
	cmds := []Command{
		ReferSurvivor{ReferringOrganisation: shelter, Jurisdiction: "MX", Needs: []Need{NeedIDDocument, NeedBankAccount},
			Barriers: []Barrier{BarrierNoID}, Survivor: SurvivorDetails{FullName: "Ana"}},
		GrantConsent{GrantID: "g-bank", Recipient: bank, Categories: []DataCategory{DataIdentity, DataBanking}, Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear},
		GrantConsent{GrantID: "g-bureau", Recipient: bureau, Categories: []DataCategory{DataIdentity, DataCredit}, Purposes: []Purpose{PurposeCreditRepair}, ExpiresAt: nextYear},
		RequestIDDocument{DocumentID: "doc-1", Kind: DocCURP, IssuingOrganisation: idOffice},
		RecordIDDocumentObtained{DocumentID: "doc-1", DocumentNumber: "CURP123"},
		ReferToBank{Bank: bank},
		SubmitAccountApplication{Bank: bank, Product: ProductBasicAccount},
		RecordAccountOpened{Bank: bank, Product: ProductDebitCard},
		FileCreditDispute{DisputeID: "d-1", Bureau: bureau, ItemCount: 3},
		RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputePartiallyBlocked, ReasonCode: DisputeItemNotFound, Reason: "2 of 3 blocked"},
		AddCaseNote{NoteID: "n-1", Text: "Account works."},
		CloseCase{Outcome: ClosureJourneyCompleted},
		ReopenCase{ReasonCode: ReopenNewNeed, Reason: "new debt found"},
	}
	want := journey()
	var c Case
	for i, cmd := range cmds {
		got, err := Decide(c, cmd, eventAt(want[i]))
		if err != nil {
			t.Fatalf("step %d %s: %v", i, cmd.CommandType(), err)
		}
		if !reflect.DeepEqual(got, want[i:i+1]) {
			t.Fatalf("step %d %s:\n got %#v\nwant %#v", i, cmd.CommandType(), got, want[i])
		}
		c = Evolve(c, got[0])
	}
}

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
	if !reflect.DeepEqual(c.Barriers, []Barrier{BarrierNoID}) || c.BarrierHistory.Span(BarrierUnawareOfProducts) != (BarrierSpan{IdentifiedAt: at(0), ResolvedAt: at(13)}) {
		t.Errorf("barriers %v history %v", c.Barriers, c.BarrierHistory)
	}
	if !reflect.DeepEqual(c.Needs, []Need{NeedIDDocument, NeedFinancialTraining}) || c.NeedHistory.Span(NeedBankAccount).ResolvedAt != at(16) {
		t.Errorf("needs %v history %v", c.Needs, c.NeedHistory)
	}
}

func TestEvolveDoesNotChangeEarlierStates(t *testing.T) {
	before := Fold(events(referred, bankGrant, docRequested, bankReferred, applied, disputeFiled))
	snapshot := Fold(events(referred, bankGrant, docRequested, bankReferred, applied, disputeFiled))

	after := before
	for _, e := range events(
		ConsentWithdrawn{GrantID: "g-bank", At: at(7)},
		bureauGrant,
		IDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalNotEligible, At: at(7)},
		IDDocumentRequested{DocumentID: "doc-2", Kind: DocINE, IssuingOrganisation: "org-ine", At: at(7)},
		BankReferralMade{Bank: "org-bank-2", GrantID: "g-2", At: at(7)},
		AccountApplicationDeclined{Bank: "org-bank", ReasonCode: AccountDeclineOther, At: at(7)},
		CreditDisputeResolved{DisputeID: "d-1", Outcome: DisputeBlocked, At: at(7)},
		CaseNoteAdded{NoteID: "n", At: at(7), Personal: &NoteDetails{Text: "x"}},
		CaseClosed{Outcome: ClosureOther, At: at(8)},
	) {
		after = Evolve(after, e)
	}
	if !reflect.DeepEqual(before, snapshot) {
		t.Fatalf("evolving a copy changed the earlier state:\n got %+v\nwant %+v", before, snapshot)
	}
	if after.Grants["g-bank"].Withdrawn != true || after.Documents["doc-1"].Status != DocumentRefused ||
		after.Applications["org-bank"].Status != ApplicationDeclined || after.Disputes["d-1"].Status != DisputeResolved ||
		len(after.Documents) != 2 || len(after.BankReferrals) != 2 || len(after.Grants) != 2 || after.Status != StatusClosed {
		t.Fatalf("the new state did not change as expected: %+v", after)
	}

	// The state does not share slices with the events it came from either.
	e := SurvivorReferred{ReferringOrganisation: "o", Jurisdiction: "MX", Needs: []Need{NeedShelter}, At: at(0)}
	c := Evolve(Case{}, e)
	e.Needs[0] = NeedTransport
	if c.Needs[0] != NeedShelter {
		t.Fatalf("state aliases the event's slice")
	}
}

// Evolve applies the events of the table, as values. Anything else (an event of
// another aggregate, a pointer to an event, nil) only counts: Version stays the
// number of events in the stream.
func TestEvolveOnlyCountsWhatIsNotACaseEvent(t *testing.T) {
	c := Evolve(Fold(events(referred)), OrganisationRegistered{Name: "x"})
	if c.Version != 2 || c.Stage != StageReferral {
		t.Fatalf("an event the case does not use must still count: %+v", c)
	}
	closedCase := Fold(events(referred))
	for _, e := range []Event{&CaseClosed{Outcome: ClosureOther}, (*CaseClosed)(nil), nil} {
		if c := Evolve(closedCase, e); c.Version != 2 || c.Status != StatusOpen {
			t.Fatalf("Evolve(%#v) must only count: %+v", e, c)
		}
	}
}

// The maps the later journey steps added are copied on write too.
func TestEvolveLaterMapsCopyOnWrite(t *testing.T) {
	given := shown(bureauGrant, offerA, offerB, packProvided, concernRaised, itemDispute,
		CreditReportObtained{ReportID: "r-1", Bureau: "org-bureau", At: at(5)},
		SafeContactRulesSet{Allowed: []ContactChannel{ChannelSMS}, At: at(5)},
		BarrierIdentified{Barrier: BarrierNoIncome, At: at(5)})
	before, snapshot := Fold(given), Fold(given)

	after := before
	for _, e := range events(
		choseA, declinedAll, packAccepted, concernAcked,
		SafeguardingConcernResolved{ConcernID: "k-1", By: "org-bank", Resolution: ResolutionOther, At: at(7)},
		item1Blocked, item2Refused,
		CreditDisputeResubmitted{DisputeID: "d-2", ItemIDs: []string{"i-2"}, Evidence: []EvidenceKind{EvidencePoliceReport}, At: at(7)},
		CreditReportObtained{ReportID: "r-2", Bureau: "org-bureau", At: at(7)},
		SafeContactRulesSet{Allowed: []ContactChannel{ChannelEmail}, At: at(7)},
		BarrierResolved{Barrier: BarrierNoID, At: at(7)},
		BarrierIdentified{Barrier: BarrierNeedsTransport, At: at(7)},
		NeedMet{Need: NeedIDDocument, At: at(7)},
		NeedIdentified{Need: NeedShelter, At: at(7)},
		BankOfferMade{OfferID: "o-3", Bank: "org-bank", Product: ProductLoan, At: at(8)},
	) {
		after = Evolve(after, e)
	}
	if !reflect.DeepEqual(before, snapshot) {
		t.Fatalf("evolving a copy changed the earlier state:\n got %+v\nwant %+v", before, snapshot)
	}
	if after.Offers["o-1"].Status != OfferNotChosen || after.Offers["o-3"].Status != OfferOpen || len(after.Offers) != 3 ||
		after.Packs["p-1"].Decision != PackAccepted || after.Concerns["k-1"].Status != ConcernResolved ||
		after.Disputes["d-2"].Items["i-2"].Outcome != ItemPending || after.Disputes["d-2"].Resubmissions != 1 ||
		len(after.Disputes["d-2"].Evidence) != 3 || len(after.CreditReports) != 2 ||
		after.ContactRules.Allowed[0] != ChannelEmail || after.BarrierHistory.Span(BarrierNoID).ResolvedAt != at(7) ||
		len(after.Barriers) != 2 || len(after.Needs) != 2 || after.NeedHistory.Span(NeedShelter).IdentifiedAt != at(7) {
		t.Fatalf("the new state did not change as expected: %+v", after)
	}
}

func TestStageRank(t *testing.T) {
	for i, s := range AllStage() {
		if s.Rank() != i+1 {
			t.Errorf("%s.Rank() = %d, want %d", s, s.Rank(), i+1)
		}
	}
	if Stage("").Rank() != 0 || Stage("closure").Rank() != 0 {
		t.Errorf("unknown stages must rank 0")
	}
	if furthest(StageCreditRepair, StageIDRecovery) != StageCreditRepair || furthest(StageReferral, StageAccountOpening) != StageAccountOpening {
		t.Errorf("stages must only move forward")
	}
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

// eventAt reads the At every event carries.
func eventAt(e Event) time.Time {
	return reflect.ValueOf(e).FieldByName("At").Interface().(time.Time)
}
