package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/waymark-org/waymark/app"
)

// A role is only as good as the organisation kind it is bound to: a caseworker token
// for a bank's organisation must not turn the bank into a shelter.
func TestTokensAreBoundToTheOrganisationsKind(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("k-refer")
	for _, tc := range []struct {
		name  string
		actor app.Actor
		want  string // "" for accepted
	}{
		{"a caseworker of a shelter", caseworker, ""},
		{"a caseworker token for a bank", app.Actor{ID: "mallory", Role: app.RoleCaseworker, Organisation: "bank-a"}, "a caseworker acts for [shelter ngo government], and this organisation is a bank"},
		{"a bank token for a shelter", app.Actor{ID: "mallory", Role: app.RoleBank, Organisation: "shelter-a"}, "this organisation is a shelter"},
		{"a bureau token for a bank", app.Actor{ID: "mallory", Role: app.RoleBureau, Organisation: "bank-a"}, "credit_bureau"},
		{"an analyst of a shelter", app.Actor{ID: "mallory", Role: app.RoleAnalyst, Organisation: "shelter-a"}, "coalition"},
		{"an auditor of a shelter", app.Actor{ID: "mallory", Role: app.RoleAuditor, Organisation: "shelter-a"}, "coalition"},
		{"an admin of a bank", app.Actor{ID: "mallory", Role: app.RoleAdmin, Organisation: "bank-a"}, "coalition"},
		{"an organisation not in the directory", app.Actor{ID: "mallory", Role: app.RoleCaseworker, Organisation: "ghost"}, "not in the directory"},
		{"a staff member's name as subject", app.Actor{ID: "ana.lopez@shelter", Role: app.RoleCaseworker, Organisation: "shelter-a"}, "opaque user id"},
	} {
		resp := h.do(tc.actor, `query($id: ID!) { case(id: $id) { id identity { fullName } } }`, map[string]any{"id": id})
		switch {
		case tc.want == "" && len(resp.Errors) > 0:
			t.Errorf("%s: %+v", tc.name, resp.Errors)
		case tc.want != "" && (resp.code() != "UNAUTHENTICATED" || !strings.Contains(resp.Errors[0].Message, tc.want)):
			t.Errorf("%s: %+v, want UNAUTHENTICATED saying %q", tc.name, resp.Errors, tc.want)
		}
	}
}

// A bank's compliance team reads exactly what its bank reads: not the identity, not
// another bank's entries.
func TestBankComplianceAuditor(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("k-refer")
	far := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	for _, bank := range []string{"bank-a", "bank-b"} {
		h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "k-grant-" + bank, "caseId": id,
			"recipientOrganisationId": bank, "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far})
		h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "k-show-" + bank, "caseId": id, "bankId": bank})
	}
	compliance := app.Actor{ID: "compliance-1", Role: app.RoleAuditor, Organisation: "bank-a"}
	var out struct {
		Case struct {
			Banking struct {
				Referrals []struct{ Bank struct{ ID string } }
			}
		}
	}
	h.waitHead()
	resp := h.do(compliance, `query($id: ID!) { case(id: $id) { banking { referrals { bank { id } } } identity { fullName } } }`,
		map[string]any{"id": id})
	if len(resp.Errors) != 1 || resp.code() != "FORBIDDEN" {
		t.Fatalf("compliance reads identity: %+v", resp.Errors)
	}
	if err := jsonUnmarshal(resp.Data, &out); err != nil {
		t.Fatal(err)
	}
	if refs := out.Case.Banking.Referrals; len(refs) != 1 || refs[0].Bank.ID != "bank-a" {
		t.Errorf("bank-a's compliance sees referrals %+v, want bank-a's only", refs)
	}
	if _, resp := h.mutate(compliance, "addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "k-note", "caseId": id, "text": "x"}); resp.code() == "" {
		t.Error("a compliance auditor changed a case")
	}
}

// An admin revokes one token by its id, or every token of a user issued so far.
func TestRevokedTokensAreRefused(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	first := h.token(caseworker)
	second := h.token(caseworker)
	jti := tokenID(t, first)
	revoke := `mutation($in: RevokeTokenInput!) { revokeToken(input: $in) { version position } }`
	if resp := h.do(caseworker, revoke, map[string]any{"in": map[string]any{"commandId": "r-1", "tokenId": jti}}); resp.code() != "FORBIDDEN" {
		t.Errorf("a caseworker revokes a token: %+v", resp.Errors)
	}
	h.must(admin, revoke, map[string]any{"in": map[string]any{"commandId": "r-1", "tokenId": jti}}, nil)
	h.waitHead()
	if status, resp := h.postWithToken(first); status != 401 || !strings.Contains(resp.Errors[0].Message, "revoked") {
		t.Errorf("a revoked token: HTTP %d %+v", status, resp.Errors)
	}
	if status, _ := h.postWithToken(second); status != 200 {
		t.Errorf("another token of the same user: HTTP %d", status)
	}

	h.must(admin, `mutation($in: RevokeSubjectInput!) { revokeSubject(input: $in) { version } }`,
		map[string]any{"in": map[string]any{"commandId": "r-2", "subject": caseworker.ID}}, nil)
	h.waitHead()
	if status, _ := h.postWithToken(second); status != 401 {
		t.Errorf("a token issued before its user was revoked: HTTP %d", status)
	}
	h.clock.Advance(2 * time.Second)
	if status, resp := h.postWithToken(h.token(caseworker)); status != 200 {
		t.Errorf("a token issued after the revocation: HTTP %d %+v", status, resp.Errors)
	}
}

// A deactivated organisation's tokens are refused and no new command may name it; its
// history stays, and reactivating it restores both.
func TestDeactivatedOrganisation(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("d-refer")
	far := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "d-grant", "caseId": id,
		"recipientOrganisationId": "bank-a", "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far})
	h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "d-show", "caseId": id, "bankId": "bank-a"})
	h.waitHead() // the bank sees the case once the read model has its referral
	bankStaff := app.Actor{ID: "bank-a-1", Role: app.RoleBank, Organisation: "bank-a"}
	if resp := h.do(bankStaff, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": id}); len(resp.Errors) > 0 {
		t.Fatalf("bank before deactivation: %+v", resp.Errors)
	}

	deactivate := `mutation($in: OrganisationCommandInput!) { deactivateOrganisation(input: $in) { organisation { id active } } }`
	if resp := h.do(caseworker, deactivate, map[string]any{"in": map[string]any{"commandId": "d-off", "organisationId": "bank-a"}}); resp.code() != "FORBIDDEN" {
		t.Errorf("a caseworker deactivates a bank: %+v", resp.Errors)
	}
	h.must(admin, deactivate, map[string]any{"in": map[string]any{"commandId": "d-off", "organisationId": "bank-a"}}, nil)
	h.waitHead()
	if resp := h.do(bankStaff, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": id}); resp.code() != "UNAUTHENTICATED" {
		t.Errorf("a deactivated bank's token: %+v", resp.Errors)
	}
	head := h.head()
	if _, resp := h.mutate(caseworker, "submitAccountApplication", "SubmitAccountApplicationInput",
		map[string]any{"commandId": "d-apply", "caseId": id, "bankId": "bank-a", "product": "BASIC_ACCOUNT"}); resp.code() != "BAD_USER_INPUT" ||
		!strings.Contains(resp.Errors[0].Message, "deactivated") {
		t.Errorf("a command naming a deactivated bank: %+v", resp.Errors)
	}
	if h.head() != head {
		t.Error("a command naming a deactivated bank wrote to the store")
	}
	var out struct {
		Case struct {
			Banking struct {
				Referrals []struct{ Bank struct{ ID string } }
			}
		}
		Organisation struct{ Active bool }
	}
	h.must(caseworker, `query($id: ID!) { case(id: $id) { banking { referrals { bank { id } } } } organisation(id: "bank-a") { active } }`,
		map[string]any{"id": id}, &out)
	if len(out.Case.Banking.Referrals) != 1 || out.Organisation.Active {
		t.Errorf("after deactivation: %+v (the history stays; the bank is inactive)", out)
	}

	h.must(admin, `mutation($in: OrganisationCommandInput!) { reactivateOrganisation(input: $in) { version } }`,
		map[string]any{"in": map[string]any{"commandId": "d-on", "organisationId": "bank-a"}}, nil)
	h.waitHead()
	if resp := h.do(bankStaff, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": id}); len(resp.Errors) > 0 {
		t.Errorf("a reactivated bank's token: %+v", resp.Errors)
	}
}

// tokenID reads a token's jti claim without verifying it (the test minted it).
func tokenID(t *testing.T, token string) string {
	t.Helper()
	claims := jwt.RegisteredClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.ID
}

// waitHead waits until the read models have applied everything written so far.
func (h *harness) waitHead() {
	h.t.Helper()
	ctx, cancel := contextWithTimeout(10 * time.Second)
	defer cancel()
	if err := h.node.Runner.WaitFor(ctx, h.head()); err != nil {
		h.t.Fatal(err)
	}
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func jsonUnmarshal(data []byte, dst any) error { return json.Unmarshal(data, dst) }
