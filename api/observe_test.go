package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/internal/metrics"
)

// exchange is one HTTP request to the harness's public server and its answer.
type exchange struct {
	status int
	header http.Header
	body   string
}

// send makes a request to the public server: a GraphQL body (nil: none) as actor (the
// zero Actor sends no token), with extra headers.
func (h *harness) send(method, path string, actor app.Actor, body any, headers map[string]string) exchange {
	h.t.Helper()
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		reader = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, reader)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if actor.ID != "" {
		req.Header.Set("Authorization", "Bearer "+h.token(actor))
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return exchange{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// get fetches url (another server's) and returns its status and body.
func getURL(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The admin listener of a real node serves the metric families after a command, a
// conflict, a read of personal data, a rate-limit refusal and a GraphQL query, and Go's
// profiles; the public listener serves neither.
func TestMetricsOnARealNode(t *testing.T) {
	reg := metrics.New()
	// 10 requests a second, 20 at once.
	h := newHarnessWith(t, func(h *harness) { h.metrics, h.rates = reg, api.RateLimits{Default: 10} })
	admin := httptest.NewServer(reg.AdminHandler()) // what serve puts on --admin-addr
	defer admin.Close()

	h.coalition()
	id := h.refer("metrics-refer")
	stale := 0
	if _, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{
		"commandId": "metrics-stale", "caseId": id, "text": "a note", "expectedVersion": stale}); resp.code() != "CONFLICT" {
		t.Fatalf("a stale expectedVersion: %+v, want CONFLICT", resp.Errors)
	}
	h.must(caseworker, `query Count { cases(first: 1) { totalCount } }`, nil, nil)
	h.must(caseworker, `query($id: ID!) { case(id: $id) { identity { fullName } } }`, map[string]any{"id": id}, nil)
	// One caller (one token: the limit's key) over its burst: refused with RATE_LIMITED
	// within a few requests.
	flooder := map[string]string{"Authorization": "Bearer " + h.token(app.Actor{ID: "flood", Role: app.RoleCaseworker, Organisation: "shelter-a"})}
	refused := false
	for range 100 {
		if r := h.send(http.MethodPost, "/graphql", app.Actor{}, map[string]any{"query": "{ __typename }"}, flooder); r.status == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	if !refused {
		t.Fatal("100 requests at a burst of 20 and 10/s: none refused")
	}

	status, got := getURL(t, admin.URL+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics: HTTP %d", status)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`waymark_commands_total\{outcome="ok",type="ReferSurvivor"\} 1\n`),
		regexp.MustCompile(`waymark_commands_total\{outcome="ok",type="RegisterOrganisation"\} 8\n`),
		regexp.MustCompile(`waymark_commands_total\{outcome="conflict",type="AddCaseNote"\} 1\n`),
		regexp.MustCompile(`waymark_append_duration_seconds_count 9\n`),
		regexp.MustCompile(`waymark_append_conflicts_total 0\n`),
		regexp.MustCompile(`waymark_graphql_request_duration_seconds_count\{operation_type="query",root_field="cases"\} 1\n`),
		regexp.MustCompile(`waymark_graphql_request_duration_seconds_count\{operation_type="mutation",root_field="referSurvivor"\} 1\n`),
		regexp.MustCompile(`waymark_graphql_request_duration_seconds_count\{operation_type="none",root_field="none"\} 1\n`), // the refused one
		regexp.MustCompile(`waymark_rate_limited_total\{caller="token"\} 1\n`),
		regexp.MustCompile(`waymark_access_log_entries_total\{outcome="stored"\} [1-9]`),
		regexp.MustCompile(`waymark_access_log_round_entries_count [1-9]`),
		regexp.MustCompile(`waymark_read_model_behind\{read_model="projections"\} \d+\n`),
		regexp.MustCompile(`waymark_read_model_delay_seconds_count\{read_model="projections"\} [1-9]`),
		regexp.MustCompile(`go_goroutines \d+`),
		regexp.MustCompile(`process_resident_memory_bytes `),
	} {
		if !want.MatchString(got) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// No id, subject or text of any request in any label.
	for _, private := range []string{id, "flood", "ana", "shelter-a", "a note", "Zaneta Quillfeather"} {
		if strings.Contains(got, `"`+private+`"`) || strings.Contains(got, private+" ") {
			t.Errorf("/metrics holds %q", private)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", waymarkLines(got))
	}

	if status, body := getURL(t, admin.URL+"/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("admin /debug/pprof/: HTTP %d %.200s", status, body)
	}
	for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/goroutine", "/debug/pprof/cmdline"} {
		if r := h.send(http.MethodGet, path, app.Actor{}, nil, nil); r.status != http.StatusNotFound {
			t.Errorf("public GET %s: HTTP %d, want 404", path, r.status)
		}
	}
}

func waymarkLines(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "waymark_") && !strings.Contains(line, "_bucket{") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// requestLines returns the request log's lines in logs, each as its key=value fields.
func requestLines(logs string) []map[string]string {
	var out []map[string]string
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, " msg=request ") {
			continue
		}
		fields := map[string]string{}
		for _, kv := range strings.Fields(line) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				fields[k] = v
			}
		}
		out = append(out, fields)
	}
	return out
}

// One log line per request, with what identifies the request and its caller, and
// nothing of what it carried: a variable's value and a string in the document appear
// nowhere in the log.
func TestRequestLog(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("log-refer")
	before := len(requestLines(h.logs.String()))

	const variable, literal = "Wilhelmina-Variable-7781", "Dorothea-Literal-5523"
	const traceID, spanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	traceparent := "00-" + traceID + "-" + spanID + "-01"
	query := `query FindThings($id: ID!) { case(id: $id) { id } organisation(id: "` + literal + `") { id } ` +
		`c2: case(id: $id) { version } __typename @skip(if: false) } # a comment`
	sent := []struct {
		name    string
		method  string
		path    string
		actor   app.Actor
		body    any
		headers map[string]string
		want    map[string]string // fields the line must have ("" : must not have)
		level   string
	}{
		{name: "a query with a variable and a literal", method: http.MethodPost, path: "/graphql", actor: caseworker,
			body:    map[string]any{"query": query, "operationName": "FindThings", "variables": map[string]any{"id": variable}},
			headers: map[string]string{"X-Request-Id": "client-req-1", "traceparent": traceparent},
			want: map[string]string{"request_id": "client-req-1", "method": "POST", "path": "/graphql", "status": "200",
				"op_type": "query", "op_fields": "case,organisation,__typename", "op_name": "FindThings",
				"subject": "ana", "org": "shelter-a", "role": "caseworker", "trace_id": traceID, "span_id": spanID},
			level: "INFO"},
		{name: "a mutation with a bad request id and a bad traceparent", method: http.MethodPost, path: "/graphql", actor: caseworker,
			body: map[string]any{"query": `mutation($in: AddCaseNoteInput!) { addCaseNote(input: $in) { version } }`,
				"variables": map[string]any{"in": map[string]any{"commandId": "log-note", "caseId": id, "text": variable}}},
			headers: map[string]string{"X-Request-Id": "not a good id!", "traceparent": "00-" + traceID + "-0000000000000000-01"},
			want: map[string]string{"status": "200", "op_type": "mutation", "op_fields": "addCaseNote", "op_name": "",
				"subject": "ana", "trace_id": "", "span_id": ""},
			level: "INFO"},
		{name: "no token", method: http.MethodPost, path: "/graphql", body: map[string]any{"query": "{ __typename }"},
			headers: map[string]string{"traceparent": "garbage"},
			want:    map[string]string{"status": "401", "subject": "", "op_type": "", "trace_id": ""}, level: "INFO"},
		{name: "a probe", method: http.MethodGet, path: "/healthz", want: map[string]string{"status": "200", "path": "/healthz"}, level: "DEBUG"},
		{name: "a path nothing serves", method: http.MethodGet, path: "/" + literal, want: map[string]string{"status": "404", "path": "-"}, level: "INFO"},
	}
	ids := make([]string, len(sent))
	for i, s := range sent {
		r := h.send(s.method, s.path, s.actor, s.body, s.headers)
		ids[i] = r.header.Get("X-Request-Id")
		switch want := s.headers["X-Request-Id"]; {
		case want == "client-req-1" && ids[i] != want:
			t.Errorf("%s: X-Request-Id %q, want the caller's echoed", s.name, ids[i])
		case want != "client-req-1" && !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(ids[i]):
			t.Errorf("%s: X-Request-Id %q, want one drawn (32 hex digits)", s.name, ids[i])
		}
		if tp := r.header.Get("traceparent"); (s.headers["traceparent"] == traceparent) != (tp == traceparent) {
			t.Errorf("%s: traceparent echoed as %q", s.name, tp)
		}
		if strings.Contains(r.body, "INTERNAL") {
			t.Errorf("%s: %s", s.name, r.body)
		}
	}
	lines := requestLines(h.logs.String())
	if got := len(lines) - before; got != len(sent) {
		t.Errorf("%d request lines for %d requests", got, len(sent))
	}
	for i, s := range sent {
		var line map[string]string
		for _, l := range lines {
			if l["request_id"] == ids[i] {
				if line != nil {
					t.Errorf("%s: two lines with request id %s", s.name, ids[i])
				}
				line = l
			}
		}
		if line == nil {
			t.Errorf("%s: no line with request id %s", s.name, ids[i])
			continue
		}
		if line["level"] != s.level {
			t.Errorf("%s: level %s, want %s", s.name, line["level"], s.level)
		}
		for _, k := range []string{"method", "path", "status", "duration_ms", "bytes"} {
			if line[k] == "" {
				t.Errorf("%s: no %s in %v", s.name, k, line)
			}
		}
		for k, v := range s.want {
			if got, ok := line[k]; v == "" && ok || v != "" && got != v {
				t.Errorf("%s: %s=%q, want %q", s.name, k, got, v)
			}
		}
	}
	logs := h.logs.String()
	for _, secret := range []string{variable, literal, "FindThings($id", "# a comment"} {
		if i := strings.Index(logs, secret); i >= 0 {
			t.Errorf("the log holds %q: …%s…", secret, logs[max(0, i-200):min(len(logs), i+100)])
		}
	}
}
