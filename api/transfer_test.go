package api_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

// The cross-border transfer: a survivor trafficked into Mexico returns home to the
// US. Her Mexican shelter (shelter-a) transfers her case to a US NGO, which takes it
// over and goes on with the journey at a US bank.
var (
	usWorker   = app.Actor{ID: "uma", Role: app.RoleCaseworker, Organisation: "us-ngo"}
	usBankUser = app.Actor{ID: "ulf", Role: app.RoleBank, Organisation: "us-bank"}
)

const transferQuery = `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) {
  version jurisdiction owningOrganisation { id }
  transfer { id status toJurisdiction reasonCode reason from { id } to { id jurisdiction } }
  transfers { id status reasonCode reason declineReasonCode declineReason decidedAt from { id } to { id } }
} }`

type transferDoc struct {
	ID, Status, ToJurisdiction, ReasonCode   string
	Reason, DeclineReasonCode, DeclineReason *string
	DecidedAt                                *string
	From, To                                 struct{ ID, Jurisdiction string }
}

type transferCase struct {
	Version            int
	Jurisdiction       string
	OwningOrganisation struct{ ID string }
	Transfer           *transferDoc
	Transfers          []transferDoc
}

func (h *harness) transferCase(actor app.Actor, id, min string) transferCase {
	h.t.Helper()
	var out struct{ Case transferCase }
	h.must(actor, transferQuery, map[string]any{"id": id, "min": min}, &out)
	return out.Case
}

// transferOwned lists the ids of the cases actor's organisation owns, as its case list shows them.
func (h *harness) transferOwned(actor app.Actor, min string) []string {
	h.t.Helper()
	var out struct {
		Cases struct {
			Edges      []struct{ Node struct{ ID string } }
			TotalCount int
		}
	}
	h.must(actor, `query($org: ID!, $min: String) { cases(filter: {organisationId: $org}, minPosition: $min) { edges { node { id } } totalCount } }`,
		map[string]any{"org": actor.Organisation, "min": min}, &out)
	var ids []string
	for _, e := range out.Cases.Edges {
		ids = append(ids, e.Node.ID)
	}
	if out.Cases.TotalCount != len(ids) {
		h.t.Errorf("%s's list: totalCount %d, %d cases", actor.Organisation, out.Cases.TotalCount, len(ids))
	}
	return ids
}

// transferRefused runs a mutation that must fail with code and change nothing.
func (h *harness) transferRefused(actor app.Actor, name, inputType string, input map[string]any, code string) {
	h.t.Helper()
	before := h.head()
	_, resp := h.mutate(actor, name, inputType, input)
	if resp.code() != code {
		h.t.Errorf("%s as %s %v: code %q (%+v), want %s", name, actor.Organisation, input, resp.code(), resp.Errors, code)
	}
	if len(resp.Errors) > 0 && strings.TrimSpace(resp.Errors[0].Message) == "" {
		h.t.Errorf("%s: an error without a message", name)
	}
	if after := h.head(); after != before {
		h.t.Errorf("%s as %s: the refused command appended (head %s → %s)", name, actor.Organisation, before, after)
	}
}

func (h *harness) transferRegister(id, name, kind, jurisdiction string) {
	h.t.Helper()
	h.must(admin, registerOrg, map[string]any{"in": map[string]any{
		"commandId": "org-" + id, "id": id, "name": name, "kind": kind, "jurisdiction": jurisdiction, "services": []string{},
	}}, nil)
}

func TestCrossBorderTransferContinuesToAUSAccount(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	h.transferRegister("us-ngo", "US NGO", "NGO", "US")
	h.transferRegister("us-bank", "US Bank", "BANK", "US")
	id := h.refer("c-refer")
	expires := testStart.Add(180 * 24 * time.Hour).Format(time.RFC3339)
	grant := func(actor app.Actor, cmd, to string, cats, purposes []string) caseResult {
		return h.act(actor, "grantConsent", "GrantConsentInput", map[string]any{"commandId": cmd, "caseId": id,
			"recipientOrganisationId": to, "categories": cats, "purposes": purposes, "expiresAt": expires})
	}
	// Before the move: a Mexican bank was shown the case; she agrees that the US NGO
	// receives her identity and notes to help her open an account at home.
	grant(caseworker, "c-grant-mx-bank", "bank-a", []string{"IDENTITY", "BANKING"}, []string{"BANKING"})
	h.act(caseworker, "referToBank", "ReferToBankInput", map[string]any{"commandId": "c-ref-mx", "caseId": id, "bankId": "bank-a"})
	grant(caseworker, "c-grant-us-ngo", "us-ngo", []string{"IDENTITY", "NOTES"}, []string{"BANKING"})

	ask := func(cmd, to string) map[string]any {
		return map[string]any{"commandId": cmd, "caseId": id, "recipientOrganisationId": to, "reasonCode": "RETURNING_HOME",
			"reason": "She goes home to her sister in El Paso."}
	}
	// Bad requests: each has its code and appends nothing.
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-bank", "bank-a"), "BAD_USER_INPUT")
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-bureau", "bureau-a"), "BAD_USER_INPUT")
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-self", "shelter-a"), "BAD_USER_INPUT")
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-nobody", "no-such-org"), "BAD_USER_INPUT")
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-noconsent", "shelter-b"), "INVALID_TRANSITION")
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput",
		map[string]any{"commandId": "c-t-code", "caseId": id, "recipientOrganisationId": "us-ngo", "reasonCode": "BORED"}, "BAD_USER_INPUT")
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput",
		map[string]any{"commandId": "c-t-long", "caseId": id, "recipientOrganisationId": "us-ngo", "reasonCode": "OTHER", "reason": strings.Repeat("x", 2001)}, "BAD_USER_INPUT")
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", map[string]any{"commandId": "c-t-stale", "caseId": id,
		"expectedVersion": 1, "recipientOrganisationId": "us-ngo", "reasonCode": "OTHER"}, "CONFLICT")
	h.transferRefused(otherWorker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-other", "us-ngo"), "NOT_FOUND")
	h.transferRefused(usWorker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-recipient", "us-ngo"), "FORBIDDEN")
	h.transferRefused(bankAStaff, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-mxbank", "us-ngo"), "FORBIDDEN")
	h.transferRefused(caseworker, "acceptCaseTransfer", "AcceptCaseTransferInput", map[string]any{"commandId": "c-a-none", "caseId": id, "transferId": "t-1"}, "FORBIDDEN")

	res := h.act(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-transfer", "us-ngo"))
	pending := h.transferCase(caseworker, id, res.Position).Transfer
	if pending == nil || pending.Status != "PENDING" || pending.To.ID != "us-ngo" || pending.To.Jurisdiction != "US" ||
		pending.ToJurisdiction != "US" || pending.From.ID != "shelter-a" || pending.Reason == nil || *pending.Reason != "She goes home to her sister in El Paso." {
		t.Fatalf("pending transfer: %+v", pending)
	}
	// The recipient sees the case as her consent shares it, the transfer with it.
	if got := h.transferCase(usWorker, id, res.Position).Transfer; got == nil || got.ID != pending.ID || got.Reason == nil {
		t.Fatalf("the recipient sees the pending transfer as %+v", got)
	}
	answer := func(cmd, transfer string) map[string]any {
		return map[string]any{"commandId": cmd, "caseId": id, "transferId": transfer}
	}
	h.transferRefused(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", ask("c-t-again", "us-ngo"), "INVALID_TRANSITION")
	h.transferRefused(caseworker, "acceptCaseTransfer", "AcceptCaseTransferInput", answer("c-a-owner", pending.ID), "FORBIDDEN")
	h.transferRefused(otherWorker, "acceptCaseTransfer", "AcceptCaseTransferInput", answer("c-a-other", pending.ID), "NOT_FOUND")
	h.transferRefused(bankAStaff, "acceptCaseTransfer", "AcceptCaseTransferInput", answer("c-a-bank", pending.ID), "FORBIDDEN")
	h.transferRefused(auditor, "acceptCaseTransfer", "AcceptCaseTransferInput", answer("c-a-auditor", pending.ID), "FORBIDDEN")
	h.transferRefused(usWorker, "acceptCaseTransfer", "AcceptCaseTransferInput", answer("c-a-unknown", "t-unknown"), "BAD_USER_INPUT")
	h.transferRefused(usWorker, "acceptCaseTransfer", "AcceptCaseTransferInput", answer("c-a-blank", " "), "BAD_USER_INPUT")
	h.transferRefused(usWorker, "declineCaseTransfer", "DeclineCaseTransferInput",
		map[string]any{"commandId": "c-d-long", "caseId": id, "transferId": pending.ID, "reasonCode": "OTHER", "reason": strings.Repeat("y", 2001)}, "BAD_USER_INPUT")
	h.transferRefused(usWorker, "cancelCaseTransfer", "CancelCaseTransferInput", answer("c-c-recipient", pending.ID), "FORBIDDEN")
	h.transferRefused(caseworker, "cancelCaseTransfer", "CancelCaseTransferInput", answer("c-c-unknown", "t-unknown"), "BAD_USER_INPUT")

	// The US NGO takes the case over: same case, now handled in the US.
	accept := answer("c-accept", pending.ID)
	res = h.act(usWorker, "acceptCaseTransfer", "AcceptCaseTransferInput", accept)
	if again := h.act(usWorker, "acceptCaseTransfer", "AcceptCaseTransferInput", accept); again != res {
		t.Errorf("a retried acceptance answers %+v, first %+v", again, res)
	}
	after := h.transferCase(usWorker, id, res.Position)
	if after.OwningOrganisation.ID != "us-ngo" || after.Jurisdiction != "US" || after.Transfer != nil ||
		len(after.Transfers) != 1 || after.Transfers[0].Status != "ACCEPTED" || after.Transfers[0].DecidedAt == nil {
		t.Fatalf("after acceptance: %+v", after)
	}
	// Nothing is pending any more: the new owner answers no transfer of its own.
	h.transferRefused(usWorker, "acceptCaseTransfer", "AcceptCaseTransferInput", answer("c-accept-2", pending.ID), "FORBIDDEN")

	// The former owner no longer sees the case at all; the case moved between the lists.
	formerOwnerGone := func(min string) {
		t.Helper()
		if resp := h.do(caseworker, transferQuery, map[string]any{"id": id, "min": min}); resp.code() != "NOT_FOUND" {
			t.Errorf("the former owner reads the case: %s %+v", resp.Data, resp.Errors)
		}
		h.transferRefused(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "c-note-former", "caseId": id, "text": "x"}, "NOT_FOUND")
		if ids := h.transferOwned(caseworker, min); slices.Contains(ids, id) {
			t.Errorf("the case is still in the former owner's list %v", ids)
		}
		if ids := h.transferOwned(usWorker, min); !slices.Equal(ids, []string{id}) {
			t.Errorf("the new owner's list is %v, want [%s]", ids, id)
		}
	}
	formerOwnerGone(res.Position)
	// The Mexican bank's grant stays as it was: it still sees the case.
	if resp := h.do(bankAStaff, `query($id: ID!) { case(id: $id) { owningOrganisation { id } banking { referrals { bank { id } } } } }`,
		map[string]any{"id": id}); len(resp.Errors) > 0 || !strings.Contains(string(resp.Data), "us-ngo") {
		t.Errorf("the Mexican bank after the transfer: %s %+v", resp.Data, resp.Errors)
	}

	// The new owner goes on: her passport, a US bank, an account opened by the bank itself.
	res = h.act(usWorker, "requestIDDocument", "RequestIDDocumentInput", map[string]any{
		"commandId": "c-doc", "caseId": id, "kind": "PASSPORT", "issuingAuthority": "U.S. Department of State"})
	var docs struct {
		Case struct {
			Identity struct{ Documents []struct{ ID string } }
		}
	}
	h.must(usWorker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { identity { documents { id } } } }`,
		map[string]any{"id": id, "min": res.Position}, &docs)
	if len(docs.Case.Identity.Documents) != 1 {
		t.Fatalf("documents: %+v", docs.Case.Identity.Documents)
	}
	h.act(usWorker, "recordIDDocumentObtained", "RecordIDDocumentObtainedInput", map[string]any{
		"commandId": "c-doc-ok", "caseId": id, "documentId": docs.Case.Identity.Documents[0].ID, "documentNumber": "X12345678"})
	grant(usWorker, "c-grant-us-bank", "us-bank", []string{"IDENTITY", "BANKING"}, []string{"BANKING"})
	h.act(usWorker, "referToBank", "ReferToBankInput", map[string]any{"commandId": "c-ref-us", "caseId": id, "bankId": "us-bank"})
	h.act(usWorker, "submitAccountApplication", "SubmitAccountApplicationInput", map[string]any{
		"commandId": "c-apply-us", "caseId": id, "bankId": "us-bank", "product": "BASIC_ACCOUNT"})
	res = h.act(usBankUser, "recordAccountOpened", "RecordAccountOpenedInput", map[string]any{
		"commandId": "c-opened-us", "caseId": id, "bankId": "us-bank", "product": "BASIC_ACCOUNT"})

	// Restart twice with snapshots on: the first stop writes one, the second start
	// loads the read models from it instead of the log.
	h.snapshotDir = t.TempDir()
	h.restart()
	h.restart()
	if !strings.Contains(h.logs.String(), "snapshot loaded") {
		t.Fatal("the restart did not load the read models from a snapshot")
	}

	var opened struct {
		Case struct {
			Jurisdiction string
			Banking      struct {
				Applications []struct {
					Bank   struct{ ID string }
					Status string
				}
			}
		}
	}
	h.must(usBankUser, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { jurisdiction banking { applications { bank { id } status } } } }`,
		map[string]any{"id": id, "min": res.Position}, &opened)
	if apps := opened.Case.Banking.Applications; opened.Case.Jurisdiction != "US" || len(apps) != 1 || apps[0].Bank.ID != "us-bank" || apps[0].Status != "OPENED" {
		t.Fatalf("the US bank after the restart: %+v", opened.Case)
	}
	kept := h.transferCase(usWorker, id, res.Position)
	if kept.OwningOrganisation.ID != "us-ngo" || len(kept.Transfers) != 1 || kept.Transfers[0].Status != "ACCEPTED" ||
		kept.Transfers[0].Reason == nil || kept.Transfers[0].From.ID != "shelter-a" {
		t.Fatalf("after the restart: %+v", kept)
	}
	formerOwnerGone(res.Position)

	// The auditors keep the whole history, the transfer's events in it.
	var history struct {
		CaseHistory struct {
			Edges []struct{ Node struct{ Type string } }
		}
	}
	h.must(auditor, `query($id: ID!) { caseHistory(id: $id, first: 100) { edges { node { type } } } }`, map[string]any{"id": id}, &history)
	var types []string
	for _, e := range history.CaseHistory.Edges {
		types = append(types, e.Node.Type)
	}
	if !slices.Contains(types, "CaseTransferRequested") || !slices.Contains(types, "CaseTransferAccepted") || !slices.Contains(types, "BankAccountOpened") {
		t.Errorf("the auditor's history: %v", types)
	}
}

// In the same state: shelter-b declines, the owner cancels its next request, a third
// waits. The history keeps all three with their texts for those who read the notes, a
// bank sees none of them, and erasure takes every text.
func TestTransferHistoryDeclineCancelAndErasure(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("c-refer")
	expires := testStart.Add(180 * 24 * time.Hour).Format(time.RFC3339)
	for _, g := range []struct{ cmd, to string }{{"c-grant-b", "shelter-b"}, {"c-grant-bank", "bank-a"}} {
		h.act(caseworker, "grantConsent", "GrantConsentInput", map[string]any{"commandId": g.cmd, "caseId": id,
			"recipientOrganisationId": g.to, "categories": []string{"IDENTITY", "NOTES", "BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": expires})
	}
	h.act(caseworker, "referToBank", "ReferToBankInput", map[string]any{"commandId": "c-ref", "caseId": id, "bankId": "bank-a"})
	ask := func(cmd string) string {
		res := h.act(caseworker, "requestCaseTransfer", "RequestCaseTransferInput", map[string]any{"commandId": cmd, "caseId": id,
			"recipientOrganisationId": "shelter-b", "reasonCode": "SURVIVOR_RELOCATED", "reason": "She moved to Puebla: " + cmd})
		return h.transferCase(caseworker, id, res.Position).Transfer.ID
	}
	first := ask("c-ask-1")
	h.act(otherWorker, "declineCaseTransfer", "DeclineCaseTransferInput", map[string]any{"commandId": "c-decline", "caseId": id,
		"transferId": first, "reasonCode": "NO_CAPACITY", "reason": "No bed until spring."})
	second := ask("c-ask-2")
	h.act(caseworker, "cancelCaseTransfer", "CancelCaseTransferInput", map[string]any{"commandId": "c-cancel", "caseId": id, "transferId": second})
	third := ask("c-ask-3")

	c := h.transferCase(otherWorker, id, "")
	if c.OwningOrganisation.ID != "shelter-a" || c.Transfer == nil || c.Transfer.ID != third || len(c.Transfers) != 3 {
		t.Fatalf("the recipient sees %+v", c)
	}
	wantStatus := []string{"DECLINED", "CANCELLED", "PENDING"}
	for i, tr := range c.Transfers {
		if tr.Status != wantStatus[i] || tr.Reason == nil || !strings.HasPrefix(*tr.Reason, "She moved to Puebla") {
			t.Errorf("transfer %d: %+v", i, tr)
		}
	}
	if d := c.Transfers[0]; d.DeclineReasonCode == nil || *d.DeclineReasonCode != "NO_CAPACITY" || d.DeclineReason == nil || *d.DeclineReason != "No bed until spring." {
		t.Errorf("the decline: %+v", d)
	}
	var bankView struct{ Case transferCase }
	h.must(bankAStaff, `query($id: ID!) { case(id: $id) { transfer { id } transfers { id } } }`, map[string]any{"id": id}, &bankView)
	if bankView.Case.Transfer != nil || len(bankView.Case.Transfers) != 0 {
		t.Errorf("a bank sees another organisation's transfers: %+v", bankView.Case)
	}

	res := h.act(caseworker, "eraseSurvivorData", "EraseSurvivorDataInput", map[string]any{"commandId": "c-erase", "caseId": id, "reasonCode": "SURVIVOR_REQUEST"})
	erased := h.transferCase(caseworker, id, res.Position)
	if erased.Transfer == nil || erased.Transfer.Reason != nil || len(erased.Transfers) != 3 {
		t.Fatalf("after erasure: %+v", erased)
	}
	for _, tr := range erased.Transfers {
		if tr.Reason != nil || tr.DeclineReason != nil {
			t.Errorf("a transfer's text survives erasure: %+v", tr)
		}
	}
}
