package domain

import (
	"slices"
	"time"
)

// The case's lifecycle: case notes, closure with an outcome, reopening, and the
// erasure of the survivor's personal data. A closed case accepts only reopening and
// what lets less data flow (withdrawing consent, erasure); an erased case keeps its
// journey facts but accepts no new personal data (Decide refuses it).

// ClosureOutcome is why a case was closed. ClosureTransferred stays for the cases
// closed that way before transfers existed, and their history; a case now moves to
// another organisation with RequestCaseTransfer (transfer.go), which keeps the
// survivor in one case instead of splitting her into two.
type ClosureOutcome string

const (
	ClosureJourneyCompleted ClosureOutcome = "journey_completed"
	ClosureSurvivorWithdrew ClosureOutcome = "survivor_withdrew"
	ClosureLostContact      ClosureOutcome = "lost_contact"
	ClosureTransferred      ClosureOutcome = "transferred"
	ClosureOther            ClosureOutcome = "other"
)

func AllClosureOutcome() []ClosureOutcome {
	return []ClosureOutcome{ClosureJourneyCompleted, ClosureSurvivorWithdrew, ClosureLostContact, ClosureTransferred, ClosureOther}
}

func (x ClosureOutcome) Valid() bool { return slices.Contains(AllClosureOutcome(), x) }

// ReopenReason is why a closed case was opened again.
type ReopenReason string

const (
	ReopenSurvivorReturned ReopenReason = "survivor_returned"
	ReopenClosedInError    ReopenReason = "closed_in_error"
	ReopenNewNeed          ReopenReason = "new_need"
	ReopenOther            ReopenReason = "other"
)

func AllReopenReason() []ReopenReason {
	return []ReopenReason{ReopenSurvivorReturned, ReopenClosedInError, ReopenNewNeed, ReopenOther}
}

func (x ReopenReason) Valid() bool { return slices.Contains(AllReopenReason(), x) }

// ErasureReason is why a survivor's personal data was erased. It has no free text:
// the text could only be sealed with the key the erasure destroys.
type ErasureReason string

const (
	ErasureSurvivorRequest  ErasureReason = "survivor_request"
	ErasureRetentionPolicy  ErasureReason = "retention_policy"
	ErasureLegalObligation  ErasureReason = "legal_obligation"
	ErasureConsentWithdrawn ErasureReason = "consent_withdrawn"
	ErasureOther            ErasureReason = "other"
)

func AllErasureReason() []ErasureReason {
	return []ErasureReason{ErasureSurvivorRequest, ErasureRetentionPolicy, ErasureLegalObligation,
		ErasureConsentWithdrawn, ErasureOther}
}

func (x ErasureReason) Valid() bool { return slices.Contains(AllErasureReason(), x) }

// NoteDetails is a case note's text, personal because case workers write about the
// survivor in it.
type NoteDetails struct {
	Text string `json:"text"`
}

// ---- Commands and events -----------------------------------------------------------

type AddCaseNote struct {
	NoteID string `waymark:"new"`
	Text   string
}

type CloseCase struct {
	Outcome ClosureOutcome
	Reason  string // optional text
}

type ReopenCase struct {
	ReasonCode ReopenReason
	Reason     string // optional text
}

// EraseSurvivorData erases the survivor's personal data for good.
type EraseSurvivorData struct {
	ReasonCode ErasureReason
}

// RecordSubjectAccessRequest records that the survivor asked for her own record (a
// subject-access request). Traffickers coerce survivors into making such requests,
// so only the owning organisation's caseworker records one, stating that she checked
// the survivor's identity and her free will in person; the record is then handed to
// the survivor through that caseworker, never sent to a contact address.
type RecordSubjectAccessRequest struct {
	RequestID               string `waymark:"new"`
	IdentityCheckedInPerson bool
	FreeWillCheckedInPerson bool
}

// SubjectAccessRequested: the survivor asked for her own record, in person, with her
// identity and free will checked by the owning caseworker.
type SubjectAccessRequested struct {
	RequestID               string    `json:"requestId" waymark:"id"`
	IdentityCheckedInPerson bool      `json:"identityCheckedInPerson"`
	FreeWillCheckedInPerson bool      `json:"freeWillCheckedInPerson"`
	At                      time.Time `json:"at"`
}

// CaseNoteAdded: a case worker wrote a note.
type CaseNoteAdded struct {
	NoteID   string       `json:"noteId" waymark:"id"`
	At       time.Time    `json:"at"`
	Personal *NoteDetails `json:"personal,omitempty"`
}

// CaseClosed: the case was closed with an outcome (the code) and optionally a text
// saying more.
type CaseClosed struct {
	Outcome  ClosureOutcome `json:"outcome"`
	At       time.Time      `json:"at"`
	Personal *ReasonDetails `json:"personal,omitempty"`
}

// CaseReopened: a closed case was opened again; its stage is kept.
type CaseReopened struct {
	ReasonCode ReopenReason   `json:"reasonCode"`
	At         time.Time      `json:"at"`
	Personal   *ReasonDetails `json:"personal,omitempty"`
}

// SurvivorDataErased: the survivor's personal data was erased (its key destroyed).
// The journey facts stay, so statistics and the audit chain survive. The reason is a
// code only: a text could only be sealed with the key that is gone.
type SurvivorDataErased struct {
	ReasonCode ErasureReason `json:"reasonCode"`
	At         time.Time     `json:"at"`
}

func (AddCaseNote) CommandType() string       { return "AddCaseNote" }
func (CloseCase) CommandType() string         { return "CloseCase" }
func (ReopenCase) CommandType() string        { return "ReopenCase" }
func (EraseSurvivorData) CommandType() string { return "EraseSurvivorData" }
func (RecordSubjectAccessRequest) CommandType() string {
	return "RecordSubjectAccessRequest"
}

func (CaseNoteAdded) EventType() string      { return "CaseNoteAdded" }
func (CaseClosed) EventType() string         { return "CaseClosed" }
func (CaseReopened) EventType() string       { return "CaseReopened" }
func (SurvivorDataErased) EventType() string { return "SurvivorDataErased" }
func (SubjectAccessRequested) EventType() string {
	return "SubjectAccessRequested"
}

// ---- Table -------------------------------------------------------------------------

func lifecycleConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[AddCaseNote]{decide: decideAddCaseNote}.spec(),
			caseCommand[CloseCase]{decide: decideCloseCase}.spec(),
			// Reopening is what a closed case is for; its rule refuses an open one.
			caseCommand[ReopenCase]{on: onAnyCase, decide: decideReopenCase}.spec(),
			// A survivor may have her data erased at any time, closed case or not.
			caseCommand[EraseSurvivorData]{on: onAnyCase, decide: decideEraseSurvivorData,
				by: func(EraseSurvivorData, Case) Performer { return Performer{By: ByOwnerOrAdmin} }}.spec(),
			// Her right to her own record survives the case's closure.
			caseCommand[RecordSubjectAccessRequest]{on: onAnyCase, decide: decideSubjectAccessRequest}.spec(),
		},
		events: []EventSpec{
			caseEvent[CaseNoteAdded]{evolve: evolveCaseNoteAdded, fast: decodeCaseNoteAddedFast}.spec(),
			caseEvent[CaseClosed]{evolve: evolveCaseClosed}.spec(),
			caseEvent[CaseReopened]{evolve: evolveCaseReopened}.spec(),
			caseEvent[SurvivorDataErased]{evolve: evolveSurvivorDataErased}.spec(),
			// The request changes nothing the case decides on: the export reads it.
			caseEvent[SubjectAccessRequested]{evolve: func(c Case, _ SubjectAccessRequested) Case { return c }}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideAddCaseNote(_ Case, cmd AddCaseNote, now time.Time) ([]Event, error) {
	if err := checkID("noteId", cmd.NoteID); err != nil {
		return nil, err
	}
	text, err := cleanText("text", cmd.Text, noteRule)
	if err != nil {
		return nil, err
	}
	return one(CaseNoteAdded{NoteID: cmd.NoteID, At: now, Personal: &NoteDetails{Text: text}})
}

func decideCloseCase(_ Case, cmd CloseCase, now time.Time) ([]Event, error) {
	if err := checkCode("outcome", cmd.Outcome, "closure outcome"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	return one(CaseClosed{Outcome: cmd.Outcome, At: now, Personal: text})
}

// decideReopenCase runs on closed cases too: it is the one command a closed case
// accepts. Reopening needs a reason because it undoes a decision someone recorded.
func decideReopenCase(c Case, cmd ReopenCase, now time.Time) ([]Event, error) {
	if err := checkCode("reasonCode", cmd.ReasonCode, "reason for reopening"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	if c.Status != StatusClosed {
		return nil, transition("the case is open; only a closed case can be reopened")
	}
	return one(CaseReopened{ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

// decideSubjectAccessRequest records a survivor's request for her own record, only
// once her identity and free will were checked in person.
func decideSubjectAccessRequest(_ Case, cmd RecordSubjectAccessRequest, now time.Time) ([]Event, error) {
	if err := checkID("requestId", cmd.RequestID); err != nil {
		return nil, err
	}
	if !cmd.IdentityCheckedInPerson {
		return nil, invalid("identityCheckedInPerson", "check the survivor's identity in person before recording her request")
	}
	if !cmd.FreeWillCheckedInPerson {
		return nil, invalid("freeWillCheckedInPerson", "check in person, with her alone, that she asks of her own free will before recording her request")
	}
	return one(SubjectAccessRequested{RequestID: cmd.RequestID, IdentityCheckedInPerson: true, FreeWillCheckedInPerson: true, At: now})
}

func decideEraseSurvivorData(c Case, cmd EraseSurvivorData, now time.Time) ([]Event, error) {
	if err := checkCode("reasonCode", cmd.ReasonCode, "reason for the erasure"); err != nil {
		return nil, err
	}
	if c.Erased {
		return nil, transition("the survivor's data was already erased")
	}
	return one(SurvivorDataErased{ReasonCode: cmd.ReasonCode, At: now})
}

// erasedTransition rejects new personal data on a case whose survivor data was erased:
// there is no key left to seal it with, and the survivor asked for it to be gone.
func erasedTransition() error {
	return transition("the survivor's data was erased; no personal data can be recorded on this case")
}

// ---- Evolve ------------------------------------------------------------------------

func evolveCaseNoteAdded(c Case, _ CaseNoteAdded) Case {
	c.NoteCount++
	return c
}

func evolveCaseClosed(c Case, e CaseClosed) Case {
	c.Status, c.ClosedOutcome = StatusClosed, e.Outcome
	return c
}

// evolveCaseReopened opens the case again; its stage is kept.
func evolveCaseReopened(c Case, _ CaseReopened) Case {
	c.Status, c.ClosedOutcome = StatusOpen, ""
	return c
}

func evolveSurvivorDataErased(c Case, _ SurvivorDataErased) Case {
	c.Erased = true
	return c
}
