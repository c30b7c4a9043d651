package domain

import "time"

// Command is a request to change a case or an organisation. Commands are plain
// values; Decide checks them against the current state and returns the events that
// record what happened, or a rule error. Commands never carry the time: Decide takes
// now from the caller's injected clock so decisions are reproducible.
type Command interface {
	CommandType() string
}

// The original journey's commands are below. The later steps keep their commands
// next to their rules and events, one file per concern: offers.go (bank offers and
// the survivor's choice), duediligence.go (due diligence without standard ID),
// safeguarding.go, contact.go (safe-contact rules), credit.go (credit reports and
// disputes listing their items), disputeitems.go (each item blocked or refused, and
// resubmission), barriers.go (barriers and needs over time) and organisation.go (the
// directory).

// OrgRef is what the application layer resolved from the organisation directory and
// passes into a command: the domain cannot look anything up.
type OrgRef struct {
	ID           string
	Kind         OrganisationKind
	Jurisdiction string
}

// ---- Case commands -----------------------------------------------------------------

type ReferSurvivor struct {
	ReferringOrganisation OrgRef
	Jurisdiction          string // ISO 3166-1 alpha-2, e.g. "MX"
	Needs                 []Need
	Barriers              []Barrier
	Survivor              SurvivorDetails
}

type GrantConsent struct {
	GrantID    string
	Recipient  OrgRef
	Categories []DataCategory
	Purposes   []Purpose
	ExpiresAt  time.Time
}

type WithdrawConsent struct {
	GrantID string
}

// RequestIDDocument names the issuing authority by its directory entry (an ID office
// or government body) where it has one, else in free text; one of the two.
type RequestIDDocument struct {
	DocumentID          string
	Kind                DocumentKind
	IssuingOrganisation OrgRef // ID "" when the authority is named in free text
	IssuingAuthority    string
}

type RecordIDDocumentObtained struct {
	DocumentID     string
	DocumentNumber string
}

type RecordIDDocumentRefused struct {
	DocumentID string
	ReasonCode RefusalReason
	Reason     string // optional text
}

type ReferToBank struct {
	Bank OrgRef
}

type SubmitAccountApplication struct {
	Bank    OrgRef
	Product AccountProduct
}

type RecordAccountOpened struct {
	Bank    OrgRef
	Product AccountProduct
}

type RecordAccountDeclined struct {
	Bank       OrgRef
	ReasonCode AccountDeclineReason
	Reason     string // optional text
}

// FileCreditDispute files a block/dispute request. The full form lists the Items
// with their Evidence (see credit.go); the old form gives only ItemCount. With items,
// ItemCount may be 0 (it is then taken from the items) or must equal len(Items).
type FileCreditDispute struct {
	DisputeID string
	Bureau    OrgRef
	ItemCount int
	Items     []DisputeItem
	Evidence  []EvidenceKind
}

type RecordCreditDisputeOutcome struct {
	DisputeID  string
	Outcome    DisputeOutcome
	ReasonCode DisputeReason // required unless the outcome is blocked
	Reason     string        // optional text
}

type AddCaseNote struct {
	NoteID string
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

// ---- Organisation commands ---------------------------------------------------------

type RegisterOrganisation struct {
	Name         string
	Kind         OrganisationKind
	Jurisdiction string
	Services     []Service
	Programmes   []Programme // partner programmes; only a bank takes part in them
}

func (ReferSurvivor) CommandType() string              { return "ReferSurvivor" }
func (GrantConsent) CommandType() string               { return "GrantConsent" }
func (WithdrawConsent) CommandType() string            { return "WithdrawConsent" }
func (RequestIDDocument) CommandType() string          { return "RequestIDDocument" }
func (RecordIDDocumentObtained) CommandType() string   { return "RecordIDDocumentObtained" }
func (RecordIDDocumentRefused) CommandType() string    { return "RecordIDDocumentRefused" }
func (ReferToBank) CommandType() string                { return "ReferToBank" }
func (SubmitAccountApplication) CommandType() string   { return "SubmitAccountApplication" }
func (RecordAccountOpened) CommandType() string        { return "RecordAccountOpened" }
func (RecordAccountDeclined) CommandType() string      { return "RecordAccountDeclined" }
func (FileCreditDispute) CommandType() string          { return "FileCreditDispute" }
func (RecordCreditDisputeOutcome) CommandType() string { return "RecordCreditDisputeOutcome" }
func (AddCaseNote) CommandType() string                { return "AddCaseNote" }
func (CloseCase) CommandType() string                  { return "CloseCase" }
func (ReopenCase) CommandType() string                 { return "ReopenCase" }
func (EraseSurvivorData) CommandType() string          { return "EraseSurvivorData" }
func (RegisterOrganisation) CommandType() string       { return "RegisterOrganisation" }
