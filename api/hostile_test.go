package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/domain"
)

// injections are strings an attacker tries in text fields: SQL, markup, templates,
// shell, paths, format verbs, NoSQL operators, NATS subject wildcards and JSON
// breakers. Waymark stores text as data and interprets none of it.
var injections = []string{
	`'; DROP TABLE cases; --`,
	`" OR "1"="1`,
	`<script>alert(1)</script>`,
	`{{7*7}} ${7*7} #{7*7}`,
	`$(touch /tmp/pwned); rm -rf /`,
	`../../../../etc/passwd`,
	`%s%n%x%d`,
	`{"$gt": ""}`,
	`case.*.> $JS.API.STREAM.DELETE.EVENTS`,
	`"},"role":"admin","x":{"`,
}

// hostileRequest is one row of TestHostileRequests.
type hostileRequest struct {
	name       string
	body       []byte
	token      string // default: a caseworker's
	wantStatus int
	wantCode   string
}

// TestHostileRequests: each hostile request gets its coded error and HTTP status,
// the log's head does not move, and the server still answers the next caller.
func TestHostileRequests(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("hostile-refer")
	token := h.token(caseworker)

	other, err := auth.GenerateSigningKey("test-key") // the real key's id, another key
	if err != nil {
		t.Fatal(err)
	}
	forged, _, err := auth.Issuer{Key: other, Issuer: h.issuer.Issuer, Audience: h.issuer.Audience}.
		Issue(admin.ID, "", string(admin.Role), time.Hour, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	expired, _, err := h.issuer.Issue(caseworker.ID, caseworker.Organisation, string(caseworker.Role), time.Hour, h.clock.Now().Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	post := func(query string, vars map[string]any) []byte {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return b
	}
	const note = `mutation($in: AddCaseNoteInput!) { addCaseNote(input: $in) { version } }`
	noteIn := func(caseID, text string) map[string]any {
		return map[string]any{"in": map[string]any{"commandId": "hostile-" + fmt.Sprint(len(text)), "caseId": caseID, "text": text}}
	}
	// 100 levels: __schema, types, then 98 of ofType (a chain gqlparser's own
	// introspection rule lets through, so that the depth limit is what refuses it).
	nested := "query { __schema { types { " + strings.Repeat("ofType { ", 98) + "name" + strings.Repeat(" }", 100) + " }"
	var aliases strings.Builder
	aliases.WriteString("query {")
	for i := range 10000 {
		fmt.Fprintf(&aliases, " a%d: case(id: %q) { id }", i, id)
	}
	aliases.WriteString(" }")

	tests := []hostileRequest{
		{"malformed JSON", []byte(`{"query": "{ __typename }"`), "", 400, "BAD_REQUEST"},
		{"JSON with a NUL byte in a key", []byte("{\"que\x00ry\": 1}"), "", 400, "BAD_REQUEST"},
		{"a 10 MB body", append(append([]byte(`{"query":"`), bytes.Repeat([]byte("a"), 10<<20)...), `"}`...), "", 413, "PAYLOAD_TOO_LARGE"},
		{"depth 100", post(nested, nil), "", 200, "DEPTH_LIMIT_EXCEEDED"},
		{"10,000 aliases", post(aliases.String(), nil), "", 200, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"an invalid UUID as a case id", post(note, noteIn("not-a-uuid", "x")), "", 200, "NOT_FOUND"},
		{"the nil UUID as a case id", post(note, noteIn("00000000-0000-0000-0000-000000000000", "x")), "", 200, "NOT_FOUND"},
		{"an unknown enum value", post(`mutation($in: NeedInput!) { identifyNeed(input: $in) { version } }`,
			map[string]any{"in": map[string]any{"commandId": "hostile-need", "caseId": id, "need": "A_PONY"}}), "", 200, "BAD_USER_INPUT"}, // application/json: 200 (graphqlhttp_test.go),
		{"an oversized note", post(note, noteIn(id, strings.Repeat("n", domain.MaxNoteLength+1))), "", 200, "BAD_USER_INPUT"},
		{"a note of control characters", post(note, noteIn(id, "\x00\x1b[2J")), "", 200, "BAD_USER_INPUT"},
		{"an expired token", post(note, noteIn(id, "x")), expired, 401, "UNAUTHENTICATED"},
		{"a forged token (the key id of the real key, another key)", post(note, noteIn(id, "x")), forged, 401, "UNAUTHENTICATED"},
		{"a token that is not a JWT", post(note, noteIn(id, "x")), "' OR 1=1 --", 401, "UNAUTHENTICATED"},
	}
	for _, inj := range injections {
		tests = append(tests,
			hostileRequest{"injection as a case id: " + inj, post(note, noteIn(inj, "x")), "", 200, "NOT_FOUND"},
			hostileRequest{"injection as a case read's id: " + inj, post(`query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": inj}), "", 200, "NOT_FOUND"},
		)
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head := h.head()
			tok := tc.token
			if tok == "" {
				tok = token
			}
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/graphql", bytes.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := h.srv.Client().Do(req)
			if err != nil {
				t.Fatalf("post: %v", err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var out gqlResponse
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatalf("HTTP %d, not JSON: %.200s", resp.StatusCode, raw)
			}
			if resp.StatusCode != tc.wantStatus || out.code() != tc.wantCode {
				t.Errorf("HTTP %d %q, want %d %q: %.300s", resp.StatusCode, out.code(), tc.wantStatus, tc.wantCode, raw)
			}
			if out.Errors[0].Message == "" {
				t.Error("no sentence with the code")
			}
			if got := h.head(); got != head {
				t.Errorf("the log's head moved from %s to %s", head, got)
			}
			// The server still serves the next caller.
			var ok struct{ Case struct{ ID string } }
			h.must(otherWorker, `query { organisations { id } }`, nil, nil)
			h.must(caseworker, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": id}, &ok)
			if ok.Case.ID != id {
				t.Errorf("after it, the case reads as %+v", ok)
			}
		})
	}
}

// TestInjectionStringsAreData: every injection string in every free-text field of a
// referral and in a note is stored and read back as the same text, or refused with
// BAD_USER_INPUT by the field's own rule, never interpreted and never INTERNAL.
func TestInjectionStringsAreData(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	for i, inj := range injections {
		in := referInput(fmt.Sprintf("inj-refer-%d", i))
		in["survivor"] = map[string]any{"fullName": inj, "aliases": []string{inj}, "address": inj, "phone": "+52 55 0000 1111"}
		resp := h.do(caseworker, referMutation, map[string]any{"in": in})
		if len(resp.Errors) > 0 {
			if resp.code() != "BAD_USER_INPUT" {
				t.Errorf("referral with %q: %q %+v", inj, resp.code(), resp.Errors)
			}
			continue
		}
		var referred struct{ ReferSurvivor caseResult }
		if err := json.Unmarshal(resp.Data, &referred); err != nil {
			t.Fatal(err)
		}
		id := referred.ReferSurvivor.CaseID
		noted, noteResp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": fmt.Sprintf("inj-note-%d", i), "caseId": id, "text": inj})
		if len(noteResp.Errors) > 0 {
			t.Errorf("note %q: %q %+v", inj, noteResp.code(), noteResp.Errors)
			continue
		}
		var got struct {
			Case struct {
				Identity struct {
					FullName string
					Aliases  []string
					Address  string
				}
				Notes []struct{ Text string }
			}
		}
		// minPosition: read this write, not the read model as it was a moment before.
		h.must(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { identity { fullName aliases address } notes { text } } }`,
			map[string]any{"id": id, "min": noted.Position}, &got)
		c := got.Case
		if c.Identity.FullName != inj || len(c.Identity.Aliases) != 1 || c.Identity.Aliases[0] != inj || c.Identity.Address != inj ||
			len(c.Notes) != 1 || c.Notes[0].Text != inj {
			t.Errorf("%q read back as %+v", inj, c)
		}
	}
}
