package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/eventstore"
)

func TestQueryLimits(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	deep := `{ cases { edges { node { owningOrganisation { id } consent { grants { recipient { id } } } banking { applications { bank { name } } } } } } }`
	if resp := h.do(caseworker, deep, nil); len(resp.Errors) > 0 {
		t.Fatalf("an honest query was refused: %+v", resp.Errors)
	}
	if resp := h.do(caseworker, "{ __typename }", nil); len(resp.Errors) > 0 {
		t.Fatalf("typename: %+v", resp.Errors)
	}
	wide := "{ " + strings.Repeat("a: organisations { id name kind jurisdiction services } ", 1)
	for i := range 120 {
		wide += " o" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + ": organisations { id name kind jurisdiction }"
	}
	wide += " }"
	if code := h.do(caseworker, wide, nil).code(); code != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("a query of complexity > %d: %q", api.MaxComplexity, code)
	}
	// A full page with every identity field fits the budget; four pages of names do not.
	fullPage := `{ cases(first: 100) { totalCount pageInfo { endCursor } edges { cursor node { id stage status
	  identity { fullName aliases dateOfBirth phone email address documents { id kind documentNumber status } } } } } }`
	if resp := h.do(caseworker, fullPage, nil); len(resp.Errors) > 0 {
		t.Errorf("a full page of identities was refused: %+v", resp.Errors)
	}
	names := "{"
	for i := range 4 {
		names += fmt.Sprintf(" p%d: cases(first: 100) { edges { node { identity { fullName } } } }", i)
	}
	if code := h.do(caseworker, names+" }", nil).code(); code != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("four pages of names: %q, want COMPLEXITY_LIMIT_EXCEEDED", code)
	}
	if code := h.do(caseworker, `{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } }`, nil).code(); code != "DEPTH_LIMIT_EXCEEDED" {
		t.Errorf("a 12-level query: %q, want DEPTH_LIMIT_EXCEEDED", code)
	}
	if code := h.do(caseworker, `{ __schema { types { name } } }`, nil).code(); code != "FORBIDDEN" {
		t.Errorf("introspection without --dev: %q, want it refused", code)
	}
}

func TestRateLimitAndCORS(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	n := h.node
	handler := api.NewHandler(api.Config{Service: n.Service, Readiness: n.Runner, Verifier: h.verifier(),
		RatePerSecond: 1, RateBurst: 3, CORSOrigins: []string{"https://dashboard.example.org"}})
	post := func(token, origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		rec := newRecorder()
		handler.ServeHTTP(rec, req)
		return rec.Result()
	}
	ana, bo := h.token(caseworker), h.token(otherWorker)
	for i := range 3 {
		if r := post(ana, ""); r.StatusCode != 200 {
			t.Fatalf("request %d within the burst: HTTP %d", i, r.StatusCode)
		}
	}
	if r := post(ana, ""); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("past the burst: HTTP %d, want 429", r.StatusCode)
	}
	if r := post(bo, ""); r.StatusCode != 200 {
		t.Errorf("another token is limited separately: HTTP %d", r.StatusCode)
	}
	if r := post(bo, "https://dashboard.example.org"); r.Header.Get("Access-Control-Allow-Origin") != "https://dashboard.example.org" {
		t.Errorf("allowed origin: headers %v", r.Header)
	}
	if r := post(bo, "https://evil.example.com"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a foreign origin got CORS headers: %v", r.Header)
	}
}

// A sealed object that was tampered with, or moved from another case, never opens: the
// read fails (INTERNAL, nothing leaks) rather than return wrong or foreign data.
func TestTamperedAndMovedCiphertexts(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	a := h.refer("t-a")
	b := h.refer("t-b")
	h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "t-note-a", "caseId": a, "text": "secret of case a"})
	ctx := context.Background()
	eventsA, err := h.node.Store.ReadStream(ctx, "case-"+a, 0)
	if err != nil {
		t.Fatal(err)
	}
	var sealed []byte
	if err := jsonField(eventsA[1].Data, "personal", &sealed); err != nil {
		t.Fatal(err)
	}
	plant := func(caseID, eventID string, personal json.RawMessage) {
		data, _ := json.Marshal(map[string]any{"noteId": eventID, "at": testStart, "personal": personal})
		_, err := h.node.Store.Append(ctx, "case-"+caseID, eventstore.Any, eventstore.EventData{
			ID: eventID, Type: "CaseNoteAdded", SchemaVersion: 1, Data: data,
			Metadata: eventstore.Metadata{Actor: "intruder", Role: "caseworker", RecordedAt: testStart},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The same bytes, under case b; and a copy with one byte of the ciphertext changed.
	plant(b, eventsA[1].ID, sealed)
	tampered := []byte(strings.Replace(string(sealed), `"c":"`, `"c":"A`, 1))
	plant(a, "00000000-0000-7000-8000-00000000beef", tampered)

	for _, id := range []string{a, b} {
		resp := h.do(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { notes { text } } }`,
			map[string]any{"id": id, "min": h.head().String()})
		if resp.code() != "INTERNAL" || strings.Contains(string(resp.Data), "secret of case a") {
			t.Errorf("case %s with a foreign or tampered note: %q %s", id, resp.code(), resp.Data)
		}
	}
}

type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Result() *http.Response {
	if r.status == 0 {
		r.status = 200
	}
	return &http.Response{StatusCode: r.status, Header: r.header}
}
