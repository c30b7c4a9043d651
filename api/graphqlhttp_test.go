package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/api"
)

const (
	mediaGQL  = "application/graphql-response+json"
	mediaJSON = "application/json"
)

// GraphQL over HTTP as the specification says, per media type: a request that never
// ran (a document that does not parse or validate, variables that do not coerce, a
// limit) has no data entry and keeps its code, with 400 in
// application/graphql-response+json and 200 in application/json; a request that ran
// is 200 with data either way; every answer is Cache-Control: no-store. The
// graphql-http audit checks the same against the real binary
// (cmd/waymark/graphqlspec_test.go); this names Waymark's own codes.
func TestGraphQLOverHTTPStatusesAndMediaTypes(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	failures := []struct {
		name, query string
		vars        map[string]any
		code        string
	}{
		{"parse", `{ organisation(`, nil, "GRAPHQL_PARSE_FAILED"},
		{"validation", `{ noSuchField }`, nil, "GRAPHQL_VALIDATION_FAILED"},
		{"variable coercion", `query($id: ID!) { organisation(id: $id) { id } }`, map[string]any{"id": []int{1}}, "BAD_USER_INPUT"},
		{"an Int variable given as a string", `query($n: Int) { cases(first: $n) { pageInfo { hasNextPage } } }`, map[string]any{"n": "5"}, "BAD_USER_INPUT"},
		{"depth limit", `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }`, nil, "DEPTH_LIMIT_EXCEEDED"},
		{"subscription by POST", `subscription { workChanged { caseId } }`, nil, "BAD_REQUEST"},
	}
	for _, media := range []struct{ accept, want string }{
		{"", mediaJSON},
		{"application/json", mediaJSON},
		{"*/*", mediaJSON},
		{"application/graphql-response+json", mediaGQL},
		{"application/graphql-response+json, application/json", mediaGQL},
	} {
		status := map[string]int{mediaJSON: 200, mediaGQL: 400}[media.want]
		headers := map[string]string{"Accept": media.accept}
		for _, f := range failures {
			r := h.send(http.MethodPost, "/graphql", caseworker, map[string]any{"query": f.query, "variables": f.vars}, headers)
			checkAnswer(t, "Accept "+media.accept+", "+f.name, r, status, media.want, f.code, false)
		}
		// Executed, with a field error: 200 and data, in both.
		r := h.send(http.MethodPost, "/graphql", caseworker, map[string]any{"query": `{ organisation(id: "nope") { id } }`}, headers)
		checkAnswer(t, "Accept "+media.accept+", a field error", r, 200, media.want, "NOT_FOUND", true)
		// GET: queries, with the same limits; a mutation is 405, Allow: POST.
		get := func(query string) exchange {
			return h.send(http.MethodGet, "/graphql?query="+url.QueryEscape(query), caseworker, nil, headers)
		}
		if r := get(`{ organisation(id: "shelter-a") { id } }`); r.status != 200 || !strings.Contains(r.body, `"shelter-a"`) {
			t.Errorf("Accept %s, GET query: HTTP %d %s", media.accept, r.status, r.body)
		}
		checkAnswer(t, "Accept "+media.accept+", GET depth limit", get(failures[4].query), status, media.want, "DEPTH_LIMIT_EXCEEDED", false)
		r = get(`mutation { __typename }`)
		checkAnswer(t, "Accept "+media.accept+", GET mutation", r, http.StatusMethodNotAllowed, media.want, "BAD_REQUEST", false)
		if r.header.Get("Allow") != "POST" {
			t.Errorf("Accept %s, GET mutation: Allow %q, want POST", media.accept, r.header.Get("Allow"))
		}
		// Refused before GraphQL: the same media type, a code, no data.
		r = h.send(http.MethodPost, "/graphql", caseworker, "not an object", headers)
		checkAnswer(t, "Accept "+media.accept+", a body that is not an object", r, 400, media.want, "BAD_REQUEST", false)
		r = h.send(http.MethodPost, "/graphql", caseworker, map[string]any{"query": "{ __typename }"},
			map[string]string{"Accept": media.accept, "Authorization": "Bearer not-a-token"})
		checkAnswer(t, "Accept "+media.accept+", a bad token", r, 401, media.want, "UNAUTHENTICATED", false)
	}
	// A client that takes neither media type: 406, told what to accept.
	r := h.send(http.MethodPost, "/graphql", caseworker, map[string]any{"query": "{ __typename }"}, map[string]string{"Accept": "text/html"})
	checkAnswer(t, "Accept text/html", r, http.StatusNotAcceptable, mediaJSON, "NOT_ACCEPTABLE", false)
}

// A rate-limited request keeps its 429 and Retry-After, with a coded error in the
// media type the client accepts.
func TestRateLimitedInTheNegotiatedMediaType(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	n := h.node
	handler := api.NewHandler(api.Config{Service: n.Service, Readiness: n.Runner, Verifier: h.verifier(),
		RateClock: func() time.Time { return testStart }, RateLimits: api.RateLimits{Default: 1}})
	token := h.token(caseworker)
	for i, accept := range []string{mediaGQL, mediaGQL, mediaGQL, mediaJSON} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if i < 2 { // the burst: twice the rate
			continue
		}
		r := exchange{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
		checkAnswer(t, "past the burst, Accept "+accept, r, http.StatusTooManyRequests, accept, "RATE_LIMITED", false)
		if r.header.Get("Retry-After") != "1" {
			t.Errorf("past the burst, Accept %s: Retry-After %q, want 1", accept, r.header.Get("Retry-After"))
		}
	}
}

// checkAnswer checks an answer's status, media type, no-store, first error code, and
// whether it has a data entry.
func checkAnswer(t *testing.T, what string, r exchange, status int, media, code string, data bool) {
	t.Helper()
	var body map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Errorf("%s: the body is not a JSON object: %s", what, r.body)
		return
	}
	var errs []struct {
		Extensions struct{ Code string }
	}
	_ = json.Unmarshal(body["errors"], &errs)
	_, hasData := body["data"]
	if r.status != status || r.header.Get("Content-Type") != media+"; charset=utf-8" || len(errs) == 0 || errs[0].Extensions.Code != code || hasData != data {
		t.Errorf("%s: HTTP %d %q %s; want %d %s, %s, data entry %v", what, r.status, r.header.Get("Content-Type"), r.body, status, media, code, data)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, r.header.Get("Cache-Control"))
	}
}
