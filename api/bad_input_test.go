package api_test

import (
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

// TestBadInputLeavesStoreUntouched: every bad input gets its code and changes nothing:
// neither the case stream nor the global log grows.
func TestBadInputLeavesStoreUntouched(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("b-refer")
	h.step("requestIDDocument", "RequestIDDocumentInput", map[string]any{"commandId": "b-doc", "caseId": id, "kind": "CURP", "issuingAuthority": "RC"})
	expires := testStart.Add(24 * time.Hour).Format(time.RFC3339)
	past := testStart.Add(-time.Hour).Format(time.RFC3339)

	note := func(commandID string, extra map[string]any) map[string]any {
		in := map[string]any{"commandId": commandID, "caseId": id, "text": "a note"}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	tests := []struct {
		name      string
		actor     app.Actor
		mutation  string
		inputType string
		input     map[string]any
		query     string // a raw document instead of a mutation
		want      string
	}{
		{name: "unknown case", actor: caseworker, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("b1", map[string]any{"caseId": "00000000-0000-7000-8000-00000000dead"}), want: "NOT_FOUND"},
		{name: "malformed case id", actor: caseworker, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("b2", map[string]any{"caseId": "../../etc"}), want: "NOT_FOUND"},
		{name: "case of another organisation", actor: otherWorker, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("b3", nil), want: "NOT_FOUND"},
		{name: "auditor may not change a case", actor: auditor, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("b4", nil), want: "FORBIDDEN"},
		{name: "no identity", actor: app.Actor{}, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("b5", nil), want: "UNAUTHENTICATED"},
		{name: "empty note", actor: caseworker, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("b6", map[string]any{"text": "   "}), want: "BAD_USER_INPUT"},
		{name: "bad commandId", actor: caseworker, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("not a valid id!", nil), want: "BAD_USER_INPUT"},
		{name: "stale expectedVersion", actor: caseworker, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("b7", map[string]any{"expectedVersion": 1}), want: "CONFLICT"},
		{name: "negative expectedVersion", actor: caseworker, mutation: "addCaseNote", inputType: "AddCaseNoteInput",
			input: note("b8", map[string]any{"expectedVersion": -1}), want: "BAD_USER_INPUT"},
		{name: "bank referral without consent", actor: caseworker, mutation: "referToBank", inputType: "ReferToBankInput",
			input: map[string]any{"commandId": "b9", "caseId": id, "bankId": "bank-a"}, want: "INVALID_TRANSITION"},
		{name: "referral to an unknown bank", actor: caseworker, mutation: "referToBank", inputType: "ReferToBankInput",
			input: map[string]any{"commandId": "b10", "caseId": id, "bankId": "no-such-bank"}, want: "BAD_USER_INPUT"},
		{name: "referral to a shelter as a bank", actor: caseworker, mutation: "referToBank", inputType: "ReferToBankInput",
			input: map[string]any{"commandId": "b11", "caseId": id, "bankId": "shelter-b"}, want: "BAD_USER_INPUT"},
		{name: "account opened at a bank never referred to", actor: caseworker, mutation: "recordAccountOpened", inputType: "RecordAccountOpenedInput",
			input: map[string]any{"commandId": "b12", "caseId": id, "bankId": "bank-b", "product": "BASIC_ACCOUNT"}, want: "INVALID_TRANSITION"},
		{name: "consent already expired", actor: caseworker, mutation: "grantConsent", inputType: "GrantConsentInput",
			input: map[string]any{"commandId": "b13", "caseId": id, "recipientOrganisationId": "bank-a", "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": past}, want: "BAD_USER_INPUT"},
		{name: "consent without purposes", actor: caseworker, mutation: "grantConsent", inputType: "GrantConsentInput",
			input: map[string]any{"commandId": "b14", "caseId": id, "recipientOrganisationId": "bank-a", "categories": []string{"BANKING"}, "purposes": []string{}, "expiresAt": expires}, want: "BAD_USER_INPUT"},
		{name: "unknown document", actor: caseworker, mutation: "recordIDDocumentObtained", inputType: "RecordIDDocumentObtainedInput",
			input: map[string]any{"commandId": "b15", "caseId": id, "documentId": "nope", "documentNumber": "1"}, want: "BAD_USER_INPUT"},
		{name: "reopen an open case", actor: caseworker, mutation: "reopenCase", inputType: "ReopenCaseInput",
			input: map[string]any{"commandId": "b16", "caseId": id, "reasonCode": "OTHER"}, want: "INVALID_TRANSITION"},
		{name: "unknown enum value", actor: caseworker, mutation: "closeCase", inputType: "CloseCaseInput",
			input: map[string]any{"commandId": "b17", "caseId": id, "outcome": "VANISHED"}, want: "BAD_USER_INPUT"},
		{name: "refer for another organisation", actor: otherWorker, query: referMutation, input: referInput("b18"), want: "FORBIDDEN"},
		{name: "refer with no name", actor: caseworker, query: referMutation,
			input: func() map[string]any {
				in := referInput("b19")
				in["survivor"] = map[string]any{"fullName": " "}
				return in
			}(), want: "BAD_USER_INPUT"},
		{name: "refer with a bad jurisdiction", actor: caseworker, query: referMutation,
			input: func() map[string]any { in := referInput("b20"); in["jurisdiction"] = "Mexico"; return in }(), want: "BAD_USER_INPUT"},
		{name: "a token for an organisation not in the directory", actor: app.Actor{ID: "x", Role: app.RoleCaseworker, Organisation: "ghost"}, query: referMutation,
			input: func() map[string]any { in := referInput("b21"); in["referringOrganisationId"] = "ghost"; return in }(), want: "UNAUTHENTICATED"},
		{name: "caseworker registers an organisation", actor: caseworker, query: registerOrg,
			input: map[string]any{"commandId": "b22", "name": "X", "kind": "BANK", "jurisdiction": "MX", "services": []string{}}, want: "FORBIDDEN"},
		{name: "organisation id taken", actor: admin, query: registerOrg,
			input: map[string]any{"commandId": "b23", "id": "bank-a", "name": "X", "kind": "BANK", "jurisdiction": "MX", "services": []string{}}, want: "BAD_USER_INPUT"},
		{name: "malformed organisation id", actor: admin, query: registerOrg,
			input: map[string]any{"commandId": "b24", "id": "Bank A!", "name": "X", "kind": "BANK", "jurisdiction": "MX", "services": []string{}}, want: "BAD_USER_INPUT"},
		{name: "parse error", actor: caseworker, query: `mutation { addCaseNote(input: {`, want: "GRAPHQL_PARSE_FAILED"},
		{name: "unknown field", actor: caseworker, query: `{ case(id: "x") { nickname } }`, want: "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, caseLen := h.head(), h.streamLen("case-"+id)
			var resp gqlResponse
			switch {
			case tt.mutation != "":
				_, resp = h.mutate(tt.actor, tt.mutation, tt.inputType, tt.input)
			case tt.input != nil:
				resp = h.do(tt.actor, tt.query, map[string]any{"in": tt.input})
			default:
				resp = h.do(tt.actor, tt.query, nil)
			}
			if got := resp.code(); got != tt.want {
				t.Errorf("code = %q (%+v), want %s", got, resp.Errors, tt.want)
			}
			if len(resp.Errors) > 0 && resp.Errors[0].Message == "" {
				t.Errorf("error without a message")
			}
			if h.head() != head || h.streamLen("case-"+id) != caseLen {
				t.Errorf("store changed: head %s → %s, case events %d → %d", head, h.head(), caseLen, h.streamLen("case-"+id))
			}
		})
	}

	// The conflict says what the version is now.
	_, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", note("b30", map[string]any{"expectedVersion": 1}))
	if v, _ := resp.Errors[0].Extensions["actualVersion"].(float64); v != 2 {
		t.Errorf("conflict actualVersion = %v, want 2", resp.Errors[0].Extensions["actualVersion"])
	}
}
