package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
)

// BenchmarkCaseSummaryRead is the case page's summary read (the bench's
// readSummary) through the real HTTP handler, called directly so that allocations
// and CPU per read are the server's alone: the figures behind the bench's
// case(id) p99 at 1,000 reads a second, which is CPU- and GC-bound on 2 cores.
//
// The sub-benchmarks split its cost: the summary without the journey, and the case's
// id alone. The journey's 16 steps of 4 fields were two thirds of the read's time,
// bytes and allocations (2026-12: 91 KB and 1,374 allocations a read, 30 KB and 368
// without the journey, 19 KB and 192 for the id): gqlgen marshals each element of a
// list of objects on a goroutine of its own and each field through a field context
// of its own (about nine allocations a field), and no setting of gqlgen.yml turns
// either off (upstream: 99designs/gqlgen#3202, #4321).
func BenchmarkCaseSummaryRead(b *testing.B) {
	h := newHarnessWith(b, unlimited)
	h.coalition()
	id := h.refer("bench-summary")
	for i := range 15 {
		h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": fmt.Sprintf("bench-summary-note-%d", i), "caseId": id, "text": "a note"})
	}
	const fields = `id version stage status jurisdiction referredAt updatedAt owningOrganisation { id name }`
	for _, shape := range []struct{ name, query string }{
		{"summary", `query($id: ID!) { case(id: $id) { ` + fields + ` journey { type at stage version } } }`},
		{"without-journey", `query($id: ID!) { case(id: $id) { ` + fields + ` } }`},
		{"id-only", `query($id: ID!) { case(id: $id) { id } }`},
	} {
		b.Run(shape.name, func(b *testing.B) {
			body, err := json.Marshal(map[string]any{"query": shape.query, "variables": map[string]any{"id": id}})
			if err != nil {
				b.Fatal(err)
			}
			ask := h.direct(caseworker, body)
			var r gqlResponse
			if err := json.Unmarshal(ask(), &r); err != nil || len(r.Errors) > 0 {
				b.Fatalf("%s read: %v %+v", shape.name, err, r.Errors)
			}
			b.ReportAllocs()
			var last []byte
			refused := 0
			for b.Loop() {
				last = answered(ask(), &refused)
			}
			mustAnswer(b, shape.name, refused, last)
		})
	}
}

// unlimited sets a benchmark's harness's rate limit out of reach: a benchmark asks as
// fast as one core answers, far above any caller's limit, which would otherwise answer
// most of its loop with RATE_LIMITED and measure the refusal instead of the read.
func unlimited(h *harness) { h.rates = api.RateLimits{Default: 1e9} }

// mustAnswer fails b if any answer of its loop held errors (refused, as answered
// counted them): a loop that turned into refusals (a rate limit, a timeout) measured
// those, not the read.
func mustAnswer(b *testing.B, what string, refused int, last []byte) {
	b.Helper()
	if refused > 0 {
		b.Fatalf("%s: %d answers of the loop held errors, the last: %s", what, refused, last)
	}
}

// answered counts answer as refused if it holds errors. It looks for the errors key
// only: cheap beside a read, so the loop still measures the read.
func answered(answer []byte, refused *int) []byte {
	if bytes.Contains(answer, []byte(`"errors"`)) {
		*refused++
	}
	return answer
}

// direct returns a request of body by actor to the node's handler, called directly:
// a benchmark then measures the server's own time and allocations, without the
// loopback's.
func (h *harness) direct(actor app.Actor, body []byte) func() []byte {
	token := "Bearer " + h.token(actor)
	return func() []byte {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		rec := httptest.NewRecorder()
		h.node.Handler.ServeHTTP(rec, req)
		return rec.Body.Bytes()
	}
}
