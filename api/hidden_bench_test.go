package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// BenchmarkCaseHiddenVsMissing asks for a case the caller may not see (another
// organisation's) and for one that does not exist, in turn, through the real HTTP
// handler (called directly: the loopback's noise would hide a small difference). Both must answer NOT_FOUND the same way and in the same time: a
// difference tells an outsider which ids are real cases. It reports each median and
// their ratio (hidden/missing; 1.00 is the goal).
func BenchmarkCaseHiddenVsMissing(b *testing.B) {
	h := newHarnessWith(b, unlimited)
	h.coalition()
	hidden := h.refer("bench-hidden")
	// A case history of some length, with consent grants, as real ones have.
	expires := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	for i, org := range []string{"bank-a", "bank-b", "bureau-a"} {
		h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": fmt.Sprintf("bench-consent-%d", i), "caseId": hidden,
			"recipientOrganisationId": org, "categories": []string{"IDENTITY", "BANKING", "CREDIT"}, "purposes": []string{"BANKING", "CREDIT_REPAIR"}, "expiresAt": expires})
	}
	for i := range 20 {
		h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": fmt.Sprintf("bench-note-%d", i), "caseId": hidden, "text": "a note"})
	}
	const missing = "00000000-0000-7000-8000-00000000beef"
	token := h.token(otherWorker)
	const query = `query($id: ID!) { case(id: $id) { id stage identity { fullName } } }`
	ask := func(id string) time.Duration {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"id": id}})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		start := time.Now()
		h.node.Handler.ServeHTTP(rec, req)
		took := time.Since(start)
		out := rec.Body.Bytes()
		var r gqlResponse
		if err := json.Unmarshal(out, &r); err != nil || r.code() != "NOT_FOUND" {
			b.Fatalf("case %s: %s", id, out)
		}
		return took
	}
	for range 50 { // warm up both paths
		ask(hidden)
		ask(missing)
	}
	var hiddenTimes, missingTimes []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// Alternate which goes first, so neither always follows the other.
		if i%2 == 0 {
			hiddenTimes = append(hiddenTimes, ask(hidden))
			missingTimes = append(missingTimes, ask(missing))
		} else {
			missingTimes = append(missingTimes, ask(missing))
			hiddenTimes = append(hiddenTimes, ask(hidden))
		}
	}
	hm, mm := median(hiddenTimes), median(missingTimes)
	b.ReportMetric(float64(hm)/1e3, "hidden-µs")
	b.ReportMetric(float64(mm)/1e3, "missing-µs")
	b.ReportMetric(float64(hm)/float64(mm), "hidden/missing")
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
