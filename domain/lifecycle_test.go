package domain

import (
	"strings"
	"testing"
)

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

// A survivor's request for her own record is recorded by the owning caseworker, once
// her identity and free will were checked in person; a closed or erased case takes it.
func TestRecordSubjectAccessRequest(t *testing.T) {
	checked := RecordSubjectAccessRequest{RequestID: "sar-1", IdentityCheckedInPerson: true, FreeWillCheckedInPerson: true}
	requested := SubjectAccessRequested{RequestID: "sar-1", IdentityCheckedInPerson: true, FreeWillCheckedInPerson: true, At: at(10)}
	erased := SurvivorDataErased{ReasonCode: ErasureSurvivorRequest, At: at(7)}
	runCaseTests(t, []caseTest{
		{name: "her request, checked in person", given: events(referred), when: checked, then: events(requested), thenStage: StageReferral},
		{name: "on a closed case", given: events(referred, closed), when: checked, then: events(requested)},
		{name: "on an erased case", given: events(referred, erased), when: checked, then: events(requested)},
		{name: "identity not checked", given: events(referred),
			when: RecordSubjectAccessRequest{RequestID: "sar-1", FreeWillCheckedInPerson: true}, wantErr: ErrInvalidInput, wantMsg: "identityCheckedInPerson:"},
		{name: "free will not checked", given: events(referred),
			when: RecordSubjectAccessRequest{RequestID: "sar-1", IdentityCheckedInPerson: true}, wantErr: ErrInvalidInput, wantMsg: "freeWillCheckedInPerson:"},
		{name: "no request id", given: events(referred),
			when: RecordSubjectAccessRequest{IdentityCheckedInPerson: true, FreeWillCheckedInPerson: true}, wantErr: ErrInvalidInput, wantMsg: "requestId:"},
		{name: "a case never referred", when: checked, wantErr: ErrCaseNotFound},
	})
	if p, ok := PerformerOf(checked, Fold(events(referred))); !ok || p.By != ByOwner {
		t.Error("a subject-access request is recorded by someone other than the owning caseworker")
	}
}
