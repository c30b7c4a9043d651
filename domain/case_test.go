package domain

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Fixed times: every test is deterministic.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at is t0 plus h hours; tests decide at at(10) unless they say otherwise.
func at(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

var (
	shelter  = OrgRef{ID: "org-shelter", Kind: OrgShelter, Jurisdiction: "MX"}
	ngo      = OrgRef{ID: "org-ngo", Kind: OrgNGO, Jurisdiction: "MX"}
	bank     = OrgRef{ID: "org-bank", Kind: OrgBank, Jurisdiction: "MX"}
	bank2    = OrgRef{ID: "org-bank-2", Kind: OrgBank, Jurisdiction: "MX"}
	bureau   = OrgRef{ID: "org-bureau", Kind: OrgCreditBureau, Jurisdiction: "MX"}
	idOffice = OrgRef{ID: "org-renapo", Kind: OrgIDOffice, Jurisdiction: "MX"}
	nextYear = t0.AddDate(1, 0, 0)
)

// Events the tables start from ("given").
var (
	referred = SurvivorReferred{ReferringOrganisation: "org-shelter", Jurisdiction: "MX",
		Needs: []Need{NeedIDDocument, NeedBankAccount}, Barriers: []Barrier{BarrierNoID},
		At: at(0), Personal: &SurvivorDetails{FullName: "Ana"}}
	bankGrant = ConsentGranted{GrantID: "g-bank", Recipient: "org-bank",
		Categories: []DataCategory{DataIdentity, DataBanking}, Purposes: []Purpose{PurposeBanking},
		ExpiresAt: nextYear, At: at(1)}
	bureauGrant = ConsentGranted{GrantID: "g-bureau", Recipient: "org-bureau",
		Categories: []DataCategory{DataIdentity, DataCredit}, Purposes: []Purpose{PurposeCreditRepair},
		ExpiresAt: nextYear, At: at(1)}
	docRequested = IDDocumentRequested{DocumentID: "doc-1", Kind: DocCURP, IssuingOrganisation: "org-renapo", At: at(2)}
	bankReferred = BankReferralMade{Bank: "org-bank", GrantID: "g-bank", At: at(3)}
	applied      = AccountApplicationSubmitted{Bank: "org-bank", Product: ProductBasicAccount, At: at(4)}
	disputeFiled = CreditDisputeFiled{DisputeID: "d-1", Bureau: "org-bureau", ItemCount: 3, At: at(5)}
	closed       = CaseClosed{Outcome: ClosureSurvivorWithdrew, At: at(6)}
)

func events(es ...Event) []Event { return es }

type caseTest struct {
	name      string
	given     []Event
	when      Command
	now       time.Time // zero: at(10)
	then      []Event
	thenStage Stage // if set: the stage after applying given and then
	wantErr   error
	wantMsg   string // if set: a substring of the error message
}

func runCaseTests(t *testing.T, tests []caseTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := tt.now
			if now.IsZero() {
				now = at(10)
			}
			state := Fold(tt.given)
			got, err := Decide(state, tt.when, now)

			if !reflect.DeepEqual(state, Fold(tt.given)) {
				t.Fatalf("Decide changed the state it was given")
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				var re *RuleError
				if !errors.As(err, &re) || re.Reason == "" {
					t.Errorf("error %v is not a *RuleError with a reason", err)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not say %q", err, tt.wantMsg)
				}
				if got != nil {
					t.Errorf("events = %#v alongside an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.then) {
				t.Fatalf("events\n got %#v\nwant %#v", got, tt.then)
			}
			after := Fold(append(append([]Event(nil), tt.given...), got...))
			if tt.thenStage != "" && after.Stage != tt.thenStage {
				t.Errorf("stage = %s, want %s", after.Stage, tt.thenStage)
			}
			if after.Version != uint64(len(tt.given)+len(got)) {
				t.Errorf("version = %d, want %d", after.Version, len(tt.given)+len(got))
			}
		})
	}
}

// allCaseCommands holds one valid-looking command of every kind, for the guards that
// apply to all of them.
func allCaseCommands() []Command {
	return []Command{
		GrantConsent{GrantID: "g-x", Recipient: bank, Categories: []DataCategory{DataBanking}, Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear},
		WithdrawConsent{GrantID: "g-bank"},
		RequestIDDocument{DocumentID: "doc-x", Kind: DocINE, IssuingOrganisation: idOffice},
		RecordIDDocumentObtained{DocumentID: "doc-1", DocumentNumber: "CURP123"},
		RecordIDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalNotEligible},
		ReferToBank{Bank: bank2},
		SubmitAccountApplication{Bank: bank, Product: ProductBasicAccount},
		RecordAccountOpened{Bank: bank, Product: ProductBasicAccount},
		RecordAccountDeclined{Bank: bank, ReasonCode: AccountInsufficientDocumentation},
		FileCreditDispute{DisputeID: "d-x", Bureau: bureau, ItemCount: 1},
		RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputeBlocked},
		AddCaseNote{NoteID: "n-x", Text: "called"},
		CloseCase{Outcome: ClosureOther},
		ReopenCase{ReasonCode: ReopenSurvivorReturned},
		EraseSurvivorData{ReasonCode: ErasureSurvivorRequest},
		RecordSubjectAccessRequest{RequestID: "sar-x", IdentityCheckedInPerson: true, FreeWillCheckedInPerson: true},
		MakeBankOffer{OfferID: "o-x", Bank: bank, Product: ProductBasicAccount, FeeCurrency: "MXN", FeeAmount: "0", AcceptedDocuments: []DocumentKind{DocCURP}},
		RecordSurvivorChoice{OfferID: "o-1"},
		DeclineAllOffers{ReasonCode: DeclineNotReady},
		ProvideDueDiligencePack{PackID: "p-x", Bank: bank, SignedLetter: true},
		RecordDueDiligenceDecision{PackID: "p-1", Accepted: true},
		RaiseSafeguardingConcern{ConcernID: "k-x", By: shelter, Bank: bank, Category: ConcernCoercion, Details: "x"},
		AcknowledgeSafeguardingConcern{ConcernID: "k-1", By: bank},
		ResolveSafeguardingConcern{ConcernID: "k-1", By: bank, Resolution: ResolutionSurvivorSafe},
		SetSafeContactRules{Allowed: []ContactChannel{ChannelThroughShelter}},
		RecordCreditReportObtained{ReportID: "r-x", Bureau: bureau},
		RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemBlocked},
		ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-1"}},
		IdentifyBarrier{Barrier: BarrierNoIncome},
		ResolveBarrier{Barrier: BarrierNoID},
		IdentifyNeed{Need: NeedShelter},
		MeetNeed{Need: NeedIDDocument},
		RequestCaseTransfer{TransferID: "t-x", Recipient: ngo, ReasonCode: TransferSurvivorRelocated},
		AcceptCaseTransfer{TransferID: "t-1", By: ngo},
		DeclineCaseTransfer{TransferID: "t-1", By: ngo, ReasonCode: TransferDeclineNoCapacity},
		CancelCaseTransfer{TransferID: "t-1"},
	}
}

func TestDecideGuards(t *testing.T) {
	tests := []caseTest{
		{name: "refer an already referred case", given: events(referred),
			when:    ReferSurvivor{ReferringOrganisation: ngo, Jurisdiction: "MX", Survivor: SurvivorDetails{FullName: "Ana"}},
			wantErr: ErrAlreadyExists},
		{name: "refer a closed case is still already referred", given: events(referred, closed),
			when:    ReferSurvivor{ReferringOrganisation: ngo, Jurisdiction: "MX", Survivor: SurvivorDetails{FullName: "Ana"}},
			wantErr: ErrAlreadyExists},
		{name: "an organisation command is not a case command", given: events(referred),
			when: RegisterOrganisation{Name: "Bank", Kind: OrgBank, Jurisdiction: "MX"}, wantErr: ErrInvalidInput},
		{name: "a nil command", given: events(referred), when: nil, wantErr: ErrInvalidInput},
	}
	for _, cmd := range allCaseCommands() {
		tests = append(tests, caseTest{
			name: "nothing before referral: " + cmd.CommandType(), when: cmd,
			wantErr: ErrCaseNotFound, wantMsg: "no survivor has been referred",
		})
		switch cmd.(type) {
		case ReopenCase, WithdrawConsent, EraseSurvivorData, RecordSubjectAccessRequest,
			DeclineCaseTransfer, CancelCaseTransfer: // transfer_test.go tries these on a closed case
			continue // less data flowing is allowed on a closed case too (TestLessDataFlowsOnAClosedCase)
		}
		tests = append(tests, caseTest{
			name:  "a closed case accepts only reopening: " + cmd.CommandType(),
			given: events(referred, bankGrant, bureauGrant, docRequested, bankReferred, applied, disputeFiled, closed),
			when:  cmd, wantErr: ErrInvalidTransition,
			wantMsg: mutationName(cmd.CommandType()) + ": the case is closed (survivor_withdrew); reopen it",
		})
	}
	runCaseTests(t, tests)

	// The guards are tried on every case command of the table.
	listed := map[reflect.Type]bool{}
	for _, cmd := range allCaseCommands() {
		listed[reflect.TypeOf(cmd)] = true
	}
	for typ := range theTable.commands {
		if !listed[typ] && typ != reflect.TypeFor[ReferSurvivor]() {
			t.Errorf("allCaseCommands has no %v: add a valid-looking one", typ)
		}
	}
}

func TestLessDataFlowsOnAClosedCase(t *testing.T) {
	erased := SurvivorDataErased{ReasonCode: ErasureSurvivorRequest, At: at(7)}
	runCaseTests(t, []caseTest{
		{name: "consent is withdrawn on a closed case", given: events(referred, bankGrant, closed),
			when: WithdrawConsent{GrantID: bankGrant.GrantID},
			then: events(ConsentWithdrawn{GrantID: bankGrant.GrantID, At: at(10)})},
		{name: "survivor data is erased on a closed case", given: events(referred, closed),
			when: EraseSurvivorData{ReasonCode: ErasureSurvivorRequest},
			then: events(SurvivorDataErased{ReasonCode: ErasureSurvivorRequest, At: at(10)})},
		{name: "survivor data is erased on an open case", given: events(referred),
			when: EraseSurvivorData{ReasonCode: ErasureLegalObligation},
			then: events(SurvivorDataErased{ReasonCode: ErasureLegalObligation, At: at(10)})},
		{name: "erasure needs a reason code", given: events(referred),
			when: EraseSurvivorData{}, wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
		{name: "erased twice", given: events(referred, erased),
			when: EraseSurvivorData{ReasonCode: ErasureOther}, wantErr: ErrInvalidTransition},
		{name: "no closing text after erasure", given: events(referred, erased),
			when: CloseCase{Outcome: ClosureOther, Reason: "she moved"}, wantErr: ErrInvalidTransition, wantMsg: "erased"},
		{name: "closing with a code alone after erasure", given: events(referred, erased),
			when: CloseCase{Outcome: ClosureOther}, then: events(CaseClosed{Outcome: ClosureOther, At: at(10)})},
		{name: "no reopening text after erasure", given: events(referred, erased, closed),
			when: ReopenCase{ReasonCode: ReopenOther, Reason: "she is back"}, wantErr: ErrInvalidTransition, wantMsg: "erased"},
		{name: "no note after erasure", given: events(referred, erased),
			when: AddCaseNote{NoteID: "n", Text: "hello"}, wantErr: ErrInvalidTransition, wantMsg: "erased"},
		{name: "no document number after erasure", given: events(referred, docRequested, erased),
			when: RecordIDDocumentObtained{DocumentID: docRequested.DocumentID, DocumentNumber: "X1"}, wantErr: ErrInvalidTransition},
		{name: "the journey goes on after erasure", given: events(referred, erased),
			when: RequestIDDocument{DocumentID: "doc-9", Kind: DocPassport, IssuingOrganisation: idOffice},
			then: events(IDDocumentRequested{DocumentID: "doc-9", Kind: DocPassport, IssuingOrganisation: "org-renapo", At: at(10)})},
		{name: "no free-text authority after erasure", given: events(referred, erased),
			when: RequestIDDocument{DocumentID: "doc-9", Kind: DocPassport, IssuingAuthority: "SRE"}, wantErr: ErrInvalidTransition},
	})
	if c := Fold(events(referred, erased)); !c.Erased {
		t.Error("Evolve does not record the erasure")
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

// Decide normalises the clock to UTC so stored times have one form.
func TestDecideStoresUTC(t *testing.T) {
	local := at(10).In(time.FixedZone("CST", -6*3600))
	got, err := Decide(Fold(events(referred)), AddCaseNote{NoteID: "n", Text: "x"}, local)
	if err != nil {
		t.Fatal(err)
	}
	if when := got[0].(CaseNoteAdded).At; when != when.UTC() || !when.Equal(local) {
		t.Fatalf("At = %v, want %v in UTC", when, local)
	}
}
