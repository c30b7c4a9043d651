package api_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	auditpkg "github.com/waymark-org/waymark/audit"
)

// Auditing over the real HTTP stack and embedded JetStream: a case's history, the
// case as of a moment, and who may do either.

var (
	bankStaffB  = app.Actor{ID: "bank-b-staff", Role: app.RoleBank, Organisation: "bank-b"}
	complianceA = app.Actor{ID: "bank-a-compliance", Role: app.RoleAuditor, Organisation: "bank-a"}
)

// auditedCase is a case of shelter-a shown to bank-a and bank-b, each of which made an
// offer, with a note; the clock moves a minute between steps. It returns the case id
// and the grant ids by bank.
func (h *harness) auditedCase(t *testing.T, tag string) (string, map[string]string) {
	t.Helper()
	id := h.refer(tag + "-refer")
	expires := h.clock.Now().Add(365 * 24 * time.Hour).Format(time.RFC3339)
	for _, bank := range []string{"bank-a", "bank-b"} {
		h.clock.Advance(time.Minute)
		h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": tag + "-consent-" + bank, "caseId": id,
			"recipientOrganisationId": bank, "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": expires})
		h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": tag + "-show-" + bank, "caseId": id, "bankId": bank})
	}
	for _, staff := range []app.Actor{bankA, bankStaffB} {
		h.clock.Advance(time.Minute)
		if _, resp := h.mutate(staff, "makeBankOffer", "MakeBankOfferInput", map[string]any{"commandId": tag + "-offer-" + staff.Organisation,
			"caseId": id, "bankId": staff.Organisation, "product": "BASIC_ACCOUNT", "monthlyFee": map[string]any{"currency": "MXN", "amount": "0"},
			"acceptedDocuments": []string{"CURP"}, "acceptsAlternativePack": true}); len(resp.Errors) > 0 {
			t.Fatalf("offer: %+v", resp.Errors)
		}
	}
	h.clock.Advance(time.Minute)
	h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": tag + "-note", "caseId": id, "text": "met her at the shelter"})
	resp := h.do(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { consent { grants { id recipient { id } } } } }`,
		map[string]any{"id": id, "min": h.head().String()})
	var grants struct {
		Case struct {
			Consent struct {
				Grants []struct {
					ID        string
					Recipient struct{ ID string }
				}
			}
		}
	}
	if err := json.Unmarshal(resp.Data, &grants); err != nil {
		t.Fatal(err)
	}
	byBank := map[string]string{}
	for _, g := range grants.Case.Consent.Grants {
		byBank[g.Recipient.ID] = g.ID
	}
	return id, byBank
}

type historyNode struct {
	Type           string
	SchemaVersion  int
	Group          string
	Data           *string
	Personal       *string
	PersonalErased bool
	Actor          *string
	Role           string
	Organisation   *string
	RecordedAt     time.Time
	Version        int
	Position       string
	Hash, PrevHash string
}

type historyPage struct {
	CaseHistory struct {
		Edges []struct {
			Cursor string
			Node   historyNode
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
		TotalCount int
	}
}

const historyQuery = `query($id: ID!, $first: Int, $after: String) { caseHistory(id: $id, first: $first, after: $after) {
	edges { cursor node { type schemaVersion group data personal personalErased actor role organisation recordedAt version position hash prevHash } }
	pageInfo { hasNextPage endCursor } totalCount } }`

// history pages through a case's whole history as actor, pageSize events at a time,
// and returns the events and the errors of the fields that failed (by path).
func (h *harness) history(actor app.Actor, id string, pageSize int) ([]historyNode, []gqlError) {
	h.t.Helper()
	var out []historyNode
	var errs []gqlError
	var after any
	for pages := 0; ; pages++ {
		if pages > 100 {
			h.t.Fatal("history does not end")
		}
		resp := h.do(actor, historyQuery, map[string]any{"id": id, "first": pageSize, "after": after})
		errs = append(errs, resp.Errors...)
		var page historyPage
		if err := json.Unmarshal(resp.Data, &page); err != nil {
			h.t.Fatalf("decode %s: %v", resp.Data, err)
		}
		for _, e := range page.CaseHistory.Edges {
			out = append(out, e.Node)
		}
		if !page.CaseHistory.PageInfo.HasNextPage {
			if len(out) != page.CaseHistory.TotalCount {
				h.t.Errorf("%d events paged, totalCount %d", len(out), page.CaseHistory.TotalCount)
			}
			return out, errs
		}
		after = *page.CaseHistory.PageInfo.EndCursor
	}
}

func typesOf(events []historyNode) string {
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return strings.Join(out, " ")
}

func TestCaseHistory(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id, _ := h.auditedCase(t, "hist")
	h.do(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { id } }`, map[string]any{"id": id, "min": h.head().String()})

	// The coalition's auditor, without a reason: every event, in order, in pages of 3;
	// personal parts refused, everything else shown; the chain links.
	events, errs := h.history(auditor, id, 3)
	want := "SurvivorReferred ConsentGranted BankReferralMade ConsentGranted BankReferralMade BankOfferMade BankOfferMade CaseNoteAdded"
	if got := typesOf(events); got != want {
		t.Fatalf("history: %s\nwant     %s", got, want)
	}
	for i, e := range events {
		if e.Version != i+1 || e.Hash == "" || (i == 0) != (e.PrevHash == "") || (i > 0 && e.PrevHash != events[i-1].Hash) {
			t.Errorf("event %d: version %d, hash %q, prevHash %q", i, e.Version, e.Hash, e.PrevHash)
		}
		if e.SchemaVersion < 1 || e.Role == "" || e.RecordedAt.IsZero() || e.Position == "" {
			t.Errorf("event %d lacks its metadata: %+v", i, e)
		}
		if e.Personal != nil {
			t.Errorf("event %d: personal data shown to an auditor without a reason", i)
		}
	}
	if events[0].Data == nil || !strings.Contains(*events[0].Data, `"jurisdiction":"MX"`) || strings.Contains(*events[0].Data, "personal") {
		t.Errorf("referral data: %v", events[0].Data)
	}
	if events[7].Data != nil || events[7].Group != "NOTES" {
		t.Errorf("a note's data shown to an auditor without a reason: %+v", events[7])
	}
	needReason := 0
	for _, e := range errs {
		if e.Extensions["code"] != "REASON_REQUIRED" {
			t.Errorf("unexpected error %+v", e)
		}
		needReason++
	}
	if needReason != 3 { // the referral's and the note's personal parts, the note's data
		t.Errorf("%d REASON_REQUIRED fields, want 3: %+v", needReason, errs)
	}

	// With a reason: the personal parts, decrypted, and the read in the access log.
	h.reason = "complaint 2026-14 review"
	events, errs = h.history(auditor, id, 100)
	h.reason = ""
	if len(errs) > 0 {
		t.Fatalf("auditor with a reason: %+v", errs)
	}
	if p := events[0].Personal; p == nil || !strings.Contains(*p, "Zaneta Quillfeather") {
		t.Errorf("referral's personal part: %v", p)
	}
	if p := events[7].Personal; p == nil || !strings.Contains(*p, "met her at the shelter") {
		t.Errorf("note's personal part: %v", p)
	}
	var log struct {
		AccessLog struct {
			Edges []struct {
				Node struct{ Actor, Reason string }
			}
		}
	}
	h.must(auditor, `query($id: ID!) { accessLog(caseId: $id, filter: {breakGlass: true}) { edges { node { actor reason } } } }`, map[string]any{"id": id}, &log)
	if len(log.AccessLog.Edges) != 1 || log.AccessLog.Edges[0].Node.Reason != "complaint 2026-14 review" {
		t.Errorf("break-glass reads recorded: %+v", log.AccessLog.Edges)
	}

	// The owner sees everything; bank-a's compliance team sees what bank-a sees:
	// never bank-b's referral or offer, nor who at bank-b recorded anything.
	events, errs = h.history(caseworker, id, 100)
	if len(events) != 8 || len(errs) > 0 {
		t.Errorf("owner: %d events, %+v", len(events), errs)
	}
	events, _ = h.history(complianceA, id, 100)
	if got, want := typesOf(events), "SurvivorReferred ConsentGranted BankReferralMade BankOfferMade CaseNoteAdded"; got != want {
		t.Errorf("bank-a compliance: %s\nwant %s", got, want)
	}
	for _, e := range events {
		if e.Organisation != nil && *e.Organisation == "bank-b" {
			t.Errorf("bank-a compliance sees bank-b's entry: %+v", e)
		}
		if strings.Contains(deref(e.Data), "bank-b") {
			t.Errorf("bank-a compliance reads bank-b's data: %s", deref(e.Data))
		}
	}

	// Bank staff may not audit; others do not see the case; a missing case is the same.
	for _, tt := range []struct {
		actor app.Actor
		id    string
		code  string
	}{
		{bankA, id, "FORBIDDEN"}, {otherWorker, id, "NOT_FOUND"}, {admin, id, "NOT_FOUND"},
		{auditor, "no-such-case", "NOT_FOUND"},
	} {
		if code := h.do(tt.actor, historyQuery, map[string]any{"id": tt.id}).code(); code != tt.code {
			t.Errorf("%s on %s: %q, want %s", tt.actor.ID, tt.id, code, tt.code)
		}
	}
	for _, vars := range []map[string]any{{"id": id, "first": -1}, {"id": id, "first": 101}, {"id": id, "after": "nonsense"}} {
		if code := h.do(auditor, historyQuery, vars).code(); code != "BAD_USER_INPUT" {
			t.Errorf("%v: %q, want BAD_USER_INPUT", vars, code)
		}
	}
}

// Erasure leaves the history whole: the events stay, their personal parts are shown
// as erased.
func TestCaseHistoryAfterErasure(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("erased-refer")
	h.step("eraseSurvivorData", "EraseSurvivorDataInput", map[string]any{"commandId": "erased-erase", "caseId": id, "reasonCode": "SURVIVOR_REQUEST"})
	h.do(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { id } }`, map[string]any{"id": id, "min": h.head().String()})
	events, errs := h.history(caseworker, id, 10)
	if len(errs) > 0 || len(events) != 2 || events[1].Type != "SurvivorDataErased" {
		t.Fatalf("history after erasure: %+v %+v", events, errs)
	}
	if !events[0].PersonalErased || events[0].Personal != nil || events[0].Data == nil {
		t.Errorf("erased referral: %+v", events[0])
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

const caseAtQuery = `query($id: ID!, $version: Int, $at: Time) { caseAt(id: $id, version: $version, at: $at) {
	version stage banking { referrals { bank { id } } offers { bank { id } } } notes { text } } }`

func TestCaseAt(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	referredAt := h.clock.Now()
	id, grants := h.auditedCase(t, "at")
	h.do(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { id } }`, map[string]any{"id": id, "min": h.head().String()})

	type caseAt struct {
		CaseAt struct {
			Version int
			Stage   string
			Banking struct {
				Referrals []struct{ Bank struct{ ID string } }
				Offers    []struct{ Bank struct{ ID string } }
			}
			Notes []struct{ Text *string }
		}
	}
	var v1 caseAt
	h.must(caseworker, caseAtQuery, map[string]any{"id": id, "version": 1}, &v1)
	if v1.CaseAt.Version != 1 || v1.CaseAt.Stage != "REFERRAL" || len(v1.CaseAt.Banking.Referrals) != 0 || len(v1.CaseAt.Notes) != 0 {
		t.Errorf("version 1: %+v", v1.CaseAt)
	}
	var v6 caseAt
	h.must(caseworker, caseAtQuery, map[string]any{"id": id, "version": 6}, &v6)
	if v6.CaseAt.Version != 6 || v6.CaseAt.Stage != "ACCOUNT_OPENING" || len(v6.CaseAt.Banking.Referrals) != 2 || len(v6.CaseAt.Banking.Offers) != 1 {
		t.Errorf("version 6: %+v", v6.CaseAt)
	}
	// At an instant: the referral plus the first bank's consent and referral.
	var atTime caseAt
	h.must(caseworker, caseAtQuery, map[string]any{"id": id, "at": referredAt.Add(90 * time.Second).Format(time.RFC3339)}, &atTime)
	if atTime.CaseAt.Version != 3 || len(atTime.CaseAt.Banking.Referrals) != 1 {
		t.Errorf("at referral + 90s: %+v", atTime.CaseAt)
	}

	head := h.head()
	for _, vars := range []map[string]any{
		{"id": id}, // neither
		{"id": id, "version": 2, "at": referredAt.Format(time.RFC3339)}, // both
		{"id": id, "version": 9},       // beyond the head (8 events)
		{"id": id, "version": 0},       // before the referral
		{"id": id, "version": -1},      // negative
		{"id": id, "version": 1 << 40}, // far beyond any head
		{"id": id, "at": referredAt.Add(-time.Second).Format(time.RFC3339)}, // before the case existed
	} {
		if code := h.do(auditor, caseAtQuery, vars).code(); code != "BAD_USER_INPUT" {
			t.Errorf("caseAt %v: %q, want BAD_USER_INPUT", vars, code)
		}
	}
	if code := h.do(auditor, caseAtQuery, map[string]any{"id": "no-such-case", "version": 1}).code(); code != "NOT_FOUND" {
		t.Errorf("caseAt on a missing case: %q", code)
	}
	if h.head() != head {
		t.Error("bad caseAt requests changed the log")
	}

	// bank-a's compliance team reads the banking group of version 6 now, but not once
	// bank-a's consent is withdrawn: access is decided on the case as it stands now.
	var asBank caseAt
	resp := h.do(complianceA, caseAtQuery, map[string]any{"id": id, "version": 6})
	if err := json.Unmarshal(resp.Data, &asBank); err != nil || len(asBank.CaseAt.Banking.Referrals) != 1 {
		t.Errorf("bank-a compliance at version 6: %s %+v", resp.Data, resp.Errors)
	}
	h.step("withdrawConsent", "WithdrawConsentInput", map[string]any{"commandId": "at-withdraw", "caseId": id, "grantId": grants["bank-a"]})
	h.do(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { id } }`, map[string]any{"id": id, "min": h.head().String()})
	if code := h.do(complianceA, caseAtQuery, map[string]any{"id": id, "version": 6}).code(); code != "NOT_FOUND" {
		t.Errorf("bank-a compliance after its consent was withdrawn: %q, want NOT_FOUND", code)
	}
	if code := h.do(complianceA, historyQuery, map[string]any{"id": id}).code(); code != "NOT_FOUND" {
		t.Errorf("bank-a compliance's history after its consent was withdrawn: %q, want NOT_FOUND", code)
	}
}

const verifyQuery = `query($id: ID!) { verifyCase(id: $id) { ok events headHash checkpoints signed firstBreak { stream revision problem expected found } } }`

type verification struct {
	VerifyCase struct {
		OK          bool `json:"ok"`
		Events      int
		HeadHash    *string
		Checkpoints int
		Signed      bool
		FirstBreak  *struct {
			Stream          string
			Revision        int
			Problem         string
			Expected, Found string
		}
	}
}

// verifyCase recomputes the chain and compares it with the signed checkpoints; one
// signed by another key is named as the break.
func TestVerifyCase(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id, _ := h.auditedCase(t, "verify")
	h.do(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { id } }`, map[string]any{"id": id, "min": h.head().String()})

	var v verification
	h.must(auditor, verifyQuery, map[string]any{"id": id}, &v)
	if !v.VerifyCase.OK || v.VerifyCase.Events != 8 || v.VerifyCase.Checkpoints != 0 || !v.VerifyCase.Signed || v.VerifyCase.FirstBreak != nil {
		t.Errorf("before any checkpoint: %+v", v.VerifyCase)
	}
	signer := &auditpkg.Signer{Store: h.node.Store, KeyID: "audit-test", Key: h.auditKey, Now: h.clock.Now}
	if _, _, err := signer.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.must(caseworker, verifyQuery, map[string]any{"id": id}, &v)
	if !v.VerifyCase.OK || v.VerifyCase.Checkpoints != 1 {
		t.Errorf("after a checkpoint: %+v", v.VerifyCase)
	}
	// A checkpoint signed with another key is named, and nothing else is trusted.
	_, forged, _ := ed25519.GenerateKey(rand.Reader)
	h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "verify-note-2", "caseId": id, "text": "second"})
	signer.Key = forged
	if _, _, err := signer.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.must(auditor, verifyQuery, map[string]any{"id": id}, &v)
	if b := v.VerifyCase.FirstBreak; v.VerifyCase.OK || b == nil || b.Stream != "audit-checkpoints" || !strings.Contains(b.Problem, "signature") {
		t.Errorf("a checkpoint of another key: %+v %+v", v.VerifyCase, b)
	}
	for _, tt := range []struct {
		actor app.Actor
		id    string
		code  string
	}{{bankA, id, "FORBIDDEN"}, {otherWorker, id, "NOT_FOUND"}, {auditor, "no-such-case", "NOT_FOUND"}} {
		if code := h.do(tt.actor, verifyQuery, map[string]any{"id": tt.id}).code(); code != tt.code {
			t.Errorf("%s verifies %s: %q, want %s", tt.actor.ID, tt.id, code, tt.code)
		}
	}
}

// The auditing operations in the authorisation table: every role against cases in
// every relation, through the real HTTP server.
func TestAuthorisationOfAuditing(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	cases := map[relation]fixture{}
	for _, rel := range relations {
		cases[rel] = h.buildCase(t, rel, "audit-"+strings.ReplaceAll(string(rel), " ", "-"))
	}
	bankCompliance := app.Actor{ID: "bank-a-compliance", Role: app.RoleAuditor, Organisation: "bank-a"}
	N, A := "NOT_FOUND", "ok"
	all := func(code string) map[relation]string {
		return map[relation]string{relOwn: code, relOther: code, relInForce: code, relExpired: code, relWithdrawn: code}
	}
	// caseHistory, caseAt and verifyCase share one decision; accessLog has its own.
	want := map[string]struct{ audit, log map[relation]string }{
		"caseworker": {map[relation]string{relOwn: A, relOther: N, relInForce: F, relExpired: N, relWithdrawn: N},
			map[relation]string{relOwn: F, relOther: N, relInForce: F, relExpired: N, relWithdrawn: N}},
		"bank": {map[relation]string{relOwn: F, relOther: N, relInForce: F, relExpired: N, relWithdrawn: N},
			map[relation]string{relOwn: F, relOther: N, relInForce: F, relExpired: N, relWithdrawn: N}},
		"bureau": {map[relation]string{relOwn: F, relOther: N, relInForce: F, relExpired: N, relWithdrawn: N},
			map[relation]string{relOwn: F, relOther: N, relInForce: F, relExpired: N, relWithdrawn: N}},
		"auditor":             {all(A), all(A)},
		"auditor with reason": {all(A), all(A)},
		"bank compliance": {map[relation]string{relOwn: A, relOther: N, relInForce: A, relExpired: N, relWithdrawn: N},
			map[relation]string{relOwn: A, relOther: N, relInForce: A, relExpired: N, relWithdrawn: N}},
		"analyst": {all(N), all(N)},
		"admin":   {all(N), all(N)},
	}
	codeOf := func(resp gqlResponse) string {
		if c := resp.code(); c != "" {
			return c
		}
		return A
	}
	for _, r := range append(roles, role{"bank compliance", bankCompliance, ""}) {
		for _, rel := range relations {
			t.Run(r.name+"/"+string(rel), func(t *testing.T) {
				h.reason = r.reason
				defer func() { h.reason = "" }()
				vars := map[string]any{"id": cases[rel].id}
				got := map[string]string{
					"caseHistory": codeOf(h.do(r.actor, `query($id: ID!) { caseHistory(id: $id) { totalCount } }`, vars)),
					"caseAt":      codeOf(h.do(r.actor, `query($id: ID!) { caseAt(id: $id, version: 1) { version } }`, vars)),
					"verifyCase":  codeOf(h.do(r.actor, `query($id: ID!) { verifyCase(id: $id) { ok } }`, vars)),
					"accessLog":   codeOf(h.do(r.actor, `query($id: ID!) { accessLog(caseId: $id) { totalCount } }`, vars)),
				}
				w := want[r.name]
				for _, op := range []string{"caseHistory", "caseAt", "verifyCase"} {
					if got[op] != w.audit[rel] {
						t.Errorf("%s: %s, want %s", op, got[op], w.audit[rel])
					}
				}
				if got["accessLog"] != w.log[rel] {
					t.Errorf("accessLog: %s, want %s", got["accessLog"], w.log[rel])
				}
			})
		}
	}
}
