package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Personal data in a request that fails — in any shape — is never logged by the
// server nor repeated in its answer. The markers are a survivor's name, phone
// number, address and note text; every request below is malformed somewhere.
func TestNoPersonalDataInLogsOrErrors(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("leak-refer")
	markers := []string{"Zaneta Quillfeather", "+52 55 9876 5432", "Calle Secreta 77", "she hid at her cousin's flat"}
	survivor := map[string]any{"fullName": markers[0], "phone": markers[1], "address": markers[2]}
	refer := func(extra map[string]any) map[string]any {
		in := referInput("leak-1")
		in["survivor"] = survivor
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	note := `mutation($in: AddCaseNoteInput!) { addCaseNote(input: $in) { version } }`
	noteIn := func(extra map[string]any) map[string]any {
		in := map[string]any{"commandId": "leak-n", "caseId": id, "text": markers[3]}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	varsBody := func(query string, vars any) string { return js(map[string]any{"query": query, "variables": vars}) }

	bodies := map[string]string{
		"a trailing comma": strings.TrimSuffix(varsBody(referMutation, map[string]any{"in": refer(nil)}), "}") + `,}`,
		"variables is a number, the document full of data": js(map[string]any{"variables": 5,
			"query": `mutation { referSurvivor(input: {survivor: {fullName: "` + markers[0] + `", phone: "` + markers[1] + `"}}) { caseId } }`}),
		"a JSON array":      "[" + varsBody(referMutation, map[string]any{"in": refer(nil)}) + "]",
		"query is a number": js(map[string]any{"query": 7, "variables": map[string]any{"in": refer(nil)}}),
		"an unterminated document": js(map[string]any{
			"query": `mutation { addCaseNote(input: {commandId: "x", caseId: "` + id + `", text: "` + markers[3] + `"}) { version }`}),
		"a string after the document": js(map[string]any{"query": `{ __typename } "` + markers[3] + `"`}),
		"a name where an enum goes, in the document": js(map[string]any{
			"query": `{ cases(filter: {stage: "` + markers[0] + `"}) { totalCount } }`}),
		"a phone number where an Int goes, in the document": js(map[string]any{
			"query": `{ cases(first: "` + markers[1] + `") { totalCount } }`}),
		"a name where an enum goes, in variables": varsBody(`mutation($in: NeedInput!) { identifyNeed(input: $in) { version } }`,
			map[string]any{"in": map[string]any{"commandId": "leak-e", "caseId": id, "need": markers[0]}}),
		"a name as an unknown field":                     varsBody(note, map[string]any{"in": noteIn(map[string]any{markers[0]: markers[1]})}),
		"a phone number where an Int goes, in variables": varsBody(note, map[string]any{"in": noteIn(map[string]any{"expectedVersion": markers[1]})}),
		"an address where a Time goes": varsBody(`mutation($in: GrantConsentInput!) { grantConsent(input: $in) { version } }`,
			map[string]any{"in": map[string]any{"commandId": "leak-t", "caseId": id, "recipientOrganisationId": "bank-a",
				"categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": markers[2]}}),
		"a note where a list goes":   varsBody(referMutation, map[string]any{"in": refer(map[string]any{"needs": map[string]any{"x": markers[3]}})}),
		"an unknown top-level field": js(map[string]any{"query": "{ __typename }", markers[0]: markers[3]}),
		"a body over 1 MiB":          varsBody(referMutation, map[string]any{"in": refer(map[string]any{"jurisdiction": strings.Repeat(markers[3], 40000)})}),
	}
	check := func(what, response string) {
		t.Helper()
		for _, m := range markers {
			if strings.Contains(response, m) {
				t.Errorf("%s: the response repeats %q: %.400s", what, m, response)
			}
		}
	}
	for name, body := range bodies {
		for _, chunked := range []bool{false, true} {
			r := h.rawRequest(http.MethodPost, "application/json", []byte(body), chunked)
			check(name, r.body)
			if r.gql.code() == "" || r.gql.code() == "INTERNAL" {
				t.Errorf("%s: HTTP %d %q: %.300s", name, r.status, r.gql.code(), r.body)
			}
		}
		r := h.rawRequest(http.MethodPost, "text/plain", []byte(body), false)
		check(name+" as text/plain", r.body)
	}
	// GET: the same data in the URL, malformed.
	for name, query := range map[string]string{
		"GET with bad variables": "query=" + url.QueryEscape(note) + "&variables=" + url.QueryEscape(`{"in": {"text": "`+markers[3]+`",}}`),
		"GET with a mutation":    "query=" + url.QueryEscape(`mutation { addCaseNote(input: {commandId: "g", caseId: "`+id+`", text: "`+markers[3]+`"}) { version } }`),
		"GET with a bad enum":    "query=" + url.QueryEscape(`{ cases(filter: {stage: "`+markers[0]+`"}) { totalCount } }`),
	} {
		check(name, h.get("/graphql?"+query).body)
	}
	logs := h.logs.String()
	for _, m := range markers {
		if strings.Contains(logs, m) {
			i := strings.Index(logs, m)
			t.Errorf("the server log holds %q: …%s…", m, logs[max(0, i-200):min(len(logs), i+100)])
		}
	}
	if bytes.Contains([]byte(logs), []byte("json request body could not be decoded")) {
		t.Errorf("gqlgen's own POST transport answered")
	}
}
