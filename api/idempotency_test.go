package api_test

import (
	"sync"
	"testing"
	"time"
)

type mutationCall struct {
	name, inputType string
	input           func(caseID string, h *harness) map[string]any
}

// everyCaseMutation walks one case through every case mutation, in an order the
// journey allows.
func everyCaseMutation() []mutationCall {
	expires := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	return []mutationCall{
		{"grantConsent", "GrantConsentInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-consent", "caseId": id, "recipientOrganisationId": "bank-a",
				"categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": expires}
		}},
		{"grantConsent", "GrantConsentInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-consent-2", "caseId": id, "recipientOrganisationId": "bureau-a",
				"categories": []string{"CREDIT"}, "purposes": []string{"CREDIT_REPAIR"}, "expiresAt": expires}
		}},
		{"requestIDDocument", "RequestIDDocumentInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-doc", "caseId": id, "kind": "INE", "issuingAuthority": "INE"}
		}},
		{"recordIDDocumentObtained", "RecordIDDocumentObtainedInput", func(id string, h *harness) map[string]any {
			return map[string]any{"commandId": "i-doc-ok", "caseId": id, "documentId": h.documentID(id, 0), "documentNumber": "N-1"}
		}},
		{"requestIDDocument", "RequestIDDocumentInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-doc-2", "caseId": id, "kind": "PASSPORT", "issuingAuthority": "SRE"}
		}},
		{"recordIDDocumentRefused", "RecordIDDocumentRefusedInput", func(id string, h *harness) map[string]any {
			return map[string]any{"commandId": "i-doc-refused", "caseId": id, "documentId": h.documentID(id, 1), "reasonCode": "MISSING_SUPPORTING_DOCUMENTS", "reason": "no birth record"}
		}},
		{"referToBank", "ReferToBankInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-bank", "caseId": id, "bankId": "bank-a"}
		}},
		{"submitAccountApplication", "SubmitAccountApplicationInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-apply", "caseId": id, "bankId": "bank-a", "product": "BASIC_ACCOUNT"}
		}},
		{"recordAccountDeclined", "RecordAccountDeclinedInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-declined", "caseId": id, "bankId": "bank-a", "reasonCode": "INSUFFICIENT_DOCUMENTATION", "reason": "address"}
		}},
		{"submitAccountApplication", "SubmitAccountApplicationInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-apply-2", "caseId": id, "bankId": "bank-a", "product": "DEBIT_CARD"}
		}},
		{"recordAccountOpened", "RecordAccountOpenedInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-opened", "caseId": id, "bankId": "bank-a", "product": "DEBIT_CARD"}
		}},
		{"fileCreditDispute", "FileCreditDisputeInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-dispute", "caseId": id, "bureauId": "bureau-a", "itemCount": 3}
		}},
		{"recordCreditDisputeOutcome", "RecordCreditDisputeOutcomeInput", func(id string, h *harness) map[string]any {
			return map[string]any{"commandId": "i-dispute-outcome", "caseId": id, "disputeId": h.disputeID(id), "outcome": "REFUSED", "reasonCode": "INSUFFICIENT_EVIDENCE", "reason": "evidence"}
		}},
		{"addCaseNote", "AddCaseNoteInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-note", "caseId": id, "text": "hello"}
		}},
		{"withdrawConsent", "WithdrawConsentInput", func(id string, h *harness) map[string]any {
			return map[string]any{"commandId": "i-withdraw", "caseId": id, "grantId": h.grantID(id, 0)}
		}},
		{"closeCase", "CloseCaseInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-close", "caseId": id, "outcome": "OTHER"}
		}},
		{"reopenCase", "ReopenCaseInput", func(id string, _ *harness) map[string]any {
			return map[string]any{"commandId": "i-reopen", "caseId": id, "reasonCode": "SURVIVOR_RETURNED", "reason": "back"}
		}},
	}
}

func (h *harness) documentID(caseID string, i int) string {
	return h.readCase(caseID, h.head().String()).Identity.Documents[i].ID
}

func (h *harness) disputeID(caseID string) string {
	return h.readCase(caseID, h.head().String()).Credit.Disputes[0].ID
}

func (h *harness) grantID(caseID string, i int) string {
	return h.readCase(caseID, h.head().String()).Consent.Grants[i].ID
}

// TestEveryMutationRetriedWithSameCommandID: a retry returns the first result and
// appends nothing, before and after a restart.
func TestEveryMutationRetriedWithSameCommandID(t *testing.T) {
	h := newHarness(t)
	h.coalition()

	var refer struct{ ReferSurvivor caseResult }
	h.must(caseworker, referMutation, map[string]any{"in": referInput("i-refer")}, &refer)
	id := refer.ReferSurvivor.CaseID
	type done struct {
		call  mutationCall
		input map[string]any
		first caseResult
	}
	var calls []done
	for _, m := range everyCaseMutation() {
		in := m.input(id, h)
		first, resp := h.mutate(caseworker, m.name, m.inputType, in)
		if len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", m.name, resp.Errors)
		}
		calls = append(calls, done{m, in, first})
	}
	var org struct {
		RegisterOrganisation struct{ OrganisationID, Position string }
	}
	orgInput := map[string]any{"in": map[string]any{"commandId": "i-org", "name": "Bank C", "kind": "BANK", "jurisdiction": "GB", "services": []string{"BANKING"}}}
	h.must(admin, registerOrg, orgInput, &org)

	retryAll := func(when string) {
		t.Helper()
		head := h.head()
		var again struct{ ReferSurvivor caseResult }
		h.must(caseworker, referMutation, map[string]any{"in": referInput("i-refer")}, &again)
		if again.ReferSurvivor != refer.ReferSurvivor {
			t.Errorf("%s: referSurvivor retry = %+v, want %+v (the same case)", when, again.ReferSurvivor, refer.ReferSurvivor)
		}
		for _, c := range calls {
			got, resp := h.mutate(caseworker, c.call.name, c.call.inputType, c.input)
			if len(resp.Errors) > 0 || got != c.first {
				t.Errorf("%s: retry %s (%s) = %+v %+v, want %+v", when, c.call.name, c.input["commandId"], got, resp.Errors, c.first)
			}
		}
		var orgAgain struct {
			RegisterOrganisation struct{ OrganisationID, Position string }
		}
		h.must(admin, registerOrg, orgInput, &orgAgain)
		if orgAgain.RegisterOrganisation != org.RegisterOrganisation {
			t.Errorf("%s: registerOrganisation retry = %+v, want %+v", when, orgAgain, org)
		}
		if got := h.head(); got != head {
			t.Errorf("%s: retries appended: head %s, was %s", when, got, head)
		}
	}
	retryAll("before restart")
	h.restart()
	retryAll("after restart")
	if n := h.node.Cases.Len(); n != 1 {
		t.Errorf("cases = %d, want 1", n)
	}
}

// TestCommandIDReusedWithOtherInput is BAD_USER_INPUT and appends nothing.
func TestCommandIDReusedWithOtherInput(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("r-refer")
	h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "r-note", "caseId": id, "text": "first"})
	head := h.head()

	other := referInput("r-refer")
	other["survivor"] = map[string]any{"fullName": "Somebody Else"}
	for name, try := range map[string]func() gqlResponse{
		"same mutation, other text": func() gqlResponse {
			_, r := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "r-note", "caseId": id, "text": "second"})
			return r
		},
		"other mutation": func() gqlResponse {
			_, r := h.mutate(caseworker, "closeCase", "CloseCaseInput", map[string]any{"commandId": "r-note", "caseId": id, "outcome": "OTHER"})
			return r
		},
		"refer with another survivor": func() gqlResponse {
			return h.do(caseworker, referMutation, map[string]any{"in": other})
		},
		"note id used by the referral": func() gqlResponse {
			_, r := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "r-refer", "caseId": id, "text": "x"})
			return r
		},
	} {
		if code := try().code(); code != "BAD_USER_INPUT" {
			t.Errorf("%s: code %q, want BAD_USER_INPUT", name, code)
		}
	}
	if got := h.head(); got != head {
		t.Errorf("rejected commands appended: head %s, was %s", got, head)
	}
}

// TestConcurrentRetriesOnTwoReplicas: two nodes on one store (the second connects to
// the first's embedded NATS server) receive the same command at once; it runs once.
func TestConcurrentRetriesOnTwoReplicas(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	replica := h.replica()
	id := h.refer("x-refer")

	const rounds = 10
	for i := range rounds {
		cmd := map[string]any{"commandId": "x-note-" + string(rune('a'+i)), "caseId": id, "text": "concurrent"}
		results := make([]caseResult, 4)
		var wg sync.WaitGroup
		for j := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				target := h
				if j%2 == 1 {
					target = replica
				}
				res, resp := target.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", cmd)
				if len(resp.Errors) > 0 {
					t.Errorf("round %d: %+v", i, resp.Errors)
				}
				results[j] = res
			}()
		}
		wg.Wait()
		for _, r := range results[1:] {
			if r != results[0] {
				t.Fatalf("round %d: replicas disagree: %+v", i, results)
			}
		}
	}
	if n := h.streamLen("case-" + id); n != 1+rounds {
		t.Errorf("case stream has %d events, want %d (each command once)", n, 1+rounds)
	}
}
