package domain

import (
	"fmt"
	"slices"
	"time"
)

// ID recovery: identity documents requested from an issuing authority (an ID office
// or government body of the directory, or one named in free text), then obtained or
// refused. A document is answered once; a new attempt is a new request.

// DocumentKind is a kind of identity document (CURP and INE are Mexican).
type DocumentKind string

const (
	DocBirthCertificate DocumentKind = "birth_certificate"
	DocNationalID       DocumentKind = "national_id"
	DocCURP             DocumentKind = "curp"
	DocINE              DocumentKind = "ine"
	DocPassport         DocumentKind = "passport"
	DocResidencePermit  DocumentKind = "residence_permit"
)

func AllDocumentKind() []DocumentKind {
	return []DocumentKind{DocBirthCertificate, DocNationalID, DocCURP, DocINE, DocPassport, DocResidencePermit}
}

func (x DocumentKind) Valid() bool { return slices.Contains(AllDocumentKind(), x) }

// DocumentStatus tracks one requested identity document.
type DocumentStatus string

const (
	DocumentRequested DocumentStatus = "requested"
	DocumentObtained  DocumentStatus = "obtained"
	DocumentRefused   DocumentStatus = "refused"
)

func AllDocumentStatus() []DocumentStatus {
	return []DocumentStatus{DocumentRequested, DocumentObtained, DocumentRefused}
}

func (x DocumentStatus) Valid() bool { return slices.Contains(AllDocumentStatus(), x) }

// RefusalReason is why an issuing authority refused an identity document.
type RefusalReason string

const (
	RefusalMissingSupportingDocuments RefusalReason = "missing_supporting_documents"
	RefusalIdentityNotVerified        RefusalReason = "identity_not_verified"
	RefusalNotEligible                RefusalReason = "not_eligible"
	RefusalFeeNotPaid                 RefusalReason = "fee_not_paid"
	RefusalAuthorityUnavailable       RefusalReason = "authority_unavailable"
	RefusalOther                      RefusalReason = "other"
)

func AllRefusalReason() []RefusalReason {
	return []RefusalReason{RefusalMissingSupportingDocuments, RefusalIdentityNotVerified, RefusalNotEligible,
		RefusalFeeNotPaid, RefusalAuthorityUnavailable, RefusalOther}
}

func (x RefusalReason) Valid() bool { return slices.Contains(AllRefusalReason(), x) }

// IDDocument is one requested identity document. The authority named in free text
// and the refusal's text stay sealed in the events.
type IDDocument struct {
	ID                  string
	Kind                DocumentKind
	IssuingOrganisation string // the directory's ID office or government body; "" if named in free text
	Status              DocumentStatus
	ReasonCode          RefusalReason // why it was refused
	RequestedAt         time.Time
	UpdatedAt           time.Time
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

// ---- Commands and events -----------------------------------------------------------

// RequestIDDocument names the issuing authority by its directory entry (an ID office
// or government body) where it has one, else in free text; one of the two.
type RequestIDDocument struct {
	DocumentID          string `waymark:"new"`
	Kind                DocumentKind
	IssuingOrganisation OrgRef `waymark:"optional"` // ID "" when the authority is named in free text
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

func (RequestIDDocument) CommandType() string        { return "RequestIDDocument" }
func (RecordIDDocumentObtained) CommandType() string { return "RecordIDDocumentObtained" }
func (RecordIDDocumentRefused) CommandType() string  { return "RecordIDDocumentRefused" }

func (IDDocumentRequested) EventType() string { return "IDDocumentRequested" }
func (IDDocumentObtained) EventType() string  { return "IDDocumentObtained" }
func (IDDocumentRefused) EventType() string   { return "IDDocumentRefused" }

// ---- Table -------------------------------------------------------------------------

func idRecoveryConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[RequestIDDocument]{decide: decideRequestIDDocument}.spec(),
			caseCommand[RecordIDDocumentObtained]{decide: decideIDDocumentObtained}.spec(),
			caseCommand[RecordIDDocumentRefused]{decide: decideIDDocumentRefused}.spec(),
		},
		events: []EventSpec{
			caseEvent[IDDocumentRequested]{stage: StageIDRecovery, evolve: evolveIDDocumentRequested}.spec(),
			caseEvent[IDDocumentObtained]{evolve: evolveIDDocumentObtained}.spec(),
			caseEvent[IDDocumentRefused]{evolve: evolveIDDocumentRefused}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideRequestIDDocument(c Case, cmd RequestIDDocument, now time.Time) ([]Event, error) {
	if err := checkID("documentId", cmd.DocumentID); err != nil {
		return nil, err
	}
	if _, used := c.Documents[cmd.DocumentID]; used {
		return nil, invalid("documentId", fmt.Sprintf("document id %s is already used on this case", cmd.DocumentID))
	}
	if !cmd.Kind.Valid() {
		return nil, invalid("kind", fmt.Sprintf("unknown document kind %q", cmd.Kind))
	}
	authority, err := cleanText("issuingAuthority", cmd.IssuingAuthority, authorityRule)
	if err != nil {
		return nil, err
	}
	e := IDDocumentRequested{DocumentID: cmd.DocumentID, Kind: cmd.Kind, At: now}
	switch issuer := cmd.IssuingOrganisation; {
	case issuer.ID != "" && authority != "":
		return nil, invalid("issuingAuthority", "name the issuing authority once: by its organisation id, or in free text when it is not in the directory")
	case issuer.ID != "":
		if err := checkOrg("issuingOrganisationId", issuer); err != nil {
			return nil, err
		}
		if issuer.Kind != OrgIDOffice && issuer.Kind != OrgGovernment {
			return nil, wrongKind("issuingOrganisationId", fmt.Sprintf("organisation %s is a %s; documents are issued by an ID office or a government body", issuer.ID, kindName(issuer.Kind)))
		}
		e.IssuingOrganisation = issuer.ID
	case authority != "":
		e.Personal = &AuthorityDetails{IssuingAuthority: authority}
	default:
		return nil, invalid("issuingOrganisationId", "name the issuing authority: an ID office's organisation id, or its name in issuingAuthority when it is not in the directory")
	}
	return one(e)
}

func decideIDDocumentObtained(c Case, cmd RecordIDDocumentObtained, now time.Time) ([]Event, error) {
	number, err := cleanText("documentNumber", cmd.DocumentNumber, textRule{max: MaxDocumentNumberLen, required: "the document number is required"})
	if err != nil {
		return nil, err
	}
	if err := requestedDocument(c, cmd.DocumentID, "obtained"); err != nil {
		return nil, err
	}
	return one(IDDocumentObtained{DocumentID: cmd.DocumentID, At: now, Personal: &DocumentDetails{DocumentNumber: number}})
}

func decideIDDocumentRefused(c Case, cmd RecordIDDocumentRefused, now time.Time) ([]Event, error) {
	if err := checkCode("reasonCode", cmd.ReasonCode, "refusal reason"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	if err := requestedDocument(c, cmd.DocumentID, "refused"); err != nil {
		return nil, err
	}
	return one(IDDocumentRefused{DocumentID: cmd.DocumentID, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

// requestedDocument checks a document exists and still awaits an answer: a document
// is obtained or refused once; a new attempt is a new request.
func requestedDocument(c Case, id, outcome string) error {
	if err := checkID("documentId", id); err != nil {
		return err
	}
	d, ok := c.Documents[id]
	if !ok {
		return invalid("documentId", fmt.Sprintf("unknown document %s on this case", id))
	}
	if d.Status != DocumentRequested {
		return transition(fmt.Sprintf("document %s is already %s; it cannot now be %s (request it again instead)", id, d.Status, outcome))
	}
	return nil
}

// ---- Evolve ------------------------------------------------------------------------

func evolveIDDocumentRequested(c Case, e IDDocumentRequested) Case {
	c.Documents = with(c.Documents, e.DocumentID, IDDocument{
		ID: e.DocumentID, Kind: e.Kind, IssuingOrganisation: e.IssuingOrganisation,
		Status: DocumentRequested, RequestedAt: e.At, UpdatedAt: e.At,
	})
	return c
}

func evolveIDDocumentObtained(c Case, e IDDocumentObtained) Case {
	if d, ok := c.Documents[e.DocumentID]; ok {
		d.Status, d.UpdatedAt = DocumentObtained, e.At
		c.Documents = with(c.Documents, e.DocumentID, d)
	}
	return c
}

func evolveIDDocumentRefused(c Case, e IDDocumentRefused) Case {
	if d, ok := c.Documents[e.DocumentID]; ok {
		d.Status, d.ReasonCode, d.UpdatedAt = DocumentRefused, e.ReasonCode, e.At
		c.Documents = with(c.Documents, e.DocumentID, d)
	}
	return c
}
