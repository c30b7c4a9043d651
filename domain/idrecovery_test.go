package domain

import (
	"strings"
	"testing"
)

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
