package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
)

// fuzzOperations are the documents FuzzGraphQLInput sends the fuzzer's variables
// with: mutations whose inputs hold every kind of value the API maps (ids, free
// text, enums and lists of them, dates, times, numbers, nested objects) and the reads
// with arguments.
var fuzzOperations = []string{
	referMutation,
	`mutation($in: AddCaseNoteInput!) { addCaseNote(input: $in) { caseId version } }`,
	`mutation($in: GrantConsentInput!) { grantConsent(input: $in) { caseId version } }`,
	`mutation($in: NeedInput!) { identifyNeed(input: $in) { caseId version } }`,
	`query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { id version stage journey { type } } }`,
	`query($f: CaseFilter, $first: Int, $after: String) { cases(filter: $f, first: $first, after: $after) { edges { node { id } } } }`,
}

// FuzzGraphQLInput posts the fuzzer's bytes as the variables of real operations to
// the real handler (a node on the embedded JetStream store). Whatever it sends, the
// answer is JSON with data or coded errors, never a 5xx and never INTERNAL (a
// malformed input is the caller's mistake, and the server already knows the
// sentence), and a refused mutation leaves the log's head where it was.
func FuzzGraphQLInput(f *testing.F) {
	h := newHarness(f)
	h.coalition()
	id := h.refer("fuzz-refer")
	token := "Bearer " + h.token(caseworker)
	seed := func(op int, vars any) {
		b, err := json.Marshal(vars)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(op), b)
	}
	seed(0, map[string]any{"in": referInput("fuzz-seed-refer")})
	seed(1, map[string]any{"in": map[string]any{"commandId": "fuzz-note", "caseId": id, "text": "a note", "expectedVersion": 1}})
	seed(2, map[string]any{"in": map[string]any{"commandId": "fuzz-consent", "caseId": id, "recipientOrganisationId": "bank-a",
		"categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": "2031-01-01T00:00:00Z"}})
	seed(3, map[string]any{"in": map[string]any{"commandId": "fuzz-need", "caseId": id, "need": "BANK_ACCOUNT"}})
	seed(4, map[string]any{"id": id, "min": "1-0"})
	seed(5, map[string]any{"f": map[string]any{"stage": "REFERRAL"}, "first": 5, "after": "x"})
	f.Add(uint8(1), []byte(`{"in":{"commandId":"","caseId":"../../etc","text":"\u0000"}}`))
	f.Add(uint8(4), []byte(`{"id":"00000000-0000-0000-0000-000000000000","min":"99999999999999999999-0"}`))
	f.Add(uint8(5), []byte(`{"first":-1}`))
	f.Add(uint8(0), []byte(`{"in":`))

	f.Fuzz(func(t *testing.T, op uint8, vars []byte) {
		query, err := json.Marshal(fuzzOperations[int(op)%len(fuzzOperations)])
		if err != nil {
			t.Fatal(err)
		}
		body := append(append(append([]byte(`{"query":`), query...), `,"variables":`...), vars...)
		body = append(body, '}')
		head := fuzzHead(t, h)

		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		rec := httptest.NewRecorder()
		h.node.Handler.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("HTTP %d for variables %q: %s", rec.Code, vars, rec.Body)
		}
		var resp struct {
			Data   map[string]json.RawMessage `json:"data"`
			Errors []gqlError                 `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("HTTP %d, not JSON (%v): %s", rec.Code, err, rec.Body)
		}
		if resp.Data == nil && len(resp.Errors) == 0 {
			t.Fatalf("HTTP %d with neither data nor errors: %s", rec.Code, rec.Body)
		}
		written := false
		for _, v := range resp.Data {
			written = written || string(v) != "null"
		}
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" || code == "INTERNAL" {
				t.Fatalf("error %q has code %q for variables %q", e.Message, code, vars)
			}
		}
		if now := fuzzHead(t, h); len(resp.Errors) > 0 && !written && now != head {
			t.Fatalf("a refused request moved the log's head from %s to %s", head, now)
		}
	})
}

// fuzzHead is h.head for a fuzz target, which must report through its own t.
func fuzzHead(t *testing.T, h *harness) eventstore.Position {
	p, err := h.node.Store.Head(t.Context())
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	return p
}
