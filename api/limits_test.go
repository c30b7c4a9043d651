package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
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

// Each token has a bucket of its own at its role's rate (twice the rate at once):
// roles have their own limits, two tokens of one organisation — even of one user —
// never share a bucket, one token cannot go past its own, and a neighbour hammering
// the API with its own or with forged tokens leaves everyone else's requests alone.
// The limiter's clock is stopped: no bucket refills during the test.
func TestRateLimitsPerRoleAndToken(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	n := h.node
	stopped := func() time.Time { return testStart }
	handler := api.NewHandler(api.Config{Service: n.Service, Readiness: n.Runner, Verifier: h.verifier(), RateClock: stopped,
		RateLimits:  api.RateLimits{Default: 1, Roles: map[app.Role]float64{app.RoleBank: 2.5}},
		CORSOrigins: []string{"https://dashboard.example.org"}})
	post := func(token, origin string) recorded {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		rec := newRecorder()
		handler.ServeHTTP(rec, req)
		return rec.Result()
	}
	// within sends n requests with token that must pass, then one that must not.
	within := func(who, token string, n int) {
		t.Helper()
		for i := range n {
			if r := post(token, ""); r.StatusCode != 200 {
				t.Fatalf("%s: request %d of %d within the burst: HTTP %d", who, i+1, n, r.StatusCode)
			}
		}
		r := post(token, "")
		if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" || !strings.Contains(r.Body, `"code":"RATE_LIMITED"`) {
			t.Errorf("%s past the burst of %d: HTTP %d, Retry-After %q, %s; want 429, 1, RATE_LIMITED", who, n, r.StatusCode, r.Header.Get("Retry-After"), r.Body)
		}
	}
	bank := app.Actor{ID: "bank-sys", Role: app.RoleBank, Organisation: "bank-a"}

	// Two roles, two limits: a caseworker 1/s (2 at once), a bank 2.5/s (5 at once).
	ana := h.token(caseworker)
	within("a caseworker", ana, 2)
	within("a bank", h.token(bank), 5)
	// One token cannot escape its limit: it stays refused.
	if r := post(ana, ""); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("an exhausted token again: HTTP %d, want 429", r.StatusCode)
	}

	// Other tokens of the same organisation: another user's, and the same user's
	// second token, each with a bucket of its own.
	within("another caseworker of the same shelter", h.token(app.Actor{ID: "cy", Role: app.RoleCaseworker, Organisation: "shelter-a"}), 2)
	within("the same caseworker's second token", h.token(caseworker), 2)

	// The victim next to the attacker: forged tokens naming the victim (signed with
	// another key) draw on the sender's address, never on the victim's bucket; the
	// attacker's own exhausted token leaves the victim's alone.
	forger := testIssuer(t)
	for range 5 {
		forged, _, err := forger.Issue(otherWorker.ID, otherWorker.Organisation, string(otherWorker.Role), time.Hour, testStart)
		if err != nil {
			t.Fatal(err)
		}
		post(forged, "")
	}
	victim := h.token(otherWorker)
	within("the victim, next to the attacker", victim, 2)

	// CORS: the allowed origin gets its headers (even on a refusal), another does not.
	bo := h.token(otherWorker)
	if r := post(bo, "https://dashboard.example.org"); r.Header.Get("Access-Control-Allow-Origin") != "https://dashboard.example.org" {
		t.Errorf("allowed origin: headers %v", r.Header)
	}
	if r := post(bo, "https://evil.example.com"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a foreign origin got CORS headers: %v", r.Header)
	}
}

func TestParseRateLimits(t *testing.T) {
	good := map[string]string{
		"default=20,bank=100,bureau=100": "default=20,bank=100,bureau=100",
		" bank = 50 , caseworker=0.5 ":   "default=20,caseworker=0.5,bank=50",
		"default=1e9":                    "default=1e+09",
	}
	for in, want := range good {
		l, err := api.ParseRateLimits(in)
		if err != nil || l.String() != want {
			t.Errorf("ParseRateLimits(%q) = %q, %v; want %q", in, l.String(), err, want)
		}
	}
	if l := api.DefaultRateLimits(); l.For(app.RoleBank) != 100 || l.For(app.RoleBureau) != 100 || l.For(app.RoleCaseworker) != api.DefaultRate || l.For("") != api.DefaultRate {
		t.Errorf("the default limits: %s", l)
	}
	// Each bad table is refused naming the bad part.
	bad := map[string]string{
		"":                      "empty",
		"bank=100,,bureau=1":    `""`,
		"bank":                  `"bank"`,
		"banks=100":             `"banks=100": "banks" is not a role`,
		"bank=fast":             `"bank=fast": the rate must be`,
		"bank=0":                `"bank=0"`,
		"bank=-5":               `"bank=-5"`,
		"bank=NaN":              `"bank=NaN"`,
		"bank=+Inf":             `"bank=+Inf"`,
		"bank=1,bank=2":         `"bank=2": bank is named twice`,
		"default=5,default=6":   `"default=6"`,
		"bank=100,caseworker=x": `"caseworker=x"`,
	}
	for in, want := range bad {
		_, err := api.ParseRateLimits(in)
		if !errors.Is(err, api.ErrBadRateLimits) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRateLimits(%q): %v; want an error naming %s", in, err, want)
		}
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

// recorder is a ResponseWriter whose Result keeps the body as text.
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Result() recorded {
	if r.status == 0 {
		r.status = 200
	}
	return recorded{StatusCode: r.status, Header: r.header, Body: r.body.String()}
}

type recorded struct {
	StatusCode int
	Header     http.Header
	Body       string
}
