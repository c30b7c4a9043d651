package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// The authorisation table: every field group and every mutation, for every role,
// against cases in each relation to the caller's organisation, through the real HTTP
// server with real tokens. Expectations are written out by hand here, never computed
// by the access package under test.

type relation string

const (
	relOwn       relation = "own organisation"
	relOther     relation = "other organisation"
	relInForce   relation = "grant in force"
	relExpired   relation = "grant expired"
	relWithdrawn relation = "grant withdrawn"
)

var relations = []relation{relOwn, relOther, relInForce, relExpired, relWithdrawn}

// The callers. The caseworker acts for shelter-b: its "own" case is owned by
// shelter-b; every other case is owned by shelter-a and, depending on the relation,
// shared with shelter-b, bank-a and bureau-a by consent grants.
var (
	cwB     = app.Actor{ID: "cw-b", Role: app.RoleCaseworker, Organisation: "shelter-b"}
	cwA     = app.Actor{ID: "cw-a", Role: app.RoleCaseworker, Organisation: "shelter-a"}
	bankA   = app.Actor{ID: "bank-a-staff", Role: app.RoleBank, Organisation: "bank-a"}
	bureauA = app.Actor{ID: "bureau-a-staff", Role: app.RoleBureau, Organisation: "bureau-a"}
	audit   = app.Actor{ID: "aud", Role: app.RoleAuditor, Organisation: "coalition-audit"}
	analyst = app.Actor{ID: "ana", Role: app.RoleAnalyst, Organisation: "coalition-analytics"}
	root    = app.Actor{ID: "root", Role: app.RoleAdmin}
)

type role struct {
	name   string
	actor  app.Actor
	reason string // X-Access-Reason
}

var roles = []role{
	{"caseworker", cwB, ""},
	{"bank", bankA, ""},
	{"bureau", bureauA, ""},
	{"auditor", audit, ""},
	{"auditor with reason", audit, "fraud investigation #12"},
	{"analyst", analyst, ""},
	{"admin", root, ""},
}

// fixture is a case and the ids a mutation on it needs.
type fixture struct {
	id, docID, grantID, disputeID             string
	itemDisputeID, offerID, packID, concernID string
	owner                                     app.Actor
}

// buildCase makes a case in relation rel to the callers above.
func (h *harness) buildCase(t *testing.T, rel relation, tag string) fixture {
	t.Helper()
	owner, shared := cwA, "shelter-b"
	if rel == relOwn {
		owner, shared = cwB, "shelter-a"
	}
	in := referInput("z-" + tag)
	in["referringOrganisationId"] = owner.Organisation
	var refer struct{ ReferSurvivor caseResult }
	h.must(owner, referMutation, map[string]any{"in": in}, &refer)
	f := fixture{id: refer.ReferSurvivor.CaseID, owner: owner}
	step := 0
	run := func(name, inputType string, input map[string]any) {
		t.Helper()
		step++
		input["commandId"] = fmt.Sprintf("z-%s-%d", tag, step)
		input["caseId"] = f.id
		if _, resp := h.mutate(owner, name, inputType, input); len(resp.Errors) > 0 {
			t.Fatalf("setup %s %s: %+v", rel, name, resp.Errors)
		}
	}
	expires := h.clock.Now().Add(365 * 24 * time.Hour)
	if rel == relExpired {
		expires = h.clock.Now().Add(time.Hour)
	}
	if rel != relOther {
		grant := func(to string, categories, purposes []string) {
			run("grantConsent", "GrantConsentInput", map[string]any{"recipientOrganisationId": to,
				"categories": categories, "purposes": purposes, "expiresAt": expires.Format(time.RFC3339)})
		}
		grant("bank-a", []string{"BANKING"}, []string{"BANKING"})
		grant("bureau-a", []string{"CREDIT"}, []string{"CREDIT_REPAIR"})
		grant(shared, []string{"IDENTITY", "NOTES"}, []string{"BANKING"})
		run("referToBank", "ReferToBankInput", map[string]any{"bankId": "bank-a"})
		run("submitAccountApplication", "SubmitAccountApplicationInput", map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT"})
		run("fileCreditDispute", "FileCreditDisputeInput", map[string]any{"bureauId": "bureau-a", "itemCount": 2})
		run("fileCreditDispute", "FileCreditDisputeInput", map[string]any{"bureauId": "bureau-a",
			"items":    []map[string]any{{"id": "item-1", "kind": "DEBT", "creditor": "Prestamos Rapidos (demo)", "accountReference": "ACC-1"}},
			"evidence": []string{"PROOF_OF_IDENTITY", "TRAFFICKING_DETERMINATION"}})
		run("makeBankOffer", "MakeBankOfferInput", map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT",
			"monthlyFee": map[string]any{"currency": "MXN", "amount": "0"}, "acceptedDocuments": []string{"CURP"}, "acceptsAlternativePack": true})
		run("provideDueDiligencePack", "ProvideDueDiligencePackInput", map[string]any{"bankId": "bank-a",
			"signedLetter": true, "accompaniedVisit": true, "staffName": "Rosa Demo", "correspondenceAddress": false})
		run("raiseSafeguardingConcern", "RaiseSafeguardingConcernInput", map[string]any{"bankId": "bank-a",
			"category": "TRAFFICKER_CONTROL", "details": "a man waited outside the branch"})
	}
	run("requestIDDocument", "RequestIDDocumentInput", map[string]any{"kind": "CURP", "issuingAuthority": "RC"})
	run("addCaseNote", "AddCaseNoteInput", map[string]any{"text": "met at the shelter"})
	run("setSafeContactRules", "SetSafeContactRulesInput", map[string]any{"allowed": []string{"THROUGH_SHELTER"},
		"forbidden": []string{"POST"}, "notes": "never by post to the old address"})

	var out struct {
		Case struct {
			Identity struct{ Documents []struct{ ID string } }
			Consent  struct{ Grants []struct{ ID string } }
			Credit   struct{ Disputes []struct{ ID string } }
			Banking  struct {
				Offers            []struct{ ID string }
				DueDiligencePacks []struct{ ID string }
			}
			Safeguarding []struct{ ID string }
		}
	}
	h.must(owner, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { identity { documents { id } } consent { grants { id } } credit { disputes { id } }
		banking { offers { id } dueDiligencePacks { id } } safeguarding { id } } }`,
		map[string]any{"id": f.id, "min": h.head().String()}, &out)
	f.docID = out.Case.Identity.Documents[0].ID
	if len(out.Case.Consent.Grants) > 0 {
		f.grantID = out.Case.Consent.Grants[0].ID
		f.disputeID = out.Case.Credit.Disputes[0].ID
		f.itemDisputeID = out.Case.Credit.Disputes[1].ID
		f.offerID = out.Case.Banking.Offers[0].ID
		f.packID = out.Case.Banking.DueDiligencePacks[0].ID
		f.concernID = out.Case.Safeguarding[0].ID
	}
	switch rel {
	case relWithdrawn:
		for i, g := range out.Case.Consent.Grants {
			_ = i
			run("withdrawConsent", "WithdrawConsentInput", map[string]any{"grantId": g.ID})
		}
	case relExpired:
		h.clock.Advance(2 * time.Hour) // every grant of this case is now past its expiry
	}
	return f
}

// readGroups asks for every group of a case and reports, per group, "ok" or the
// error code on that field; a case not visible at all is {"case": NOT_FOUND}.
func (h *harness) readGroups(actor app.Actor, id string) map[string]string {
	h.t.Helper()
	resp := h.do(actor, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { id
		summary: stage identity { fullName documents { documentNumber } } consent { grants { id } }
		banking { referrals { bank { id } } } credit { disputes { id } } notes { text }
		safeguarding { id details } contact { allowed notes } } }`, map[string]any{"id": id, "min": h.head().String()})
	out := map[string]string{}
	for _, e := range resp.Errors {
		path := make([]string, len(e.Path))
		for i, p := range e.Path {
			path[i] = fmt.Sprint(p)
		}
		code, _ := e.Extensions["code"].(string)
		out[strings.Join(path[min(1, len(path)-1):min(2, len(path))], "")] = code
	}
	if out["case"] != "" {
		return map[string]string{"case": out["case"]}
	}
	var data struct{ Case map[string]json.RawMessage }
	if err := json.Unmarshal(resp.Data, &data); err != nil {
		h.t.Fatalf("decode %s: %v", resp.Data, err)
	}
	for _, g := range []string{"summary", "identity", "consent", "banking", "credit", "notes", "safeguarding", "contact"} {
		if _, failed := out[g]; failed {
			if string(data.Case[g]) != "null" {
				h.t.Errorf("%s has an error and a value", g)
			}
			continue
		}
		if string(data.Case[g]) == "null" || data.Case[g] == nil {
			out[g] = "null"
			continue
		}
		out[g] = "ok"
	}
	return out
}

// groups builds an expectation: codes for summary, identity, consent, banking,
// credit, notes, safeguarding, contact, in that order ("ok" or an error code).
func groups(summary, identity, consent, banking, credit, notes, safeguarding, contact string) map[string]string {
	return map[string]string{"summary": summary, "identity": identity, "consent": consent,
		"banking": banking, "credit": credit, "notes": notes, "safeguarding": safeguarding, "contact": contact}
}

var notFound = map[string]string{"case": "NOT_FOUND"}

const (
	ok = "ok"
	F  = "FORBIDDEN"
	R  = "REASON_REQUIRED" // a stated reason would open it: an auditor's break-glass
)

func TestAuthorisationOfFieldGroups(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	cases := map[relation]fixture{}
	for _, rel := range relations {
		cases[rel] = h.buildCase(t, rel, "read-"+strings.ReplaceAll(string(rel), " ", "-"))
	}
	auditorView := groups(ok, R, ok, ok, ok, R, F, R)
	auditorWithReason := groups(ok, ok, ok, ok, ok, ok, F, ok)
	want := map[string]map[relation]map[string]string{
		"caseworker": {
			relOwn: groups(ok, ok, ok, ok, ok, ok, ok, ok), relOther: notFound,
			relInForce: groups(ok, ok, F, F, F, ok, F, ok), relExpired: notFound, relWithdrawn: notFound,
		},
		// A bank or bureau owns no case; the "own" case (shelter-b's) is referred to
		// bank-a and disputed with bureau-a under grants in force, like relInForce.
		"bank": {
			relOwn: groups(ok, F, F, ok, F, F, ok, ok), relOther: notFound,
			relInForce: groups(ok, F, F, ok, F, F, ok, ok), relExpired: notFound, relWithdrawn: notFound,
		},
		"bureau": {
			relOwn: groups(F, F, F, F, ok, F, F, ok), relOther: notFound,
			relInForce: groups(F, F, F, F, ok, F, F, ok), relExpired: notFound, relWithdrawn: notFound,
		},
		"auditor": {
			relOwn: auditorView, relOther: auditorView, relInForce: auditorView, relExpired: auditorView, relWithdrawn: auditorView,
		},
		"auditor with reason": {
			relOwn: auditorWithReason, relOther: auditorWithReason, relInForce: auditorWithReason,
			relExpired: auditorWithReason, relWithdrawn: auditorWithReason,
		},
		"analyst": {relOwn: notFound, relOther: notFound, relInForce: notFound, relExpired: notFound, relWithdrawn: notFound},
		"admin":   {relOwn: notFound, relOther: notFound, relInForce: notFound, relExpired: notFound, relWithdrawn: notFound},
	}
	for _, r := range roles {
		for _, rel := range relations {
			t.Run(r.name+"/"+string(rel), func(t *testing.T) {
				h.reason = r.reason
				defer func() { h.reason = "" }()
				got := h.readGroups(r.actor, cases[rel].id)
				if fmt.Sprint(got) != fmt.Sprint(want[r.name][rel]) {
					t.Errorf("got  %v\nwant %v", got, want[r.name][rel])
				}
			})
		}
	}

	// Lists show exactly the visible cases.
	for _, r := range roles {
		var page casesPage
		h.must(r.actor, `{ cases(first: 100) { totalCount } }`, nil, &page)
		wantCount := 0
		for _, rel := range relations {
			if want[r.name][rel]["case"] == "" {
				wantCount++
			}
		}
		if page.Cases.TotalCount != wantCount {
			t.Errorf("%s lists %d cases, want %d", r.name, page.Cases.TotalCount, wantCount)
		}
	}

	// Every read of personal data was recorded, the auditor's with its reason.
	var log struct {
		AccessLog struct {
			Edges []struct {
				Node struct {
					Actor, Role string
					Groups      []string
					Reason      *string
					BreakGlass  bool
				}
			}
		}
	}
	h.must(audit, `query($id: ID!) { accessLog(caseId: $id, first: 100) { edges { node { actor role groups reason breakGlass } } } }`,
		map[string]any{"id": cases[relInForce].id}, &log)
	var sawCaseworker, sawBreakGlass bool
	for _, edge := range log.AccessLog.Edges {
		e := edge.Node
		sawCaseworker = sawCaseworker || (e.Actor == cwB.ID && slices.Contains(e.Groups, "IDENTITY")) // one entry per request and case
		sawBreakGlass = sawBreakGlass || (e.Actor == audit.ID && e.BreakGlass && e.Reason != nil && *e.Reason == "fraud investigation #12")
	}
	if !sawCaseworker || !sawBreakGlass {
		t.Errorf("access log misses the shared caseworker's or the auditor's break-glass read: %+v", log.AccessLog)
	}
	for _, r := range roles[:3] {
		if code := h.do(r.actor, `query($id: ID!) { accessLog(caseId: $id) { totalCount } }`, map[string]any{"id": cases[relOwn].id}).code(); code != "FORBIDDEN" {
			t.Errorf("%s reading the access log: %q, want FORBIDDEN", r.name, code)
		}
	}
}

type mutationCase struct {
	name, inputType string
	input           func(f fixture) map[string]any
	// prep brings a fresh case into the state the mutation needs (run as its owner).
	prep func(h *harness, t *testing.T, f fixture)
}

func caseMutations() []mutationCase {
	far := testStart.Add(18 * 30 * 24 * time.Hour).Format(time.RFC3339) // within the two years a grant may run
	grantBankB := func(h *harness, t *testing.T, f fixture) {
		h.ownerStep(t, f, "grantConsent", "GrantConsentInput", map[string]any{"recipientOrganisationId": "bank-b",
			"categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far})
	}
	return []mutationCase{
		{"grantConsent", "GrantConsentInput", func(f fixture) map[string]any {
			return map[string]any{"recipientOrganisationId": "bank-b", "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far}
		}, nil},
		{"withdrawConsent", "WithdrawConsentInput", func(f fixture) map[string]any { return map[string]any{"grantId": f.grantID} }, nil},
		{"requestIDDocument", "RequestIDDocumentInput", func(f fixture) map[string]any {
			return map[string]any{"kind": "INE", "issuingAuthority": "INE"}
		}, nil},
		{"recordIDDocumentObtained", "RecordIDDocumentObtainedInput", func(f fixture) map[string]any {
			return map[string]any{"documentId": f.docID, "documentNumber": "N-77"}
		}, nil},
		{"recordIDDocumentRefused", "RecordIDDocumentRefusedInput", func(f fixture) map[string]any {
			return map[string]any{"documentId": f.docID, "reasonCode": "NOT_ELIGIBLE", "reason": "no record"}
		}, nil},
		{"referToBank", "ReferToBankInput", func(f fixture) map[string]any { return map[string]any{"bankId": "bank-b"} }, grantBankB},
		{"submitAccountApplication", "SubmitAccountApplicationInput", func(f fixture) map[string]any {
			return map[string]any{"bankId": "bank-b", "product": "SAVINGS_ACCOUNT"}
		}, func(h *harness, t *testing.T, f fixture) {
			grantBankB(h, t, f)
			h.ownerStep(t, f, "referToBank", "ReferToBankInput", map[string]any{"bankId": "bank-b"})
		}},
		{"recordAccountOpened", "RecordAccountOpenedInput", func(f fixture) map[string]any {
			return map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT"}
		}, func(h *harness, t *testing.T, f fixture) {
			h.ownerStep(t, f, "recordIDDocumentObtained", "RecordIDDocumentObtainedInput", map[string]any{"documentId": f.docID, "documentNumber": "X-1"})
		}},
		{"recordAccountDeclined", "RecordAccountDeclinedInput", func(f fixture) map[string]any {
			return map[string]any{"bankId": "bank-a", "reasonCode": "INSUFFICIENT_DOCUMENTATION", "reason": "address"}
		}, nil},
		{"fileCreditDispute", "FileCreditDisputeInput", func(f fixture) map[string]any {
			return map[string]any{"bureauId": "bureau-a", "itemCount": 1}
		}, nil},
		{"recordCreditDisputeOutcome", "RecordCreditDisputeOutcomeInput", func(f fixture) map[string]any {
			return map[string]any{"disputeId": f.disputeID, "outcome": "BLOCKED"}
		}, nil},
		{"addCaseNote", "AddCaseNoteInput", func(f fixture) map[string]any { return map[string]any{"text": "hello"} }, nil},
		{"closeCase", "CloseCaseInput", func(f fixture) map[string]any { return map[string]any{"outcome": "OTHER"} }, nil},
		{"reopenCase", "ReopenCaseInput", func(f fixture) map[string]any {
			return map[string]any{"reasonCode": "SURVIVOR_RETURNED", "reason": "back"}
		},
			func(h *harness, t *testing.T, f fixture) {
				h.ownerStep(t, f, "closeCase", "CloseCaseInput", map[string]any{"outcome": "OTHER"})
			}},
		{"eraseSurvivorData", "EraseSurvivorDataInput", func(f fixture) map[string]any { return map[string]any{"reasonCode": "SURVIVOR_REQUEST"} }, nil},
		// Step 3: the whole journey.
		{"makeBankOffer", "MakeBankOfferInput", func(f fixture) map[string]any {
			return map[string]any{"bankId": "bank-a", "product": "SAVINGS_ACCOUNT", "monthlyFee": map[string]any{"currency": "MXN", "amount": "0"},
				"acceptedDocuments": []string{"INE"}, "acceptsAlternativePack": false}
		}, nil},
		{"recordSurvivorChoice", "RecordSurvivorChoiceInput", func(f fixture) map[string]any { return map[string]any{"offerId": f.offerID} }, nil},
		{"declineAllOffers", "DeclineAllOffersInput", func(f fixture) map[string]any {
			return map[string]any{"reasonCode": "FEES_TOO_HIGH", "reason": "fees too high"}
		}, nil},
		{"provideDueDiligencePack", "ProvideDueDiligencePackInput", func(f fixture) map[string]any {
			return map[string]any{"bankId": "bank-a", "signedLetter": true, "accompaniedVisit": false, "correspondenceAddress": true}
		}, nil},
		{"recordDueDiligenceDecision", "RecordDueDiligenceDecisionInput", func(f fixture) map[string]any {
			return map[string]any{"packId": f.packID, "accepted": true}
		}, nil},
		{"raiseSafeguardingConcern", "RaiseSafeguardingConcernInput", func(f fixture) map[string]any {
			return map[string]any{"bankId": "bank-a", "category": "COERCION", "details": "someone else answers her phone"}
		}, nil},
		{"acknowledgeSafeguardingConcern", "AcknowledgeSafeguardingConcernInput", func(f fixture) map[string]any {
			return map[string]any{"concernId": f.concernID}
		}, nil},
		{"resolveSafeguardingConcern", "ResolveSafeguardingConcernInput", func(f fixture) map[string]any {
			return map[string]any{"concernId": f.concernID, "resolution": "ACCOUNT_RESTRICTED", "resolutionText": "card reissued, new PIN set at the branch"}
		}, nil},
		{"setSafeContactRules", "SetSafeContactRulesInput", func(f fixture) map[string]any {
			return map[string]any{"allowed": []string{"PHONE"}, "forbidden": []string{"EMAIL"}}
		}, nil},
		{"recordCreditReportObtained", "RecordCreditReportObtainedInput", func(f fixture) map[string]any {
			return map[string]any{"bureauId": "bureau-a"}
		}, nil},
		{"recordDisputeItemOutcome", "RecordDisputeItemOutcomeInput", func(f fixture) map[string]any {
			return map[string]any{"disputeId": f.itemDisputeID, "itemId": "item-1", "outcome": "BLOCKED"}
		}, nil},
		{"resubmitCreditDispute", "ResubmitCreditDisputeInput", func(f fixture) map[string]any {
			return map[string]any{"disputeId": f.itemDisputeID, "itemIds": []string{"item-1"}, "evidence": []string{"POLICE_REPORT"}}
		}, func(h *harness, t *testing.T, f fixture) {
			h.ownerStep(t, f, "recordDisputeItemOutcome", "RecordDisputeItemOutcomeInput", map[string]any{
				"disputeId": f.itemDisputeID, "itemId": "item-1", "outcome": "REFUSED", "reasonCode": "INSUFFICIENT_EVIDENCE", "reason": "no evidence of coercion"})
		}},
		{"identifyBarrier", "BarrierInput", func(f fixture) map[string]any { return map[string]any{"barrier": "NEEDS_TRANSPORT"} }, nil},
		{"resolveBarrier", "BarrierInput", func(f fixture) map[string]any { return map[string]any{"barrier": "NO_ID"} }, nil},
		{"identifyNeed", "NeedInput", func(f fixture) map[string]any { return map[string]any{"need": "TRANSPORT"} }, nil},
		{"meetNeed", "NeedInput", func(f fixture) map[string]any { return map[string]any{"need": "BANK_ACCOUNT"} }, nil},
		{"recordSubjectAccessRequest", "RecordSubjectAccessRequestInput", func(f fixture) map[string]any {
			return map[string]any{"identityCheckedInPerson": true, "freeWillCheckedInPerson": true}
		}, nil},
		// Transfers: to the other shelter, which a grant in force shares the case with.
		// No fixture has a transfer pending (api/transfer_test.go walks them through).
		{"requestCaseTransfer", "RequestCaseTransferInput", func(f fixture) map[string]any {
			to := "shelter-a"
			if f.owner.Organisation == "shelter-a" {
				to = "shelter-b"
			}
			return map[string]any{"recipientOrganisationId": to, "reasonCode": "SAFETY", "reason": "she moved"}
		}, nil},
		{"acceptCaseTransfer", "AcceptCaseTransferInput", func(f fixture) map[string]any { return map[string]any{"transferId": "t-none"} }, nil},
		{"declineCaseTransfer", "DeclineCaseTransferInput", func(f fixture) map[string]any {
			return map[string]any{"transferId": "t-none", "reasonCode": "NO_CAPACITY"}
		}, nil},
		{"cancelCaseTransfer", "CancelCaseTransferInput", func(f fixture) map[string]any { return map[string]any{"transferId": "t-none"} }, nil},
	}
}

// Every mutation on an existing case (its input has a caseId) is in the table: a
// mutation added without its row would go untried for every role and relation.
func TestEveryCaseMutationIsInTheAuthorisationTable(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	listed := map[string]bool{}
	for _, m := range caseMutations() {
		listed[m.name] = true
	}
	for _, f := range schema.Mutation.Fields {
		for _, arg := range f.Arguments {
			if input := schema.Types[arg.Type.Name()]; input != nil && input.Fields.ForName("caseId") != nil && !listed[f.Name] {
				t.Errorf("mutation %s acts on a case but is not in caseMutations", f.Name)
			}
		}
	}
}

// bankSide are the commands a bank's staff may run for their own bank.
var bankSide = map[string]bool{
	"recordAccountOpened": true, "recordAccountDeclined": true, "makeBankOffer": true, "recordDueDiligenceDecision": true,
	"raiseSafeguardingConcern": true, "acknowledgeSafeguardingConcern": true, "resolveSafeguardingConcern": true,
}

// bureauSide are the commands a bureau's staff may run on disputes addressed to it.
var bureauSide = map[string]bool{"recordCreditDisputeOutcome": true, "recordDisputeItemOutcome": true}

func (h *harness) ownerStep(t *testing.T, f fixture, name, inputType string, input map[string]any) {
	t.Helper()
	input["commandId"] = fmt.Sprintf("prep-%s-%s", f.id, name)
	input["caseId"] = f.id
	if _, resp := h.mutate(f.owner, name, inputType, input); len(resp.Errors) > 0 {
		t.Fatalf("prep %s: %+v", name, resp.Errors)
	}
}

// wantMutation is the expected outcome of a case mutation: "ok" or an error code.
func wantMutation(roleName string, rel relation, mutation string) string {
	switch roleName {
	case "caseworker":
		switch rel {
		case relOwn:
			switch mutation {
			case "acceptCaseTransfer", "declineCaseTransfer":
				return F // only the recipient answers a transfer, never the owner
			case "cancelCaseTransfer":
				return "BAD_USER_INPUT" // no transfer t-none is pending
			}
			return ok
		case relInForce:
			return F // shared by consent: read-only
		}
		return "NOT_FOUND"
	case "bank":
		if rel != relOwn && rel != relInForce {
			return "NOT_FOUND"
		}
		if bankSide[mutation] {
			return ok
		}
		return F
	case "bureau":
		if rel != relOwn && rel != relInForce {
			return "NOT_FOUND"
		}
		if bureauSide[mutation] {
			return ok
		}
		return F
	case "auditor", "auditor with reason":
		return F
	case "admin":
		if mutation == "eraseSurvivorData" {
			return ok
		}
	}
	return "NOT_FOUND"
}

func TestAuthorisationOfMutations(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	shared := map[relation]fixture{}
	for _, rel := range relations {
		shared[rel] = h.buildCase(t, rel, "mut-"+strings.ReplaceAll(string(rel), " ", "-"))
	}
	n := 0
	for _, r := range roles {
		for _, rel := range relations {
			for _, m := range caseMutations() {
				want := wantMutation(r.name, rel, m.name)
				t.Run(r.name+"/"+string(rel)+"/"+m.name, func(t *testing.T) {
					n++
					f := shared[rel]
					if want == ok {
						// A mutation that succeeds changes its case: give it its own.
						f = h.buildCase(t, rel, fmt.Sprintf("fresh-%d", n))
						if m.prep != nil {
							m.prep(h, t, f)
						}
					}
					head := h.head()
					in := m.input(f)
					in["commandId"], in["caseId"] = fmt.Sprintf("m-%d", n), f.id
					h.reason = r.reason
					_, resp := h.mutate(r.actor, m.name, m.inputType, in)
					h.reason = ""
					got := resp.code()
					if got == "" {
						got = ok
					}
					if got != want {
						t.Errorf("got %s (%+v), want %s", got, resp.Errors, want)
					}
					if want != ok && h.head() != head {
						t.Errorf("a refused mutation changed the store")
					}
				})
			}
		}
	}

	// Commands that are not about an existing case.
	for _, r := range roles {
		in := referInput(fmt.Sprintf("refer-%s", strings.ReplaceAll(r.name, " ", "-")))
		in["referringOrganisationId"] = r.actor.Organisation
		wantRefer := F
		if r.actor.Role == app.RoleCaseworker {
			wantRefer = ok
		}
		if got := h.do(r.actor, referMutation, map[string]any{"in": in}).code(); (got == "" && wantRefer != ok) || (got != "" && got != wantRefer) {
			t.Errorf("%s referSurvivor for its own organisation: %q, want %s", r.name, got, wantRefer)
		}
		other := referInput(fmt.Sprintf("refer-other-%s", strings.ReplaceAll(r.name, " ", "-")))
		other["referringOrganisationId"] = "shelter-a"
		if got := h.do(r.actor, referMutation, map[string]any{"in": other}).code(); got != F {
			t.Errorf("%s referSurvivor for another organisation: %q, want FORBIDDEN", r.name, got)
		}
		reg := map[string]any{"commandId": "reg-" + strings.ReplaceAll(r.name, " ", "-"), "name": "New Bank " + r.name,
			"kind": "BANK", "jurisdiction": "MX", "services": []string{}}
		wantReg := F
		if r.actor.Role == app.RoleAdmin {
			wantReg = ok
		}
		if got := h.do(r.actor, registerOrg, map[string]any{"in": reg}).code(); (got == "" && wantReg != ok) || (got != "" && got != wantReg) {
			t.Errorf("%s registerOrganisation: %q, want %s", r.name, got, wantReg)
		}
		upd := map[string]any{"commandId": "upd-" + strings.ReplaceAll(r.name, " ", "-"), "organisationId": "bank-b",
			"services": []string{"BANKING"}, "programmes": []string{"SURVIVOR_INCLUSION"}}
		if got := h.do(r.actor, `mutation($in: UpdateOrganisationProfileInput!) { updateOrganisationProfile(input: $in) { version } }`,
			map[string]any{"in": upd}).code(); (got == "" && wantReg != ok) || (got != "" && got != wantReg) {
			t.Errorf("%s updateOrganisationProfile: %q, want %s", r.name, got, wantReg)
		}
		var orgs struct{ Organisations []struct{ ID string } }
		h.must(r.actor, `{ organisations { id } }`, nil, &orgs)
		if len(orgs.Organisations) < 5 {
			t.Errorf("%s sees %d organisations in the directory", r.name, len(orgs.Organisations))
		}
	}
}
