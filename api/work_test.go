package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

const myWorkQuery = `query($first: Int, $after: String, $min: String) {
  myWork(first: $first, after: $after, minPosition: $min) {
    items { kind caseId itemId since dueAt overdue cursor }
    pageInfo { hasNextPage endCursor }
    totalCount
    countsByKind { kind count }
  }
}`

type workItemDoc struct {
	Kind, CaseID, ItemID, Since, Cursor string
	DueAt                               *string
	Overdue                             bool
}

type workPageDoc struct {
	Items    []workItemDoc
	PageInfo struct {
		HasNextPage bool
		EndCursor   *string
	}
	TotalCount   int
	CountsByKind []struct {
		Kind  string
		Count int
	}
}

// myWork reads actor's queue after the log's head (read-your-writes).
func (h *harness) myWork(actor app.Actor, first int, after string) workPageDoc {
	h.t.Helper()
	vars := map[string]any{"first": first, "min": h.head().String()}
	if after != "" {
		vars["after"] = after
	}
	var out struct{ MyWork workPageDoc }
	h.must(actor, myWorkQuery, vars, &out)
	return out.MyWork
}

// kinds lists the page's items as kind:case:item.
func (p workPageDoc) kinds() []string {
	var out []string
	for _, i := range p.Items {
		out = append(out, i.Kind)
	}
	return out
}

func (p workPageDoc) has(kind, caseID string) (workItemDoc, bool) {
	for _, i := range p.Items {
		if i.Kind == kind && i.CaseID == caseID {
			return i, true
		}
	}
	return workItemDoc{}, false
}

// workCase refers a survivor and has her consent to bank-a, bank-b (whose grant
// ends in expiresB) and bureau-a; the case is shown to both banks. Returns its id.
func (h *harness) workCase(tag string, expiresB time.Duration) string {
	h.t.Helper()
	id := h.refer(tag + "-refer")
	in := func(step string, fields map[string]any) map[string]any {
		h.clock.Advance(time.Minute) // each step later than the one before: the queue's order
		fields["commandId"], fields["caseId"] = tag+"-"+step, id
		return fields
	}
	year := h.clock.Now().Add(365 * 24 * time.Hour).Format(time.RFC3339)
	for _, g := range []struct{ to, category, purpose, expires string }{
		{"bank-a", "BANKING", "BANKING", year},
		{"bank-b", "BANKING", "BANKING", h.clock.Now().Add(expiresB).Format(time.RFC3339)},
		{"bureau-a", "CREDIT", "CREDIT_REPAIR", year},
	} {
		h.step("grantConsent", "GrantConsentInput", in("grant-"+g.to, map[string]any{"recipientOrganisationId": g.to,
			"categories": []string{g.category}, "purposes": []string{g.purpose}, "expiresAt": g.expires}))
	}
	for _, bank := range []string{"bank-a", "bank-b"} {
		h.step("referToBank", "ReferToBankInput", in("show-"+bank, map[string]any{"bankId": bank}))
	}
	return id
}

// Given a case shown to two banks with a pack, an application and a concern at bank-a
// and a dispute at bureau-a, when each organisation reads myWork, then each sees its
// own kinds of work on it and nothing of the others'; an offer takes the case off
// bank-a's queue; with time, the caseworker sees her consent about to expire, then
// the case stalled, and bank-b, whose grant ended, sees nothing any more.
func TestMyWorkPerRole(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.workCase("w", 10*24*time.Hour)
	in := func(step string, fields map[string]any) map[string]any {
		h.clock.Advance(time.Minute)
		fields["commandId"], fields["caseId"] = "w-"+step, id
		return fields
	}
	h.step("submitAccountApplication", "SubmitAccountApplicationInput", in("apply", map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT"}))
	h.step("provideDueDiligencePack", "ProvideDueDiligencePackInput", in("pack", map[string]any{"bankId": "bank-a",
		"signedLetter": true, "accompaniedVisit": false, "correspondenceAddress": true}))
	h.act(bankAStaff, "raiseSafeguardingConcern", "RaiseSafeguardingConcernInput", in("concern", map[string]any{"bankId": "bank-a",
		"category": "COERCION", "details": "Zaneta Quillfeather came with a man who held her card"}))
	h.step("fileCreditDispute", "FileCreditDisputeInput", in("dispute", map[string]any{"bureauId": "bureau-a",
		"items":    []map[string]any{{"id": "loan-1", "kind": "DEBT", "creditor": "Prestamos (demo)"}},
		"evidence": []string{"PROOF_OF_IDENTITY", "TRAFFICKING_DETERMINATION"}}))

	bankA := h.myWork(bankAStaff, 100, "")
	if got, want := bankA.kinds(), []string{"CASE_SHOWN", "APPLICATION_AWAITING", "PACK_AWAITING_DECISION", "CONCERN_OPEN"}; !slices.Equal(got, want) {
		t.Errorf("bank-a's queue: %v, want %v (by since)", got, want)
	}
	if item, _ := bankA.has("APPLICATION_AWAITING", id); item.ItemID != "bank-a" || item.DueAt != nil || item.Overdue {
		t.Errorf("the application item: %+v", item)
	}
	if bankA.TotalCount != 4 || len(bankA.CountsByKind) != 4 {
		t.Errorf("bank-a: total %d, counts %+v", bankA.TotalCount, bankA.CountsByKind)
	}
	if got := h.myWork(bankBStaff, 100, "").kinds(); !slices.Equal(got, []string{"CASE_SHOWN"}) {
		t.Errorf("bank-b's queue: %v, want only the case shown to it (nothing of bank-a's)", got)
	}
	bureau := h.myWork(bureauAStaff, 100, "")
	if got := bureau.kinds(); !slices.Equal(got, []string{"DISPUTE_PENDING"}) {
		t.Errorf("bureau-a's queue: %v", got)
	}
	cw := h.myWork(caseworker, 100, "")
	expiring, ok := cw.has("CONSENT_EXPIRING", id)
	if !ok || len(cw.Items) != 1 || expiring.DueAt == nil || expiring.Overdue {
		t.Errorf("the caseworker's queue: %+v, want bank-b's grant expiring in 10 days", cw.Items)
	}
	if got := h.myWork(otherWorker, 100, "").Items; len(got) != 0 {
		t.Errorf("another shelter's queue: %+v", got)
	}

	h.act(bankAStaff, "makeBankOffer", "MakeBankOfferInput", in("offer", map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT",
		"monthlyFee": map[string]any{"currency": "MXN", "amount": "0"}, "acceptedDocuments": []string{"INE"}, "acceptsAlternativePack": true}))
	if _, shown := h.myWork(bankAStaff, 100, "").has("CASE_SHOWN", id); shown {
		t.Error("bank-a made an offer, but the case is still in its queue as shown without one")
	}

	// Time alone: bank-b's grant ends, and the case goes quiet for 30 days.
	h.clock.Advance(31 * 24 * time.Hour)
	cw = h.myWork(caseworker, 100, "")
	if got := cw.kinds(); !slices.Equal(got, []string{"CASE_STALLED"}) {
		t.Errorf("after 31 quiet days the caseworker's queue: %v, want the case stalled", got)
	}
	if got := h.myWork(bankBStaff, 100, "").Items; len(got) != 0 {
		t.Errorf("bank-b's grant ended, yet its queue holds %+v", got)
	}
}

// Given 7 cases shown to bank-a, when it reads its queue 3 at a time, then the pages
// join to the whole queue, in order, without repeats, and the totals hold on each.
func TestMyWorkPages(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	for i := range 7 {
		h.workCase(fmt.Sprintf("p%d", i), 365*24*time.Hour)
	}
	whole := h.myWork(bankAStaff, 100, "")
	if whole.TotalCount != 7 || len(whole.Items) != 7 || whole.PageInfo.HasNextPage {
		t.Fatalf("the whole queue: %d items of %d, next %v", len(whole.Items), whole.TotalCount, whole.PageInfo.HasNextPage)
	}
	var joined []workItemDoc
	after := ""
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("more pages than 7 items of 3 make")
		}
		page := h.myWork(bankAStaff, 3, after)
		if page.TotalCount != 7 {
			t.Errorf("page %d: total %d", pages, page.TotalCount)
		}
		joined = append(joined, page.Items...)
		if !page.PageInfo.HasNextPage {
			break
		}
		after = *page.PageInfo.EndCursor
	}
	if !slices.Equal(joined, whole.Items) {
		t.Errorf("the pages joined:\n%+v\nthe whole queue:\n%+v", joined, whole.Items)
	}
	if got := h.myWork(bankAStaff, 100, whole.Items[6].Cursor); len(got.Items) != 0 || got.PageInfo.EndCursor != nil {
		t.Errorf("after the last item: %+v", got)
	}
}

// Bad input is BAD_USER_INPUT, roles without a queue FORBIDDEN, no token
// UNAUTHENTICATED; nothing is written.
func TestMyWorkRefusals(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	head := h.head()
	for _, c := range []struct {
		name  string
		actor app.Actor
		vars  map[string]any
		code  string
	}{
		{"a page over 100", bankAStaff, map[string]any{"first": 101}, "BAD_USER_INPUT"},
		{"a negative page", bankAStaff, map[string]any{"first": -1}, "BAD_USER_INPUT"},
		{"a cursor that is not one", bankAStaff, map[string]any{"after": "bm90LWEtY3Vyc29y"}, "BAD_USER_INPUT"},
		{"a case list's cursor", bankAStaff, map[string]any{"after": "Y2FzZTow"}, "BAD_USER_INPUT"},
		{"a position beyond the log", bankAStaff, map[string]any{"min": "999999-0"}, "BAD_USER_INPUT"},
		{"an analyst", analyst, nil, "FORBIDDEN"},
		{"an auditor", auditor, nil, "FORBIDDEN"},
		{"an admin", admin, nil, "FORBIDDEN"},
		{"no token", app.Actor{}, nil, "UNAUTHENTICATED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := h.do(c.actor, myWorkQuery, c.vars)
			if resp.code() != c.code {
				t.Fatalf("code %q (%+v), want %s", resp.code(), resp.Errors, c.code)
			}
			if c.code == "FORBIDDEN" && len(resp.Errors[0].Message) < 20 {
				t.Errorf("FORBIDDEN without a sentence: %q", resp.Errors[0].Message)
			}
		})
	}
	if h.head() != head {
		t.Error("a refused myWork wrote to the log")
	}
}

// myWork counts in the complexity limit as the queue it visits: a request cannot
// alias it a hundred times.
func TestMyWorkComplexity(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	var b strings.Builder
	b.WriteString("{")
	for i := range 100 {
		fmt.Fprintf(&b, " w%d: myWork(first: 1) { totalCount }", i)
	}
	b.WriteString(" }")
	if resp := h.do(bankAStaff, b.String(), nil); resp.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("100 aliases of myWork: %q %+v", resp.code(), resp.Errors)
	}
	if resp := h.do(bankAStaff, `{ a: myWork { totalCount } b: myWork { totalCount } }`, nil); len(resp.Errors) > 0 {
		t.Errorf("two queues in one request: %+v", resp.Errors)
	}
	// A bureau's list of due disputes visits its open disputes: as dear.
	b.Reset()
	b.WriteString("{")
	for i := range 10 {
		fmt.Fprintf(&b, " d%d: creditDisputesDue(first: 1) { pageInfo { hasNextPage } }", i)
	}
	b.WriteString(" }")
	bureauStaff := app.Actor{ID: "bureau-a-staff", Role: app.RoleBureau, Organisation: "bureau-a"}
	if resp := h.do(bureauStaff, b.String(), nil); resp.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("10 aliases of creditDisputesDue: %q %+v", resp.code(), resp.Errors)
	}
}

// Given two block requests to a US bureau (FCRA: 4 business days) filed a day apart,
// and one to a Mexican bureau (no statutory clock), when the US bureau reads myWork
// after the first is due, then it lists both by due date, the overdue one first with
// its due date; the Mexican one, without a clock, has no due date and is never overdue.
func TestMyWorkBureauByDueDate(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	h.must(admin, registerOrg, map[string]any{"in": map[string]any{"commandId": "org-bureau-us", "id": "bureau-us",
		"name": "Bureau US", "kind": "CREDIT_BUREAU", "jurisdiction": "US", "services": []string{}}}, nil)
	bureauUS := app.Actor{ID: "bu", Role: app.RoleBureau, Organisation: "bureau-us"}
	year := h.clock.Now().AddDate(1, 0, 0).Format(time.RFC3339)
	file := func(caseID, bureau, tag string) {
		t.Helper()
		h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": tag + "-grant", "caseId": caseID,
			"recipientOrganisationId": bureau, "categories": []string{"CREDIT"}, "purposes": []string{"CREDIT_REPAIR"}, "expiresAt": year})
		h.step("fileCreditDispute", "FileCreditDisputeInput", map[string]any{"commandId": tag + "-file", "caseId": caseID,
			"bureauId": bureau, "itemCount": 1})
	}
	early, late := h.refer("due-early"), h.refer("due-late")
	file(late, "bureau-a", "mx") // filed first, but with no clock
	file(early, "bureau-us", "early")
	h.clock.Advance(24 * time.Hour)
	file(late, "bureau-us", "late")
	h.clock.Advance(6*24*time.Hour + 3*time.Hour) // past the first one's due date, before the second's

	us := h.myWork(bureauUS, 100, "")
	if len(us.Items) != 2 || us.Items[0].CaseID != early || us.Items[1].CaseID != late {
		t.Fatalf("the US bureau's queue: %+v, want the early dispute, then the late one", us.Items)
	}
	first, second := us.Items[0], us.Items[1]
	if first.DueAt == nil || !first.Overdue || second.DueAt == nil || second.Overdue || *first.DueAt >= *second.DueAt {
		t.Errorf("due dates: %+v, %+v", first, second)
	}
	mx := h.myWork(bureauAStaff, 100, "")
	if len(mx.Items) != 1 || mx.Items[0].DueAt != nil || mx.Items[0].Overdue {
		t.Errorf("the Mexican bureau's queue: %+v", mx.Items)
	}
}

// Given a case whose owner asks shelter-b (with the survivor's consent) to take it
// over, when shelter-b reads myWork, then the transfer waits there; a subscriber of
// shelter-b is told, and when shelter-b accepts, the item leaves its queue, and the
// case's owner work is shelter-b's from then on.
func TestMyWorkTransferOffered(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("tr-refer")
	h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "tr-grant", "caseId": id,
		"recipientOrganisationId": "shelter-b", "categories": []string{"IDENTITY", "NOTES"}, "purposes": []string{"BANKING"},
		"expiresAt": h.clock.Now().Add(10 * 24 * time.Hour).Format(time.RFC3339)})
	sub := h.subscribeWork(t, otherWorker)
	h.clock.Advance(time.Minute)
	asked := h.step("requestCaseTransfer", "RequestCaseTransferInput", map[string]any{"commandId": "tr-ask", "caseId": id,
		"recipientOrganisationId": "shelter-b", "reasonCode": "OTHER", "reason": "She moves to Zaneta's sister's town."})
	if c := sub.nextChange(); c.OrganisationID != "shelter-b" || c.Kind != "TRANSFER_OFFERED" || c.CaseID != id || !c.Added || c.Position != asked.Position {
		t.Errorf("shelter-b was told %+v", c)
	}
	queue := h.myWork(otherWorker, 100, "")
	offer, ok := queue.has("TRANSFER_OFFERED", id)
	if !ok || len(queue.Items) != 1 || offer.ItemID == "" {
		t.Fatalf("shelter-b's queue: %+v", queue.Items)
	}
	if _, ok := h.myWork(caseworker, 100, "").has("TRANSFER_OFFERED", id); ok {
		t.Error("the owner's queue holds the transfer it asked for")
	}
	h.act(otherWorker, "acceptCaseTransfer", "AcceptCaseTransferInput", map[string]any{"commandId": "tr-accept", "caseId": id, "transferId": offer.ItemID})
	if c := sub.nextChange(); c.Kind != "TRANSFER_OFFERED" || c.Added {
		t.Errorf("on acceptance shelter-b was told %+v", c)
	}
	queue = h.myWork(otherWorker, 100, "")
	if _, ok := queue.has("TRANSFER_OFFERED", id); ok {
		t.Errorf("the accepted transfer is still in shelter-b's queue: %+v", queue.Items)
	}
	if _, ok := queue.has("CONSENT_EXPIRING", id); !ok {
		t.Errorf("shelter-b owns the case now, and its grant ends in 10 days: %+v", queue.Items)
	}
}
