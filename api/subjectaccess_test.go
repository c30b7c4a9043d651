package api_test

import (
	"testing"
)

// recordSubjectAccessRequest stands for two checks the owning caseworker made in
// person; a request without either (left out, false, or not a boolean) is
// BAD_USER_INPUT and appends nothing. Who may record it is the authorisation table's
// (caseMutations in authz_test.go): the owning organisation's caseworkers only.
func TestRecordSubjectAccessRequestBadInput(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("refer-sar")
	head := h.head()
	for _, tc := range []struct {
		name  string
		input map[string]any
		code  string
	}{
		{"identity not checked", map[string]any{"identityCheckedInPerson": false, "freeWillCheckedInPerson": true}, "BAD_USER_INPUT"},
		{"free will not checked", map[string]any{"identityCheckedInPerson": true, "freeWillCheckedInPerson": false}, "BAD_USER_INPUT"},
		{"neither checked", map[string]any{"identityCheckedInPerson": false, "freeWillCheckedInPerson": false}, "BAD_USER_INPUT"},
		{"checks left out", map[string]any{}, "BAD_USER_INPUT"},
		{"a check that is not a boolean", map[string]any{"identityCheckedInPerson": "yes", "freeWillCheckedInPerson": true}, "BAD_USER_INPUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"commandId": "sar-" + tc.name, "caseId": id}
			for k, v := range tc.input {
				in[k] = v
			}
			_, resp := h.mutate(caseworker, "recordSubjectAccessRequest", "RecordSubjectAccessRequestInput", in)
			if got := resp.code(); got != tc.code {
				t.Errorf("got %q (%+v), want %s", got, resp.Errors, tc.code)
			}
			if h.head() != head {
				t.Error("a refused request appended an event")
			}
		})
	}
	res, resp := h.mutate(caseworker, "recordSubjectAccessRequest", "RecordSubjectAccessRequestInput",
		map[string]any{"commandId": "sar-ok", "caseId": id, "identityCheckedInPerson": true, "freeWillCheckedInPerson": true})
	if len(resp.Errors) > 0 || res.Version != 2 {
		t.Errorf("a checked request: %+v, %+v", res, resp.Errors)
	}
	// Another shelter's caseworker does not even learn the case exists.
	_, resp = h.mutate(otherWorker, "recordSubjectAccessRequest", "RecordSubjectAccessRequestInput",
		map[string]any{"commandId": "sar-other", "caseId": id, "identityCheckedInPerson": true, "freeWillCheckedInPerson": true})
	if got := resp.code(); got != "NOT_FOUND" {
		t.Errorf("another shelter's caseworker: %q, want NOT_FOUND", got)
	}
}
