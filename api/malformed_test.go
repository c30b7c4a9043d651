package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// rawResponse is an HTTP answer as the client sees it.
type rawResponse struct {
	status int
	body   string
	gql    gqlResponse
}

// rawRequest sends body to /graphql as it is. chunked sends it without a length.
func (h *harness) rawRequest(method, contentType string, body []byte, chunked bool) rawResponse {
	h.t.Helper()
	var reader io.Reader = bytes.NewReader(body)
	if chunked {
		reader = io.MultiReader(bytes.NewReader(body)) // no length: sent chunked
	}
	if body == nil {
		reader = nil
	}
	req, _ := http.NewRequest(method, h.srv.URL+"/graphql", reader)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+h.token(caseworker))
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s /graphql: %v", method, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	r := rawResponse{status: resp.StatusCode, body: string(out)}
	_ = json.Unmarshal(out, &r.gql)
	return r
}

// TestMalformedInputIsCoded: every malformed request, variable or argument gets a
// code other than INTERNAL, the HTTP status it deserves and a sentence that says what
// is wrong; nothing is written.
func TestMalformedInputIsCoded(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("m-refer")
	const note = `mutation($in: AddCaseNoteInput!) { addCaseNote(input: $in) { version } }`
	const need = `mutation($in: NeedInput!) { identifyNeed(input: $in) { version } }`
	const consent = `mutation($in: GrantConsentInput!) { grantConsent(input: $in) { version } }`
	consentIn := func(expires string) map[string]any {
		return map[string]any{"commandId": "m-consent", "caseId": id, "recipientOrganisationId": "bank-a",
			"categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": expires}
	}
	post := func(v any) []byte { b, _ := json.Marshal(v); return b }
	big := append([]byte(`{"query":"`), append(bytes.Repeat([]byte("x"), 2<<20), `"}`...)...)

	tests := []struct {
		name        string
		method      string // default POST
		contentType string // default application/json
		body        []byte
		chunked     bool
		getQuery    string // for GET: the URL's query string
		wantStatus  int
		wantCode    string
		wantMessage string
	}{
		{name: "invalid JSON (a trailing comma)", body: []byte(`{"query": "{ __typename }",}`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "not valid JSON"},
		{name: "a JSON array body", body: []byte(`[{"query": "{ __typename }"}]`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "must be a JSON object, not an array"},
		{name: "a JSON string body", body: []byte(`"{ __typename }"`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "must be a JSON object, not a string"},
		{name: "variables is a number", body: []byte(`{"query": "{ __typename }", "variables": 5}`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "variables must be a JSON object, not a number"},
		{name: "query is a number", body: []byte(`{"query": 7}`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "query must be a string, not a number"},
		{name: "no query", body: []byte(`{"variables": {}}`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "has no query"},
		{name: "data after the object", body: []byte(`{"query": "{ __typename }"} {"query": "{ __typename }"}`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "not valid JSON"},
		{name: "an empty body", body: []byte{},
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "empty"},
		{name: "wrong content type", contentType: "text/plain", body: []byte(`{"query": "{ __typename }"}`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "Content-Type: application/json"},
		{name: "a chunked body over 1 MiB", body: big, chunked: true,
			wantStatus: 413, wantCode: "PAYLOAD_TOO_LARGE", wantMessage: "1 MiB"},
		{name: "a sized body over 1 MiB", body: big,
			wantStatus: 413, wantCode: "PAYLOAD_TOO_LARGE", wantMessage: "1 MiB"},
		{name: "another method", method: http.MethodPut, body: []byte(`{"query": "{ __typename }"}`),
			wantStatus: 405, wantCode: "BAD_REQUEST", wantMessage: "POST"},
		{name: "a mutation by GET", method: http.MethodGet,
			getQuery:   "query=" + url.QueryEscape(`mutation { identifyNeed(input: {commandId: "m-get", caseId: "`+id+`", need: BANK_ACCOUNT}) { version } }`),
			wantStatus: 405, wantCode: "BAD_REQUEST", wantMessage: "GET runs queries only"},
		{name: "GET variables not an object", method: http.MethodGet,
			getQuery:   "query=" + url.QueryEscape(`{ __typename }`) + "&variables=" + url.QueryEscape(`[1]`),
			wantStatus: 400, wantCode: "BAD_REQUEST", wantMessage: "variables must be a JSON object"},

		{name: "an enum in the wrong case in variables",
			body:       post(map[string]any{"query": need, "variables": map[string]any{"in": map[string]any{"commandId": "m1", "caseId": id, "need": "bank_account"}}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "bank_account is not a valid Need"},
		// gqlgen reads a bound enum name it does not know as no value at all: a code in
		// the wrong case must be refused wherever it sits, never stored as none.
		{name: "an enum in the wrong case in a list in variables",
			body: post(map[string]any{"query": consent, "variables": map[string]any{"in": func() map[string]any {
				in := consentIn("2027-01-01T00:00:00Z")
				in["categories"] = []string{"BANKING", "banking"}
				return in
			}()}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "banking is not a valid DataCategory: enum values are upper case (BANKING)"},
		{name: "an enum in the wrong case as an argument's variable",
			body:       post(map[string]any{"query": `query($k: OrganisationKind) { organisations(kind: $k) { id } }`, "variables": map[string]any{"k": "bank"}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "bank is not a valid OrganisationKind: enum values are upper case (BANK)"},
		{name: "an unknown enum value in variables",
			body:       post(map[string]any{"query": need, "variables": map[string]any{"in": map[string]any{"commandId": "m2", "caseId": id, "need": "A_PONY"}}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "not a valid Need"},
		{name: "a date without a time for Time",
			body:       post(map[string]any{"query": consent, "variables": map[string]any{"in": consentIn("2030-01-01")}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "RFC 3339"},
		{name: "a date without a time for Time, in the document",
			body: post(map[string]any{"query": `mutation { grantConsent(input: {commandId: "m3", caseId: "` + id +
				`", recipientOrganisationId: "bank-a", categories: [BANKING], purposes: [BANKING], expiresAt: "2030-01-01"}) { version } }`}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "RFC 3339"},
		{name: "a word where an Int goes",
			body:       post(map[string]any{"query": note, "variables": map[string]any{"in": map[string]any{"commandId": "m4", "caseId": id, "text": "x", "expectedVersion": "two"}}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "cannot use string as Int"},
		{name: "a numeric string where an Int goes",
			body:       post(map[string]any{"query": note, "variables": map[string]any{"in": map[string]any{"commandId": "m5", "caseId": id, "text": "x", "expectedVersion": "2"}}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "Int must be a number, not a string"},
		{name: "an Int over 32 bits in an input",
			body:       post(map[string]any{"query": note, "variables": map[string]any{"in": map[string]any{"commandId": "m6", "caseId": id, "text": "x", "expectedVersion": 5_000_000_000}}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "whole number between -2147483648 and 2147483647"},
		{name: "an Int over 32 bits as a variable",
			body:       post(map[string]any{"query": `query($n: Int) { cases(first: $n) { totalCount } }`, "variables": map[string]any{"n": 5_000_000_000}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "whole number between"},
		{name: "minPosition ahead of the log",
			body:       post(map[string]any{"query": `query($id: ID!) { case(id: $id, minPosition: "999999-0") { id } }`, "variables": map[string]any{"id": id}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "minPosition 999999-0 is ahead of the log (its head is "},
		// 800 kB of address fits the 1 MiB body but not, sealed (base64), the NATS max
		// payload. (A domain limit on the field, where there is one, says "at most" too.)
		{name: "an event over the server's max payload",
			body: post(map[string]any{"query": referMutation, "variables": map[string]any{"in": func() map[string]any {
				in := referInput("m7")
				in["survivor"] = map[string]any{"fullName": "Big Address", "address": strings.Repeat("a", 800_000)}
				return in
			}()}}),
			wantStatus: 200, wantCode: "BAD_USER_INPUT", wantMessage: "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, caseLen := h.head(), h.streamLen("case-"+id)
			var r rawResponse
			if tt.method == http.MethodGet {
				r = h.get("/graphql?" + tt.getQuery)
			} else {
				method, ct := tt.method, tt.contentType
				if method == "" {
					method = http.MethodPost
				}
				if ct == "" {
					ct = "application/json"
				}
				r = h.rawRequest(method, ct, tt.body, tt.chunked)
			}
			if r.status != tt.wantStatus || r.gql.code() != tt.wantCode {
				t.Errorf("HTTP %d %q, want HTTP %d %s: %.300s", r.status, r.gql.code(), tt.wantStatus, tt.wantCode, r.body)
			}
			if len(r.gql.Errors) == 0 || !strings.Contains(r.gql.Errors[0].Message, tt.wantMessage) {
				t.Errorf("message does not say %q: %.300s", tt.wantMessage, r.body)
			}
			if h.head() != head || h.streamLen("case-"+id) != caseLen {
				t.Errorf("store changed: head %s → %s", head, h.head())
			}
		})
	}
	// The log's head moves on a write; the bad inputs above did not.
	if _, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "m-ok", "caseId": id, "text": "fine"}); len(resp.Errors) > 0 {
		t.Fatalf("a good note after the bad ones: %+v", resp.Errors)
	}
}

// get sends GET path as the caseworker.
func (h *harness) get(path string) rawResponse {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+h.token(caseworker))
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	r := rawResponse{status: resp.StatusCode, body: string(out)}
	_ = json.Unmarshal(out, &r.gql)
	return r
}
