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
		case ReopenCase, WithdrawConsent, EraseSurvivorData:
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
}

func TestReferSurvivor(t *testing.T) {
	valid := ReferSurvivor{
		ReferringOrganisation: shelter, Jurisdiction: "MX",
		Needs: []Need{NeedIDDocument, NeedBankAccount}, Barriers: []Barrier{BarrierNoID, BarrierNoIncome},
		Survivor: SurvivorDetails{FullName: "  Ana López ", Aliases: []string{" Anita ", " "}, DateOfBirth: "1998-07-14",
			Phone: " +52 55 0000 0000 ", Email: "ana@example.org", Address: "Calle 1"},
	}
	with := func(f func(*ReferSurvivor)) ReferSurvivor {
		c := valid
		f(&c)
		return c
	}
	tests := []caseTest{
		{name: "a shelter refers a survivor", when: valid, thenStage: StageReferral,
			then: events(SurvivorReferred{
				ReferringOrganisation: "org-shelter", Jurisdiction: "MX",
				Needs: []Need{NeedIDDocument, NeedBankAccount}, Barriers: []Barrier{BarrierNoID, BarrierNoIncome}, At: at(10),
				Personal: &SurvivorDetails{FullName: "Ana López", Aliases: []string{"Anita"}, DateOfBirth: "1998-07-14",
					Phone: "+52 55 0000 0000", Email: "ana@example.org", Address: "Calle 1"},
			})},
		{name: "an NGO refers with only a name", when: ReferSurvivor{ReferringOrganisation: ngo, Jurisdiction: "US", Survivor: SurvivorDetails{FullName: "B"}},
			then: events(SurvivorReferred{ReferringOrganisation: "org-ngo", Jurisdiction: "US", At: at(10), Personal: &SurvivorDetails{FullName: "B"}})},
		{name: "born today is not in the future", when: with(func(c *ReferSurvivor) { c.Survivor = SurvivorDetails{FullName: "Ana", DateOfBirth: "2026-03-02"} }),
			then: events(SurvivorReferred{ReferringOrganisation: "org-shelter", Jurisdiction: "MX",
				Needs: valid.Needs, Barriers: valid.Barriers, At: at(10), Personal: &SurvivorDetails{FullName: "Ana", DateOfBirth: "2026-03-02"}})},
		{name: "a bank cannot refer", when: with(func(c *ReferSurvivor) { c.ReferringOrganisation = bank }),
			wantErr: ErrWrongOrganisationKind, wantMsg: "only a shelter, an NGO or a government service can refer"},
		{name: "referring organisation without id", when: with(func(c *ReferSurvivor) { c.ReferringOrganisation = OrgRef{Kind: OrgShelter} }),
			wantErr: ErrInvalidInput},
		{name: "referring organisation not resolved", when: with(func(c *ReferSurvivor) { c.ReferringOrganisation = OrgRef{ID: "org-?"} }),
			wantErr: ErrUnknownOrganisation},
		{name: "empty jurisdiction", when: with(func(c *ReferSurvivor) { c.Jurisdiction = "" }), wantErr: ErrInvalidInput, wantMsg: "jurisdiction:"},
		{name: "lower-case jurisdiction", when: with(func(c *ReferSurvivor) { c.Jurisdiction = "mx" }), wantErr: ErrInvalidInput},
		{name: "three-letter jurisdiction", when: with(func(c *ReferSurvivor) { c.Jurisdiction = "MEX" }), wantErr: ErrInvalidInput},
		{name: "blank full name", when: with(func(c *ReferSurvivor) { c.Survivor.FullName = " \t" }),
			wantErr: ErrInvalidInput, wantMsg: "survivor.fullName: the survivor's full name is required"},
		{name: "unknown need", when: with(func(c *ReferSurvivor) { c.Needs = []Need{"money"} }), wantErr: ErrInvalidInput, wantMsg: "needs:"},
		{name: "duplicate need", when: with(func(c *ReferSurvivor) { c.Needs = []Need{NeedShelter, NeedShelter} }), wantErr: ErrInvalidInput, wantMsg: "twice"},
		{name: "unknown barrier", when: with(func(c *ReferSurvivor) { c.Barriers = []Barrier{"fear"} }), wantErr: ErrInvalidInput, wantMsg: "barriers:"},
		{name: "duplicate barrier", when: with(func(c *ReferSurvivor) { c.Barriers = []Barrier{BarrierNoID, BarrierNoID} }), wantErr: ErrInvalidInput},
		{name: "malformed date of birth", when: with(func(c *ReferSurvivor) { c.Survivor.DateOfBirth = "14/07/1998" }),
			wantErr: ErrInvalidInput, wantMsg: "survivor.dateOfBirth"},
		{name: "date of birth in the future", when: with(func(c *ReferSurvivor) { c.Survivor.DateOfBirth = "2026-03-03" }),
			wantErr: ErrInvalidInput, wantMsg: "future"},
	}
	runCaseTests(t, tests)
}

func TestGrantConsent(t *testing.T) {
	valid := GrantConsent{GrantID: "g-1", Recipient: bank,
		Categories: []DataCategory{DataIdentity, DataBanking}, Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear}
	with := func(f func(*GrantConsent)) GrantConsent {
		c := valid
		f(&c)
		return c
	}
	tests := []caseTest{
		{name: "the survivor lets a bank see identity and banking data for banking", given: events(referred), when: valid,
			then: events(ConsentGranted{GrantID: "g-1", Recipient: "org-bank", Categories: []DataCategory{DataIdentity, DataBanking},
				Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(10)})},
		{name: "any kind of organisation may receive consent", given: events(referred),
			when: with(func(c *GrantConsent) {
				c.Recipient = idOffice
				c.ExpiresAt = nextYear.In(time.FixedZone("CST", -6*3600))
			}),
			then: events(ConsentGranted{GrantID: "g-1", Recipient: "org-renapo", Categories: []DataCategory{DataIdentity, DataBanking},
				Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(10)})},
		{name: "no grant id", given: events(referred), when: with(func(c *GrantConsent) { c.GrantID = " " }), wantErr: ErrInvalidInput, wantMsg: "grantId:"},
		{name: "grant id already used", given: events(referred, bankGrant), when: with(func(c *GrantConsent) { c.GrantID = "g-bank" }),
			wantErr: ErrInvalidInput, wantMsg: "already used"},
		{name: "recipient without id", given: events(referred), when: with(func(c *GrantConsent) { c.Recipient = OrgRef{Kind: OrgBank} }),
			wantErr: ErrInvalidInput, wantMsg: "recipientOrganisationId:"},
		{name: "no categories", given: events(referred), when: with(func(c *GrantConsent) { c.Categories = nil }), wantErr: ErrInvalidInput, wantMsg: "categories:"},
		{name: "no purposes", given: events(referred), when: with(func(c *GrantConsent) { c.Purposes = []Purpose{} }), wantErr: ErrInvalidInput, wantMsg: "purposes:"},
		{name: "unknown category", given: events(referred), when: with(func(c *GrantConsent) { c.Categories = []DataCategory{"health"} }), wantErr: ErrInvalidInput},
		{name: "duplicate category", given: events(referred), when: with(func(c *GrantConsent) { c.Categories = []DataCategory{DataNotes, DataNotes} }), wantErr: ErrInvalidInput},
		{name: "unknown purpose", given: events(referred), when: with(func(c *GrantConsent) { c.Purposes = []Purpose{"marketing"} }), wantErr: ErrInvalidInput},
		{name: "duplicate purpose", given: events(referred), when: with(func(c *GrantConsent) { c.Purposes = []Purpose{PurposeBanking, PurposeBanking} }), wantErr: ErrInvalidInput},
		{name: "expires now", given: events(referred), when: with(func(c *GrantConsent) { c.ExpiresAt = at(10) }), wantErr: ErrInvalidInput, wantMsg: "expiresAt:"},
		{name: "expired already", given: events(referred), when: with(func(c *GrantConsent) { c.ExpiresAt = at(9) }), wantErr: ErrInvalidInput},
	}
	runCaseTests(t, tests)
}

func TestWithdrawConsent(t *testing.T) {
	withdrawn := ConsentWithdrawn{GrantID: "g-bank", At: at(5)}
	tests := []caseTest{
		{name: "the survivor withdraws a grant", given: events(referred, bankGrant), when: WithdrawConsent{GrantID: "g-bank"},
			then: events(ConsentWithdrawn{GrantID: "g-bank", At: at(10)})},
		{name: "an expired grant can still be withdrawn", given: events(referred, bankGrant), when: WithdrawConsent{GrantID: "g-bank"},
			now: nextYear.AddDate(0, 1, 0), then: events(ConsentWithdrawn{GrantID: "g-bank", At: nextYear.AddDate(0, 1, 0)})},
		{name: "no grant id", given: events(referred), when: WithdrawConsent{}, wantErr: ErrInvalidInput},
		{name: "unknown grant", given: events(referred, bankGrant), when: WithdrawConsent{GrantID: "g-nope"},
			wantErr: ErrInvalidInput, wantMsg: "unknown grant g-nope"},
		{name: "already withdrawn", given: events(referred, bankGrant, withdrawn), when: WithdrawConsent{GrantID: "g-bank"},
			wantErr: ErrInvalidTransition, wantMsg: "withdrawConsent: grant g-bank was already withdrawn on 2026-03-02"},
	}
	runCaseTests(t, tests)
}

func TestIDDocuments(t *testing.T) {
	obtained := IDDocumentObtained{DocumentID: "doc-1", At: at(4), Personal: &DocumentDetails{DocumentNumber: "CURP123"}}
	refused := IDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalMissingSupportingDocuments, At: at(4)}
	gov := OrgRef{ID: "org-sre", Kind: OrgGovernment, Jurisdiction: "MX"}
	tests := []caseTest{
		{name: "request a CURP from an ID office of the directory", given: events(referred), thenStage: StageIDRecovery,
			when: RequestIDDocument{DocumentID: "doc-1", Kind: DocCURP, IssuingOrganisation: idOffice},
			then: events(IDDocumentRequested{DocumentID: "doc-1", Kind: DocCURP, IssuingOrganisation: "org-renapo", At: at(10)})},
		{name: "a request after banking keeps the stage", given: events(referred, bankGrant, bankReferred), thenStage: StageAccountOpening,
			when: RequestIDDocument{DocumentID: "doc-2", Kind: DocPassport, IssuingOrganisation: gov},
			then: events(IDDocumentRequested{DocumentID: "doc-2", Kind: DocPassport, IssuingOrganisation: "org-sre", At: at(10)})},
		{name: "an authority not in the directory is named in free text, sealed", given: events(referred),
			when: RequestIDDocument{DocumentID: "doc-1", Kind: DocBirthCertificate, IssuingAuthority: " Registro Civil de Tlaxiaco "},
			then: events(IDDocumentRequested{DocumentID: "doc-1", Kind: DocBirthCertificate, At: at(10),
				Personal: &AuthorityDetails{IssuingAuthority: "Registro Civil de Tlaxiaco"}})},
		{name: "request without id", given: events(referred), when: RequestIDDocument{Kind: DocCURP, IssuingOrganisation: idOffice}, wantErr: ErrInvalidInput},
		{name: "request with a used id", given: events(referred, docRequested),
			when: RequestIDDocument{DocumentID: "doc-1", Kind: DocINE, IssuingOrganisation: idOffice}, wantErr: ErrInvalidInput, wantMsg: "already used"},
		{name: "request an unknown kind", given: events(referred),
			when: RequestIDDocument{DocumentID: "doc-1", Kind: "library_card", IssuingAuthority: "x"}, wantErr: ErrInvalidInput, wantMsg: "kind:"},
		{name: "request without authority", given: events(referred),
			when: RequestIDDocument{DocumentID: "doc-1", Kind: DocCURP, IssuingAuthority: "  "}, wantErr: ErrInvalidInput, wantMsg: "issuingOrganisationId:"},
		{name: "request naming the authority twice", given: events(referred),
			when: RequestIDDocument{DocumentID: "doc-1", Kind: DocCURP, IssuingOrganisation: idOffice, IssuingAuthority: "RENAPO"}, wantErr: ErrInvalidInput},
		{name: "a bank does not issue documents", given: events(referred),
			when: RequestIDDocument{DocumentID: "doc-1", Kind: DocCURP, IssuingOrganisation: bank}, wantErr: ErrWrongOrganisationKind},
		{name: "an issuing organisation that was not resolved", given: events(referred),
			when: RequestIDDocument{DocumentID: "doc-1", Kind: DocCURP, IssuingOrganisation: OrgRef{ID: "org-?"}}, wantErr: ErrUnknownOrganisation},

		{name: "document obtained", given: events(referred, docRequested),
			when: RecordIDDocumentObtained{DocumentID: "doc-1", DocumentNumber: " CURP123 "},
			then: events(IDDocumentObtained{DocumentID: "doc-1", At: at(10), Personal: &DocumentDetails{DocumentNumber: "CURP123"}})},
		{name: "obtained: unknown document", given: events(referred, docRequested),
			when: RecordIDDocumentObtained{DocumentID: "doc-9", DocumentNumber: "X"}, wantErr: ErrInvalidInput, wantMsg: "unknown document doc-9"},
		{name: "obtained: already obtained", given: events(referred, docRequested, obtained),
			when: RecordIDDocumentObtained{DocumentID: "doc-1", DocumentNumber: "X"}, wantErr: ErrInvalidTransition, wantMsg: "already obtained"},
		{name: "obtained: already refused", given: events(referred, docRequested, refused),
			when: RecordIDDocumentObtained{DocumentID: "doc-1", DocumentNumber: "X"}, wantErr: ErrInvalidTransition},
		{name: "obtained: no document number", given: events(referred, docRequested),
			when: RecordIDDocumentObtained{DocumentID: "doc-1"}, wantErr: ErrInvalidInput, wantMsg: "documentNumber:"},

		{name: "document refused", given: events(referred, docRequested),
			when: RecordIDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalMissingSupportingDocuments, Reason: " no birth record "},
			then: events(IDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalMissingSupportingDocuments, At: at(10),
				Personal: &ReasonDetails{Text: "no birth record"}})},
		{name: "refused: unknown document", given: events(referred),
			when: RecordIDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalOther}, wantErr: ErrInvalidInput},
		{name: "refused: already obtained", given: events(referred, docRequested, obtained),
			when: RecordIDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalOther}, wantErr: ErrInvalidTransition},
		{name: "refused: no reason code", given: events(referred, docRequested),
			when: RecordIDDocumentRefused{DocumentID: "doc-1", Reason: "no record"}, wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
		{name: "refused: a reason text over the limit", given: events(referred, docRequested),
			when:    RecordIDDocumentRefused{DocumentID: "doc-1", ReasonCode: RefusalOther, Reason: strings.Repeat("x", MaxReasonTextLength+1)},
			wantErr: ErrInvalidInput, wantMsg: "at most 2000"},
	}
	runCaseTests(t, tests)
}

func TestCaseNotesAndClosure(t *testing.T) {
	long := strings.Repeat("é", MaxNoteLength)
	tests := []caseTest{
		{name: "add a note", given: events(referred), when: AddCaseNote{NoteID: "n-1", Text: "  Met at the shelter.\n"},
			then: events(CaseNoteAdded{NoteID: "n-1", At: at(10), Personal: &NoteDetails{Text: "Met at the shelter."}})},
		{name: "a note of exactly the maximum length", given: events(referred), when: AddCaseNote{NoteID: "n-1", Text: long},
			then: events(CaseNoteAdded{NoteID: "n-1", At: at(10), Personal: &NoteDetails{Text: long}})},
		{name: "note without id", given: events(referred), when: AddCaseNote{Text: "x"}, wantErr: ErrInvalidInput, wantMsg: "noteId:"},
		{name: "blank note", given: events(referred), when: AddCaseNote{NoteID: "n-1", Text: " \n\t"}, wantErr: ErrInvalidInput, wantMsg: "text:"},
		{name: "note too long", given: events(referred), when: AddCaseNote{NoteID: "n-1", Text: long + "x"},
			wantErr: ErrInvalidInput, wantMsg: "at most 10000"},

		{name: "close the case", given: events(referred), when: CloseCase{Outcome: ClosureJourneyCompleted, Reason: " account open "},
			then: events(CaseClosed{Outcome: ClosureJourneyCompleted, At: at(10), Personal: &ReasonDetails{Text: "account open"}})},
		{name: "close the case with the outcome alone", given: events(referred), when: CloseCase{Outcome: ClosureLostContact},
			then: events(CaseClosed{Outcome: ClosureLostContact, At: at(10)})},
		{name: "close without an outcome", given: events(referred), when: CloseCase{}, wantErr: ErrInvalidInput, wantMsg: "outcome:"},
		{name: "close with an unknown outcome", given: events(referred), when: CloseCase{Outcome: "done"}, wantErr: ErrInvalidInput},
		{name: "close a closed case", given: events(referred, closed), when: CloseCase{Outcome: ClosureOther}, wantErr: ErrInvalidTransition},

		{name: "reopen a closed case", given: events(referred, closed), when: ReopenCase{ReasonCode: ReopenSurvivorReturned, Reason: "survivor came back"},
			then: events(CaseReopened{ReasonCode: ReopenSurvivorReturned, At: at(10), Personal: &ReasonDetails{Text: "survivor came back"}}), thenStage: StageReferral},
		{name: "reopen an open case", given: events(referred), when: ReopenCase{ReasonCode: ReopenOther},
			wantErr: ErrInvalidTransition, wantMsg: "reopenCase: the case is open"},
		{name: "reopen without a reason code", given: events(referred, closed), when: ReopenCase{Reason: "came back"}, wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
	}
	runCaseTests(t, tests)
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
