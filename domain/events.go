package domain

import "time"

// SchemaVersion is the version every event is stored at. Bump it (per event type,
// with an upcaster in the codec) only when an event's JSON shape changes.
const SchemaVersion = 1

// Event is a fact that happened, named in the past tense. Events are plain values:
// Decide returns values and Evolve takes values (it also accepts pointers, see Deref).
//
// Personal data lives in exactly one field per event, Personal, a pointer with the
// json name "personal", so the store can seal that one object and nothing else
// needs to be inspected. No other field may hold names, dates of birth, contact
// details, addresses, document numbers, or any text a person wrote: free text is
// personal data, always. Every string stored outside Personal is either a closed
// vocabulary (a type with Valid() bool) or tagged with what it is — waymark:"id" (an
// identifier, of the form CheckID accepts or made by Waymark), waymark:"code" (an
// ISO code), waymark:"public" (an organisation's public name) — and a test
// (TestFreeTextLivesOnlyInPersonal) fails for any other.
type Event interface {
	EventType() string
}

// SurvivorDetails is the survivor's personal data given at referral.
type SurvivorDetails struct {
	FullName    string   `json:"fullName"`
	Aliases     []string `json:"aliases,omitempty"`
	DateOfBirth string   `json:"dateOfBirth,omitempty"` // YYYY-MM-DD
	Phone       string   `json:"phone,omitempty"`
	Email       string   `json:"email,omitempty"`
	Address     string   `json:"address,omitempty"`
}

// DocumentDetails is the personal part of an obtained identity document.
type DocumentDetails struct {
	DocumentNumber string `json:"documentNumber"`
}

// AuthorityDetails names, in free text, an issuing authority that is not in the
// directory. Personal: where a survivor asks for her papers says where she is from.
type AuthorityDetails struct {
	IssuingAuthority string `json:"issuingAuthority"`
}

// NoteDetails is a case note's text, personal because case workers write about the
// survivor in it.
type NoteDetails struct {
	Text string `json:"text"`
}

// ---- Case events -------------------------------------------------------------------

// The original journey's events are below; the later steps' events live with their
// rules (see the list in commands.go).

// SurvivorReferred opens a case: a shelter or NGO referred a survivor.
type SurvivorReferred struct {
	ReferringOrganisation string           `json:"referringOrganisation" waymark:"id"`
	Jurisdiction          string           `json:"jurisdiction" waymark:"code"`
	Needs                 []Need           `json:"needs,omitempty"`
	Barriers              []Barrier        `json:"barriers,omitempty"`
	At                    time.Time        `json:"at"`
	Personal              *SurvivorDetails `json:"personal,omitempty"`
}

// ConsentGranted: the survivor agreed that Recipient may receive these categories
// of data for these purposes until ExpiresAt.
type ConsentGranted struct {
	GrantID    string         `json:"grantId" waymark:"id"`
	Recipient  string         `json:"recipient" waymark:"id"` // organisation id
	Categories []DataCategory `json:"categories"`
	Purposes   []Purpose      `json:"purposes"`
	ExpiresAt  time.Time      `json:"expiresAt"`
	At         time.Time      `json:"at"`
}

// ConsentWithdrawn: the survivor withdrew a grant; it no longer lets data flow.
type ConsentWithdrawn struct {
	GrantID string    `json:"grantId" waymark:"id"`
	At      time.Time `json:"at"`
}

// IDDocumentRequested: an identity document was requested from an issuing authority:
// an ID office or government body of the directory (IssuingOrganisation), or one
// named in free text (personal).
type IDDocumentRequested struct {
	DocumentID          string            `json:"documentId" waymark:"id"`
	Kind                DocumentKind      `json:"kind"`
	IssuingOrganisation string            `json:"issuingOrganisation,omitempty" waymark:"id"`
	At                  time.Time         `json:"at"`
	Personal            *AuthorityDetails `json:"personal,omitempty"`
}

// IDDocumentObtained: the requested document was issued.
type IDDocumentObtained struct {
	DocumentID string           `json:"documentId" waymark:"id"`
	At         time.Time        `json:"at"`
	Personal   *DocumentDetails `json:"personal,omitempty"`
}

// IDDocumentRefused: the issuing authority refused the document.
type IDDocumentRefused struct {
	DocumentID string         `json:"documentId" waymark:"id"`
	ReasonCode RefusalReason  `json:"reasonCode"`
	At         time.Time      `json:"at"`
	Personal   *ReasonDetails `json:"personal,omitempty"`
}

// BankReferralMade: the case was referred to a partner bank under a consent grant.
type BankReferralMade struct {
	Bank    string    `json:"bank" waymark:"id"`
	GrantID string    `json:"grantId" waymark:"id"` // the grant that allowed the data to flow
	At      time.Time `json:"at"`
}

// AccountApplicationSubmitted: the survivor applied for a product at a bank.
type AccountApplicationSubmitted struct {
	Bank    string         `json:"bank" waymark:"id"`
	Product AccountProduct `json:"product"`
	At      time.Time      `json:"at"`
}

// BankAccountOpened: the bank opened an account (the product may differ from the
// one applied for).
type BankAccountOpened struct {
	Bank    string         `json:"bank" waymark:"id"`
	Product AccountProduct `json:"product"`
	At      time.Time      `json:"at"`
}

// AccountApplicationDeclined: the bank declined the application.
type AccountApplicationDeclined struct {
	Bank       string               `json:"bank" waymark:"id"`
	ReasonCode AccountDeclineReason `json:"reasonCode"`
	At         time.Time            `json:"at"`
	Personal   *ReasonDetails       `json:"personal,omitempty"`
}

// CreditDisputeFiled: a block/dispute request for trafficking-related or coerced
// items was filed with a credit bureau. Items and Evidence are empty for a dispute
// filed in the old form (ItemCount only); the creditors and account references of the
// items are personal.
type CreditDisputeFiled struct {
	DisputeID string               `json:"disputeId" waymark:"id"`
	Bureau    string               `json:"bureau" waymark:"id"`
	ItemCount int                  `json:"itemCount"`
	Items     []DisputeItemFiled   `json:"items,omitempty"`
	Evidence  []EvidenceKind       `json:"evidence,omitempty"`
	At        time.Time            `json:"at"`
	Personal  *DisputeItemsDetails `json:"personal,omitempty"`
}

// CreditDisputeResolved: the bureau answered the dispute (a reason code unless every
// item was blocked).
type CreditDisputeResolved struct {
	DisputeID  string         `json:"disputeId" waymark:"id"`
	Outcome    DisputeOutcome `json:"outcome"`
	ReasonCode DisputeReason  `json:"reasonCode,omitempty"`
	At         time.Time      `json:"at"`
	Personal   *ReasonDetails `json:"personal,omitempty"`
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

// ---- Organisation events -----------------------------------------------------------

// OrganisationRegistered: an organisation joined the coalition's directory.
type OrganisationRegistered struct {
	Name         string           `json:"name" waymark:"public"`
	Kind         OrganisationKind `json:"kind"`
	Jurisdiction string           `json:"jurisdiction" waymark:"code"`
	Services     []Service        `json:"services,omitempty"`
	Programmes   []Programme      `json:"programmes,omitempty"`
	At           time.Time        `json:"at"`
}

// The type names are the stored "type" of each event: never rename one.

func (SurvivorReferred) EventType() string            { return "SurvivorReferred" }
func (ConsentGranted) EventType() string              { return "ConsentGranted" }
func (ConsentWithdrawn) EventType() string            { return "ConsentWithdrawn" }
func (IDDocumentRequested) EventType() string         { return "IDDocumentRequested" }
func (IDDocumentObtained) EventType() string          { return "IDDocumentObtained" }
func (IDDocumentRefused) EventType() string           { return "IDDocumentRefused" }
func (BankReferralMade) EventType() string            { return "BankReferralMade" }
func (AccountApplicationSubmitted) EventType() string { return "AccountApplicationSubmitted" }
func (BankAccountOpened) EventType() string           { return "BankAccountOpened" }
func (AccountApplicationDeclined) EventType() string  { return "AccountApplicationDeclined" }
func (CreditDisputeFiled) EventType() string          { return "CreditDisputeFiled" }
func (CreditDisputeResolved) EventType() string       { return "CreditDisputeResolved" }
func (CaseNoteAdded) EventType() string               { return "CaseNoteAdded" }
func (CaseClosed) EventType() string                  { return "CaseClosed" }
func (CaseReopened) EventType() string                { return "CaseReopened" }
func (SurvivorDataErased) EventType() string          { return "SurvivorDataErased" }
func (OrganisationRegistered) EventType() string      { return "OrganisationRegistered" }
