package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

// The webhooks' feed (ForwardWork) hands on every organisation's work changes as it
// would see them, and nothing at all for an organisation once it is deactivated —
// not even removals: a bank suspended for misconduct learns no more case ids.
func TestForwardWorkStopsForADeactivatedOrganisation(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	svc := h.node.Current().Service
	broker := svc.WorkBroker()
	before := broker.Subscribers()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan app.WorkChange, 256)
	go func() {
		_ = svc.ForwardWork(ctx, func(string) bool { return true }, func(c app.WorkChange) { changes <- c })
	}()
	for broker.Subscribers() == before {
		time.Sleep(time.Millisecond)
	}
	next := func(want string) app.WorkChange {
		t.Helper()
		select {
		case c := <-changes:
			return c
		case <-time.After(30 * time.Second):
			t.Fatalf("no work change arrived (waiting for %s)", want)
			return app.WorkChange{}
		}
	}

	far := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	show := func(prefix, caseID string, banks ...string) {
		for _, bank := range banks {
			h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": prefix + "-grant-" + bank, "caseId": caseID,
				"recipientOrganisationId": bank, "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far})
			h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": prefix + "-show-" + bank, "caseId": caseID, "bankId": bank})
		}
	}
	first := h.refer("fw-first")
	show("fw1", first, "bank-a", "bank-b")
	seen := map[string]bool{}
	for !seen["bank-a"] || !seen["bank-b"] {
		c := next("both banks' items")
		if c.CaseID == first && c.Added {
			seen[c.Organisation] = true
		}
	}

	h.must(admin, `mutation($in: OrganisationCommandInput!) { deactivateOrganisation(input: $in) { organisation { id } } }`,
		map[string]any{"in": map[string]any{"commandId": "fw-off", "organisationId": "bank-a"}}, nil)
	h.waitHead()
	// Closing the case removes both banks' items; then a second case for bank-b only.
	// Changes arrive in order, so once bank-b's second case is here, every change
	// before it was handed on.
	h.step("closeCase", "CloseCaseInput", map[string]any{"commandId": "fw-close", "caseId": first, "outcome": "OTHER"})
	second := h.refer("fw-second")
	show("fw2", second, "bank-b")
	for {
		c := next("bank-b's second case")
		if c.Organisation == "bank-a" {
			t.Fatalf("a deactivated bank's change was handed on: %+v", c)
		}
		if c.CaseID == second && c.Added {
			break
		}
	}
}
