package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/waymark-org/waymark/app"
)

// BenchmarkCaseSummaryRead is the case page's summary read (the bench's
// readSummary) through the real HTTP handler, called directly so that allocations
// and CPU per read are the server's alone: the figures behind the bench's
// case(id) p99 at 1,000 reads a second, which is CPU- and GC-bound on 2 cores.
func BenchmarkCaseSummaryRead(b *testing.B) {
	h := newHarness(b)
	h.coalition()
	id := h.refer("bench-summary")
	for i := range 15 {
		h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": fmt.Sprintf("bench-summary-note-%d", i), "caseId": id, "text": "a note"})
	}
	const query = `query($id: ID!) { case(id: $id) { id version stage status jurisdiction referredAt updatedAt
		owningOrganisation { id name } journey { type at stage version } } }`
	body, err := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": id}})
	if err != nil {
		b.Fatal(err)
	}
	ask := h.direct(caseworker, body)
	var r gqlResponse
	if err := json.Unmarshal(ask(), &r); err != nil || len(r.Errors) > 0 {
		b.Fatalf("summary read: %v %+v", err, r.Errors)
	}
	b.ReportAllocs()
	for b.Loop() {
		ask()
	}
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
