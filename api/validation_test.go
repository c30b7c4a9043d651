package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/app"
)

// What is stored is checked: control and bidi characters, oversized values, malformed
// emails and phones, impossible dates of birth, jurisdictions that are not countries,
// item counts past the limit, consents for ever, ids that are not ids. Each is
// BAD_USER_INPUT with a sentence naming the field, and nothing is written.
func TestStoredValuesAreValidated(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("v-refer")
	big := strings.Repeat("a", 700_000)
	survivor := func(commandID string, change map[string]any) map[string]any {
		in := referInput(commandID)
		s := in["survivor"].(map[string]any)
		for k, v := range change {
			s[k] = v
		}
		return in
	}
	refer := func(name, commandID string, change map[string]any, field string) validationCase {
		return validationCase{name: name, mutation: "referSurvivor", inputType: "ReferSurvivorInput", input: survivor(commandID, change), field: field}
	}
	tests := []validationCase{
		refer("NUL in a name", "v1", map[string]any{"fullName": "Ana\x00López"}, "survivor.fullName"),
		refer("ESC in a name", "v2", map[string]any{"fullName": "Ana\x1b[31m"}, "survivor.fullName"),
		refer("CR LF in a name", "v3", map[string]any{"fullName": "Ana\r\nLópez"}, "survivor.fullName"),
		refer("a right-to-left override in a name", "v4", map[string]any{"fullName": "Ana \u202Eetnom"}, "survivor.fullName"),
		refer("a 700 KB name", "v5", map[string]any{"fullName": big}, "survivor.fullName"),
		refer("a 700 KB phone", "v6", map[string]any{"phone": strings.Repeat("5", 700_000)}, "survivor.phone"),
		refer("a malformed email", "v7", map[string]any{"email": "ana(at)example"}, "survivor.email"),
		refer("born in the year 1", "v8", map[string]any{"dateOfBirth": "0001-01-01"}, "survivor.dateOfBirth"),
		{name: "jurisdiction ZZ", mutation: "referSurvivor", inputType: "ReferSurvivorInput",
			input: func() map[string]any { in := referInput("v9"); in["jurisdiction"] = "ZZ"; return in }(), field: "jurisdiction"},
		{name: "a 700 KB document number", mutation: "recordIDDocumentObtained", inputType: "RecordIDDocumentObtainedInput",
			input: map[string]any{"commandId": "v10", "caseId": id, "documentId": "doc-x", "documentNumber": big}, field: "documentNumber"},
		{name: "a staff name with a bidi override", mutation: "provideDueDiligencePack", inputType: "ProvideDueDiligencePackInput",
			input: map[string]any{"commandId": "v11", "caseId": id, "bankId": "bank-a", "signedLetter": true, "accompaniedVisit": true,
				"staffName": "Rosa\u202E", "correspondenceAddress": false}, field: "staffName"},
		{name: "itemCount 2147483648", mutation: "fileCreditDispute", inputType: "FileCreditDisputeInput",
			input: map[string]any{"commandId": "v12", "caseId": id, "bureauId": "bureau-a", "itemCount": 2147483648}, field: "itemCount"},
		{name: "itemCount 101", mutation: "fileCreditDispute", inputType: "FileCreditDisputeInput",
			input: map[string]any{"commandId": "v12b", "caseId": id, "bureauId": "bureau-a", "itemCount": 101}, field: "items"},
		{name: "a 700 KB item id", mutation: "fileCreditDispute", inputType: "FileCreditDisputeInput",
			input: map[string]any{"commandId": "v13", "caseId": id, "bureauId": "bureau-a", "evidence": []string{"PROOF_OF_IDENTITY", "TRAFFICKING_DETERMINATION"},
				"items": []map[string]any{{"id": big, "kind": "DEBT", "creditor": "X"}}}, field: "items[0].id"},
		{name: "a 700 KB creditor", mutation: "fileCreditDispute", inputType: "FileCreditDisputeInput",
			input: map[string]any{"commandId": "v14", "caseId": id, "bureauId": "bureau-a", "evidence": []string{"PROOF_OF_IDENTITY", "TRAFFICKING_DETERMINATION"},
				"items": []map[string]any{{"id": "i-1", "kind": "DEBT", "creditor": big}}}, field: "items[0].creditor"},
		{name: "consent until 9999-12-31", mutation: "grantConsent", inputType: "GrantConsentInput",
			input: map[string]any{"commandId": "v15", "caseId": id, "recipientOrganisationId": "bank-a", "categories": []string{"BANKING"},
				"purposes": []string{"BANKING"}, "expiresAt": "9999-12-31T00:00:00Z"}, field: "expiresAt"},
		{name: "a note with ESC", mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: map[string]any{"commandId": "v16", "caseId": id, "text": "she called\x1b[2J"}, field: "text"},
		{name: "a fee in words", mutation: "makeBankOffer", inputType: "MakeBankOfferInput",
			input: map[string]any{"commandId": "v17", "caseId": id, "bankId": "bank-a", "product": "BASIC_ACCOUNT",
				"monthlyFee": map[string]any{"currency": "MXN", "amount": "free for a year"}, "acceptedDocuments": []string{}, "acceptsAlternativePack": true}, field: "monthlyFee.amount"},
		{name: "an organisation's public name with a control character", actor: admin, query: registerOrg,
			input: map[string]any{"commandId": "v18", "name": "Banco\x07", "kind": "BANK", "jurisdiction": "MX", "services": []string{}}, field: "name"},
		{name: "a 700 KB command id", mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: map[string]any{"commandId": big, "caseId": id, "text": "x"}, field: "commandId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := h.head()
			actor := tt.actor
			if actor.ID == "" {
				actor = caseworker
			}
			var resp gqlResponse
			if tt.query != "" {
				resp = h.do(actor, tt.query, map[string]any{"in": tt.input})
			} else {
				_, resp = h.mutate(actor, tt.mutation, tt.inputType, tt.input)
			}
			if resp.code() != "BAD_USER_INPUT" || !strings.Contains(resp.Errors[0].Message, tt.field+":") && !pathEnds(resp.Errors[0].Path, tt.field) {
				t.Errorf("%+v, want BAD_USER_INPUT naming %s", resp.Errors, tt.field)
			}
			if len(resp.Errors) > 0 && len(resp.Errors[0].Message) > 1000 {
				t.Errorf("the error echoes the input back (%d bytes)", len(resp.Errors[0].Message))
			}
			if h.head() != head {
				t.Error("the store changed")
			}
		})
	}
}

type validationCase struct {
	name      string
	actor     app.Actor
	mutation  string
	inputType string
	query     string
	input     map[string]any
	field     string // the field the error names
}

// An auditor's break-glass reason must say something; a correlation id is an id.
func TestRequestHeadersAreChecked(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("hdr-refer")
	for _, tc := range []struct {
		name, header, value string
	}{
		{"a zero-width space as a reason", "X-Access-Reason", "\u200b"},
		{"a one-word reason", "X-Access-Reason", "because"},
		{"a reason with a bidi override", "X-Access-Reason", "complaint \u202e review here"},
		{"a correlation id with spaces", "X-Correlation-Id", "not an id"},
		{"a correlation id of 700 KB", "X-Correlation-Id", strings.Repeat("a", 700_000)},
	} {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/graphql",
			strings.NewReader(`{"query":"{ case(id: \"`+id+`\") { identity { fullName } } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+h.token(auditor))
		req.Header.Set(tc.header, tc.value)
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out gqlResponse
		_ = jsonDecode(resp, &out)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || (resp.StatusCode == 400 && out.code() != "BAD_USER_INPUT") {
			t.Errorf("%s: HTTP %d %+v", tc.name, resp.StatusCode, out.Errors)
		}
	}
	h.reason = "complaint 2026-14 review"
	if resp := h.do(auditor, `query($id: ID!) { case(id: $id) { identity { fullName } } }`, map[string]any{"id": id}); len(resp.Errors) > 0 {
		t.Errorf("a reason in words: %+v", resp.Errors)
	}
}

// pathEnds reports whether an error's path ends in field (a scalar's own error names
// the field in its path, not in its message).
func pathEnds(path []any, field string) bool {
	return len(path) > 0 && path[len(path)-1] == field
}
