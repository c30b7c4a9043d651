package access_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// ---- The case -----------------------------------------------------------------------
//
// One case, folded from the domain's own events, holds every relation the matrix
// needs: its owner, organisations it is shared with (in force, expired, expiring at
// now, withdrawn), banks (referred with a banking grant, referred but the grant
// withdrawn, referred with only a credit-repair grant left, not referred) and bureaus
// (a dispute with a grant in force, withdrawn, expiring at now; a grant but no
// dispute; a dispute with only a banking grant left).

var (
	now      = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	nextYear = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	expired  = day(5, 1) // before now
)

func day(m time.Month, d int) time.Time { return time.Date(2025, m, d, 9, 0, 0, 0, time.UTC) }

func grant(id, to string, cats []domain.DataCategory, p domain.Purpose, granted, expires time.Time) domain.ConsentGranted {
	return domain.ConsentGranted{GrantID: id, Recipient: to, Categories: cats, Purposes: []domain.Purpose{p}, ExpiresAt: expires, At: granted}
}

func cats(c ...domain.DataCategory) []domain.DataCategory { return c }

var every = domain.AllDataCategory()

func journey() []domain.Event {
	jan := day(1, 10)
	return []domain.Event{
		domain.SurvivorReferred{ReferringOrganisation: "shelter-a", Jurisdiction: "MX", At: jan,
			Needs: []domain.Need{domain.NeedBankAccount}, Barriers: []domain.Barrier{domain.BarrierNoID},
			Personal: &domain.SurvivorDetails{FullName: "Test Survivor"}},
		domain.CaseNoteAdded{NoteID: "note-1", At: jan, Personal: &domain.NoteDetails{Text: "first meeting"}},
		// Caseworkers of other organisations.
		grant("g-shared", "ngo-shared", cats(domain.DataIdentity, domain.DataBanking), domain.PurposeBanking, jan, nextYear),
		grant("g-shared-notes", "ngo-shared", cats(domain.DataNotes, domain.DataCredit), domain.PurposeCoalitionAnalytics, jan, expired),
		grant("g-expired", "ngo-expired", every, domain.PurposeBanking, jan, expired),
		grant("g-at-now", "ngo-at-now", every, domain.PurposeBanking, jan, now),
		grant("g-withdrawn", "ngo-withdrawn", every, domain.PurposeBanking, jan, nextYear),
		domain.ConsentWithdrawn{GrantID: "g-withdrawn", At: day(5, 15)},
		// Banks.
		grant("g-bank-x", "bank-x", cats(domain.DataBanking, domain.DataIdentity), domain.PurposeBanking, jan, nextYear),
		domain.BankReferralMade{Bank: "bank-x", GrantID: "g-bank-x", At: day(2, 1)},
		domain.AccountApplicationSubmitted{Bank: "bank-x", Product: domain.ProductBasicAccount, At: day(2, 2)},
		grant("g-bank-y", "bank-y", cats(domain.DataBanking), domain.PurposeBanking, jan, nextYear),
		domain.BankReferralMade{Bank: "bank-y", GrantID: "g-bank-y", At: day(2, 1)},
		domain.ConsentWithdrawn{GrantID: "g-bank-y", At: day(5, 15)},
		grant("g-bank-z", "bank-z", cats(domain.DataBanking), domain.PurposeBanking, jan, now),
		domain.BankReferralMade{Bank: "bank-z", GrantID: "g-bank-z", At: day(2, 1)},
		grant("g-bank-z-credit", "bank-z", cats(domain.DataCredit), domain.PurposeCreditRepair, jan, nextYear),
		grant("g-bank-w", "bank-w", cats(domain.DataBanking), domain.PurposeBanking, jan, nextYear),
		// Bureaus.
		grant("g-bureau-q", "bureau-q", cats(domain.DataCredit), domain.PurposeCreditRepair, jan, nextYear),
		domain.CreditDisputeFiled{DisputeID: "dispute-q", Bureau: "bureau-q", ItemCount: 3, At: day(3, 1)},
		grant("g-bureau-r", "bureau-r", cats(domain.DataCredit), domain.PurposeCreditRepair, jan, nextYear),
		domain.CreditDisputeFiled{DisputeID: "dispute-r", Bureau: "bureau-r", ItemCount: 1, At: day(3, 1)},
		domain.ConsentWithdrawn{GrantID: "g-bureau-r", At: day(5, 15)},
		grant("g-bureau-s", "bureau-s", cats(domain.DataCredit), domain.PurposeCreditRepair, jan, nextYear),
		grant("g-bureau-t", "bureau-t", cats(domain.DataCredit), domain.PurposeCreditRepair, jan, now),
		domain.CreditDisputeFiled{DisputeID: "dispute-t", Bureau: "bureau-t", ItemCount: 2, At: day(3, 1)},
		grant("g-bureau-u", "bureau-u", cats(domain.DataCredit), domain.PurposeCreditRepair, jan, expired),
		domain.CreditDisputeFiled{DisputeID: "dispute-u", Bureau: "bureau-u", ItemCount: 2, At: day(3, 1)},
		grant("g-bureau-u-banking", "bureau-u", cats(domain.DataCredit), domain.PurposeBanking, jan, nextYear),
	}
}

func openCase() *domain.Case { c := domain.Fold(journey()); return &c }

func closedCase() *domain.Case {
	c := domain.Evolve(*openCase(), domain.CaseClosed{Outcome: domain.ClosureJourneyCompleted, At: day(5, 20)})
	return &c
}

func withdraw(c *domain.Case, grantID string) *domain.Case {
	w := domain.Evolve(*c, domain.ConsentWithdrawn{GrantID: grantID, At: day(5, 30)})
	return &w
}

func caseworker(org string) access.Actor {
	return access.Actor{ID: "u-cw", Role: access.RoleCaseworker, Organisation: org}
}
func bank(org string) access.Actor {
	return access.Actor{ID: "u-bank", Role: access.RoleBank, Organisation: org}
}
func bureau(org string) access.Actor {
	return access.Actor{ID: "u-bureau", Role: access.RoleBureau, Organisation: org}
}

var (
	auditor = access.Actor{ID: "u-aud", Role: access.RoleAuditor, Organisation: "coalition"}
	analyst = access.Actor{ID: "u-ana", Role: access.RoleAnalyst, Organisation: "coalition"}
	admin   = access.Actor{ID: "u-adm", Role: access.RoleAdmin, Organisation: "coalition"}
)

// ---- Cells --------------------------------------------------------------------------
//
//	A allowed   F forbidden (visible, not allowed)   N not found (not visible)
//	G allowed by break-glass (the caller records the reason)   E allowed, not visible

type want struct{ Allowed, Visible, BreakGlass bool }

var cells = map[string]want{
	"A": {Allowed: true, Visible: true}, "F": {Visible: true}, "N": {},
	"G": {Allowed: true, Visible: true, BreakGlass: true}, "E": {Allowed: true},
}

var cellErr = map[string]error{"A": nil, "G": nil, "E": nil, "F": access.ErrForbidden, "N": access.ErrNotFound}

func parse(t *testing.T, row string, n int) []string {
	t.Helper()
	got := strings.Fields(strings.ReplaceAll(row, "|", " "))
	if len(got) != n {
		t.Fatalf("row %q has %d cells, want %d", row, len(got), n)
	}
	return got
}

func check(t *testing.T, d access.Decision, cell string) {
	t.Helper()
	if got := (want{d.Allowed, d.Visible, d.BreakGlass}); got != cells[cell] {
		t.Errorf("decision %+v, want %s %+v", d, cell, cells[cell])
	}
	if err := d.Err(); !errors.Is(err, cellErr[cell]) || (err == nil) != (cellErr[cell] == nil) {
		t.Errorf("Err() = %v, want %v", err, cellErr[cell])
	}
	if d.Why == "" {
		t.Error("no Why")
	}
}

// ---- The case matrix ----------------------------------------------------------------

var caseColumns = []struct {
	name   string
	action access.Action
	group  access.Group
}{
	{"read summary", access.ActionRead, access.GroupSummary},
	{"read identity", access.ActionRead, access.GroupIdentity},
	{"read consent", access.ActionRead, access.GroupConsent},
	{"read banking", access.ActionRead, access.GroupBanking},
	{"read credit", access.ActionRead, access.GroupCredit},
	{"read notes", access.ActionRead, access.GroupNotes},
	{"read safeguarding", access.ActionRead, access.GroupSafeguarding},
	{"read contact", access.ActionRead, access.GroupContact},
	{"change", access.ActionChange, ""},
	{"bank outcome", access.ActionRecordBankOutcome, ""},       // Target: the actor's own organisation
	{"dispute outcome", access.ActionRecordDisputeOutcome, ""}, // Target: dispute-q (addressed to bureau-q)
	{"erase", access.ActionErase, ""},
}

type caseRow struct {
	cells  string // one cell per column of caseColumns
	who    string
	actor  access.Actor
	kase   func() *domain.Case
	reason string
}

var caseMatrix = []caseRow{
	// read: summary identity consent banking credit notes safeguarding contact | change, bank outcome, dispute outcome, erase
	{"A A A A A A A A | A A A A", "caseworker/own organisation", caseworker("shelter-a"), openCase, ""},
	{"A A A A A A A A | A A A A", "caseworker/own organisation, closed", caseworker("shelter-a"), closedCase, ""},
	{"A A F A F F F A | F F F F", "caseworker/grant in force", caseworker("ngo-shared"), openCase, ""},
	{"A A F A F F F A | F F F F", "caseworker/grant in force, reason", caseworker("ngo-shared"), openCase, "audit"},
	{"A A F A F F F A | F F F F", "caseworker/grant in force, closed", caseworker("ngo-shared"), closedCase, ""},
	{"N N N N N N N N | N N N N", "caseworker/other organisation", caseworker("ngo-other"), openCase, ""},
	{"N N N N N N N N | N N N N", "caseworker/grant expired", caseworker("ngo-expired"), openCase, ""},
	{"N N N N N N N N | N N N N", "caseworker/grant expires at now", caseworker("ngo-at-now"), openCase, ""},
	{"N N N N N N N N | N N N N", "caseworker/grant withdrawn", caseworker("ngo-withdrawn"), openCase, ""},
	{"N N N N N N N N | N N N N", "caseworker/no organisation", caseworker(""), openCase, ""},
	{"A F F A F F A A | F A F F", "bank/referred, banking grant in force", bank("bank-x"), openCase, ""},
	{"A F F A F F A A | F A F F", "bank/referred, banking grant, reason", bank("bank-x"), openCase, "why"},
	{"A F F A F F A A | F A F F", "bank/referred, banking grant, closed", bank("bank-x"), closedCase, ""},
	{"N N N N N N N N | N N N N", "bank/referred, grant withdrawn", bank("bank-y"), openCase, ""},
	{"N N N N N N N N | N N N N", "bank/referred without banking grant", bank("bank-z"), openCase, ""},
	{"N N N N N N N N | N N N N", "bank/banking grant, not referred", bank("bank-w"), openCase, ""},
	{"N N N N N N N N | N N N N", "bank/other bank", bank("bank-other"), openCase, ""},
	{"N N N N N N N N | N N N N", "bank/owner's organisation id", bank("shelter-a"), openCase, ""},
	{"F F F F A F F A | F F A F", "bureau/dispute, credit grant in force", bureau("bureau-q"), openCase, ""},
	{"F F F F A F F A | F F A F", "bureau/dispute, credit grant, closed", bureau("bureau-q"), closedCase, ""},
	{"N N N N N N N N | N N N N", "bureau/dispute but grant withdrawn", bureau("bureau-r"), openCase, ""},
	{"N N N N N N N N | N N N N", "bureau/dispute, grant expires at now", bureau("bureau-t"), openCase, ""},
	{"N N N N N N N N | N N N N", "bureau/dispute, only a banking grant", bureau("bureau-u"), openCase, ""},
	{"N N N N N N N N | N N N N", "bureau/grant in force, no dispute", bureau("bureau-s"), openCase, ""},
	{"A F A A A F F F | F F F F", "auditor/no reason", auditor, openCase, ""},
	{"A F A A A F F F | F F F F", "auditor/blank reason", auditor, openCase, " \t\n"},
	{"A G A A A G F G | F F F F", "auditor/reason", auditor, openCase, "complaint 42"},
	{"A G A A A G F G | F F F F", "auditor/reason, closed", auditor, closedCase, "complaint 42"},
	{"N N N N N N N N | N N N N", "analyst/any case", analyst, openCase, ""},
	{"N N N N N N N N | N N N N", "analyst/reason", analyst, openCase, "curious"},
	{"N N N N N N N N | N N N E", "admin/any case", admin, openCase, ""},
	{"N N N N N N N N | N N N E", "admin/closed case", admin, closedCase, "reason"},
}

func TestAuthorizeCaseMatrix(t *testing.T) {
	t.Parallel()
	for _, row := range caseMatrix {
		want := parse(t, row.cells, len(caseColumns))
		for i, col := range caseColumns {
			t.Run(row.who+"/"+col.name, func(t *testing.T) {
				t.Parallel()
				target := row.actor.Organisation
				if col.action == access.ActionRecordDisputeOutcome {
					target = "dispute-q"
				}
				d := access.Authorize(access.Request{Actor: row.actor, Action: col.action, Group: col.group,
					Case: row.kase(), Target: target, Reason: row.reason, Now: now})
				check(t, d, want[i])
			})
		}
	}
}

// A case never referred (or no case at all) is absent for everyone.
func TestAuthorizeAbsentCase(t *testing.T) {
	t.Parallel()
	unreferred := domain.Fold(nil)
	actors := []access.Actor{caseworker("shelter-a"), caseworker(""), bank("bank-x"), bureau("bureau-q"), auditor, analyst, admin}
	for _, c := range []*domain.Case{nil, &unreferred} {
		for _, a := range actors {
			for _, col := range caseColumns {
				d := access.Authorize(access.Request{Actor: a, Action: col.action, Group: col.group, Case: c,
					Target: a.Organisation, Reason: "reason", Now: now})
				check(t, d, "N")
			}
		}
	}
}

// A refusal that hides a case must not say why: every not-found decision has the
// same Why, so showing it confirms nothing.
func TestNotFoundWhyRevealsNothing(t *testing.T) {
	t.Parallel()
	whys := map[string]bool{}
	for _, row := range caseMatrix {
		for _, col := range caseColumns {
			d := access.Authorize(access.Request{Actor: row.actor, Action: col.action, Group: col.group,
				Case: row.kase(), Target: row.actor.Organisation, Reason: row.reason, Now: now})
			if !d.Visible && !d.Allowed {
				whys[d.Why] = true
			}
		}
	}
	whys[access.Authorize(access.Request{Actor: auditor, Action: access.ActionRead, Group: access.GroupSummary, Now: now}).Why] = true
	if len(whys) != 1 {
		t.Errorf("not-found decisions give %d different reasons: %v", len(whys), whys)
	}
}

// ---- Targets ------------------------------------------------------------------------

func TestAuthorizeOutcomeTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cell   string
		who    string
		actor  access.Actor
		action access.Action
		target string
	}{
		{"A", "bank, its own application", bank("bank-x"), access.ActionRecordBankOutcome, "bank-x"},
		{"F", "bank, another bank's application", bank("bank-x"), access.ActionRecordBankOutcome, "bank-y"},
		{"F", "bank, no target", bank("bank-x"), access.ActionRecordBankOutcome, ""},
		{"F", "bank, a dispute", bank("bank-x"), access.ActionRecordDisputeOutcome, "dispute-q"},
		{"A", "bureau, its own dispute", bureau("bureau-q"), access.ActionRecordDisputeOutcome, "dispute-q"},
		{"F", "bureau, another bureau's dispute", bureau("bureau-q"), access.ActionRecordDisputeOutcome, "dispute-r"},
		{"F", "bureau, an unknown dispute", bureau("bureau-q"), access.ActionRecordDisputeOutcome, "dispute-none"},
		{"F", "bureau, a bank outcome", bureau("bureau-q"), access.ActionRecordBankOutcome, "bureau-q"},
		{"A", "owner, any bank", caseworker("shelter-a"), access.ActionRecordBankOutcome, "bank-y"},
		{"A", "owner, any dispute", caseworker("shelter-a"), access.ActionRecordDisputeOutcome, "dispute-r"},
		{"F", "shared caseworker, a bank outcome", caseworker("ngo-shared"), access.ActionRecordBankOutcome, "bank-x"},
		{"N", "other bank naming bank-x", bank("bank-other"), access.ActionRecordBankOutcome, "bank-x"},
		{"N", "bureau without access naming its dispute", bureau("bureau-r"), access.ActionRecordDisputeOutcome, "dispute-r"},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			t.Parallel()
			check(t, access.Authorize(access.Request{Actor: tt.actor, Action: tt.action, Case: openCase(), Target: tt.target, Now: now}), tt.cell)
		})
	}
}

// ---- Actions on no case -------------------------------------------------------------

var globalColumns = []struct {
	name   string
	action access.Action
	target string
}{
	{"refer for own organisation", access.ActionRefer, "own"},
	{"refer for another organisation", access.ActionRefer, "ngo-other"},
	{"read directory", access.ActionReadDirectory, ""},
	{"manage directory", access.ActionManageDirectory, ""},
	{"manage keys", access.ActionManageKeys, ""},
	{"read access log", access.ActionReadAccessLog, ""},
	{"read aggregates", access.ActionReadAggregates, ""},
	{"read dashboard", access.ActionReadDashboard, ""},
	{"answer own survey", access.ActionAnswerSurvey, "own"},
	{"answer another's survey", access.ActionAnswerSurvey, "ngo-other"},
}

func TestAuthorizeGlobalMatrix(t *testing.T) {
	t.Parallel()
	matrix := []struct {
		cells string
		who   string
		actor access.Actor
	}{
		// refer own, refer other | directory read, manage; keys; access log; aggregates; dashboard | survey own, other's
		{"A F | A F F F F A | A F", "caseworker", caseworker("shelter-a")},
		{"F F | A F F F F F | F F", "caseworker without organisation", caseworker("")},
		{"F F | A F F F F A | F F", "bank", bank("bank-x")},
		{"F F | A F F F F A | F F", "bureau", bureau("bureau-q")},
		{"F F | A F F A A A | F F", "auditor", auditor},
		{"F F | A F F F A A | F F", "analyst", analyst},
		{"F F | A A A F A A | A A", "admin", admin},
	}
	for _, row := range matrix {
		want := parse(t, row.cells, len(globalColumns))
		for i, col := range globalColumns {
			t.Run(row.who+"/"+col.name, func(t *testing.T) {
				t.Parallel()
				target := col.target
				if target == "own" {
					target = row.actor.Organisation
				}
				check(t, access.Authorize(access.Request{Actor: row.actor, Action: col.action, Target: target, Now: now}), want[i])
			})
		}
	}
}

// ---- Unauthenticated, unknown -------------------------------------------------------

func TestAuthorizeUnauthenticated(t *testing.T) {
	t.Parallel()
	actors := []access.Actor{{}, {Role: access.RoleAdmin}, {ID: "u", Organisation: "shelter-a"},
		{ID: "u", Role: "superuser", Organisation: "shelter-a"}, {ID: "u", Role: "Admin"}}
	actions := []access.Action{access.ActionRead, access.ActionChange, access.ActionRecordBankOutcome,
		access.ActionRecordDisputeOutcome, access.ActionErase, access.ActionRefer, access.ActionReadDirectory,
		access.ActionManageDirectory, access.ActionManageKeys, access.ActionReadAccessLog, access.ActionReadAggregates, access.ActionReadDashboard,
		access.ActionAnswerSurvey, "x"}
	for _, a := range actors {
		if a.Authenticated() {
			t.Fatalf("%+v is authenticated", a)
		}
		for _, action := range actions {
			d := access.Authorize(access.Request{Actor: a, Action: action, Group: access.GroupSummary,
				Case: openCase(), Target: a.Organisation, Reason: "reason", Now: now})
			if d.Allowed || d.Visible || d.BreakGlass || d.Why != "not authenticated" || d.Err() != access.ErrUnauthenticated {
				t.Errorf("%+v %s: %+v, Err %v", a, action, d, d.Err())
			}
		}
	}
}

func TestAuthorizeUnknownActionOrGroup(t *testing.T) {
	t.Parallel()
	owner := caseworker("shelter-a")
	check(t, access.Authorize(access.Request{Actor: owner, Action: "case.delete", Case: openCase(), Now: now}), "N")
	check(t, access.Authorize(access.Request{Actor: admin, Action: "", Now: now}), "N")
	for _, a := range []access.Actor{owner, caseworker("ngo-shared"), bank("bank-x"), bureau("bureau-q"), auditor} {
		for _, g := range []access.Group{"", "everything", "Identity"} {
			check(t, access.Authorize(access.Request{Actor: a, Action: access.ActionRead, Group: g, Case: openCase(), Reason: "r", Now: now}), "F")
		}
	}
}

// ---- Consent ends at its moment -----------------------------------------------------

func TestGrantExpiringAtNowGivesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		actor access.Actor
		group access.Group
	}{
		{caseworker("ngo-at-now"), access.GroupSummary}, // g-at-now expires at now
		{bank("bank-z"), access.GroupBanking},           // g-bank-z expires at now
		{bureau("bureau-t"), access.GroupCredit},        // g-bureau-t expires at now
	}
	for _, tt := range tests {
		for when, cell := range map[time.Time]string{now.Add(-time.Nanosecond): "A", now: "N", now.Add(time.Hour): "N"} {
			d := access.Authorize(access.Request{Actor: tt.actor, Action: access.ActionRead, Group: tt.group, Case: openCase(), Now: when})
			t.Run(string(tt.actor.Role)+"/"+when.Format(time.RFC3339Nano), func(t *testing.T) { check(t, d, cell) })
		}
	}
}

func TestWithdrawalEndsAccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		grant string
		actor access.Actor
		group access.Group
	}{
		{"g-shared", caseworker("ngo-shared"), access.GroupIdentity},
		{"g-bank-x", bank("bank-x"), access.GroupBanking},
		{"g-bureau-q", bureau("bureau-q"), access.GroupCredit},
	}
	for _, tt := range tests {
		t.Run(tt.grant, func(t *testing.T) {
			t.Parallel()
			before := openCase()
			after := withdraw(before, tt.grant)
			read := func(c *domain.Case, a access.Actor, g access.Group) access.Decision {
				return access.Authorize(access.Request{Actor: a, Action: access.ActionRead, Group: g, Case: c, Now: now})
			}
			check(t, read(before, tt.actor, tt.group), "A")
			check(t, read(after, tt.actor, tt.group), "N")
			check(t, read(after, tt.actor, access.GroupSummary), "N")
			if access.VisibleCase(tt.actor, after, now) {
				t.Error("the case stays visible after the withdrawal")
			}
			// The owner and the auditors keep their access; the earlier state is untouched.
			check(t, read(after, caseworker("shelter-a"), tt.group), "A")
			check(t, read(after, auditor, access.GroupBanking), "A")
			check(t, read(before, tt.actor, tt.group), "A")
		})
	}
}

// ---- Err, VisibleCase, EntryVisible, enums ------------------------------------------

func TestDecisionErr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    access.Decision
		want error
	}{
		{access.Decision{Allowed: true, Visible: true}, nil},
		{access.Decision{Allowed: true, Visible: true, BreakGlass: true}, nil},
		{access.Decision{Allowed: true}, nil}, // an admin erasing by id
		{access.Decision{Visible: true}, access.ErrForbidden},
		{access.Decision{}, access.ErrNotFound},
		{access.Decision{Why: "not authenticated"}, access.ErrNotFound}, // only Authorize marks a decision unauthenticated
		{access.Authorize(access.Request{Now: now}), access.ErrUnauthenticated},
	}
	for _, tt := range tests {
		if got := tt.d.Err(); got != tt.want {
			t.Errorf("%+v.Err() = %v, want %v", tt.d, got, tt.want)
		}
	}
	for err, msg := range map[error]string{access.ErrUnauthenticated: "not authenticated", access.ErrNotFound: "not found", access.ErrForbidden: "forbidden"} {
		if err.Error() != msg {
			t.Errorf("%q, want %q", err, msg)
		}
	}
}

func TestVisibleCase(t *testing.T) {
	t.Parallel()
	for _, row := range caseMatrix {
		c := *row.kase()
		var want bool // visible iff some read column is not N
		for i, cell := range parse(t, row.cells, len(caseColumns)) {
			want = want || (caseColumns[i].action == access.ActionRead && cells[cell].Visible)
		}
		if got := access.VisibleCase(row.actor, &c, now); got != want {
			t.Errorf("%s: VisibleCase = %v, want %v", row.who, got, want)
		}
	}
	if !access.VisibleCase(bureau("bureau-q"), openCase(), now) {
		t.Error("a bureau that reads only the credit group must still see the case")
	}
	if access.VisibleCase(caseworker("shelter-a"), new(domain.Fold(nil)), now) {
		t.Error("an unreferred case is visible")
	}
	if access.VisibleCase(access.Actor{Organisation: "shelter-a"}, openCase(), now) {
		t.Error("an unauthenticated actor sees a case")
	}
}

// VisibleCase decides on the summary alone: that holds only while no rule makes a case
// found for one group and not found for another. Every row of the matrix, every group,
// with and without a reason and sealed parts.
func TestVisibilityDoesNotDependOnTheGroup(t *testing.T) {
	t.Parallel()
	for _, row := range caseMatrix {
		c := row.kase()
		want := access.Authorize(access.Request{Actor: row.actor, Action: access.ActionRead, Group: access.GroupSummary, Case: c, Now: now}).Visible
		for _, g := range access.Groups() {
			for _, reason := range []string{"", "quarterly review"} {
				for _, sealed := range []bool{false, true} {
					d := access.Authorize(access.Request{Actor: row.actor, Action: access.ActionRead, Group: g, Case: c, Now: now, Reason: reason, Sealed: sealed})
					if d.Visible != want {
						t.Errorf("%s: group %s (reason %q, sealed %v) visible %v, summary %v", row.who, g, reason, sealed, d.Visible, want)
					}
				}
			}
		}
	}
}

// Case lists count the cases of an organisation whose every case the caller sees
// without deciding each (SeesEveryCaseOf): that must never count one VisibleCase would
// hide. Every row of the matrix, against the case's own owner.
func TestSeesEveryCaseOfImpliesVisible(t *testing.T) {
	t.Parallel()
	seen := 0
	for _, row := range caseMatrix {
		c := row.kase()
		if !access.SeesEveryCaseOf(row.actor, c.OwnerOrganisation) {
			continue
		}
		seen++
		if !access.VisibleCase(row.actor, c, now) {
			t.Errorf("%s: SeesEveryCaseOf its owner, yet the case is not visible", row.who)
		}
	}
	if seen == 0 {
		t.Fatal("no row of the matrix sees every case of its owner: nothing was checked")
	}
	if access.SeesEveryCaseOf(caseworker("shelter-a"), "") || access.SeesEveryCaseOf(bank("bank-x"), "bank-x") || access.SeesEveryCaseOf(auditor, "shelter-a") {
		t.Error("SeesEveryCaseOf holds for an empty organisation, a bank or an auditor")
	}
}

func TestEntryVisible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		actor access.Actor
		entry string
		want  bool
	}{
		{bank("bank-x"), "bank-x", true},
		{bank("bank-x"), "bank-y", false},
		{bank(""), "", false},
		{bureau("bureau-q"), "bureau-q", true},
		{bureau("bureau-q"), "bureau-r", false},
		{bureau(""), "", false},
		{caseworker("shelter-a"), "bank-y", true},
		{caseworker("ngo-shared"), "bureau-r", true},
		{auditor, "bank-x", true},
		{analyst, "bank-x", true},
		{admin, "bureau-q", true},
		{access.Actor{Role: access.RoleBank, Organisation: "bank-x"}, "bank-x", false},
	}
	for _, tt := range tests {
		if got := access.EntryVisible(tt.actor, tt.entry); got != tt.want {
			t.Errorf("EntryVisible(%+v, %q) = %v, want %v", tt.actor, tt.entry, got, tt.want)
		}
	}
}

func TestRolesAndGroups(t *testing.T) {
	t.Parallel()
	roles := access.Roles()
	if len(roles) != 6 {
		t.Fatalf("Roles() = %v", roles)
	}
	for _, r := range roles {
		if !r.Valid() {
			t.Errorf("%s not valid", r)
		}
	}
	roles[0] = "changed"
	if access.Roles()[0] != access.RoleCaseworker || access.Role("").Valid() || access.Role("root").Valid() {
		t.Error("Roles() shares its slice or Valid accepts unknown roles")
	}
	personal := map[access.Group]bool{access.GroupIdentity: true, access.GroupNotes: true, access.GroupSafeguarding: true, access.GroupContact: true}
	groups := access.Groups()
	if len(groups) != 8 {
		t.Fatalf("Groups() = %v", groups)
	}
	for _, g := range groups {
		if g.Personal() != personal[g] {
			t.Errorf("%s.Personal() = %v", g, g.Personal())
		}
	}
}

func TestAuditorNeedsAReasonForSealedData(t *testing.T) {
	t.Parallel()
	c := openCase()
	for _, g := range []access.Group{access.GroupBanking, access.GroupCredit} {
		plain := access.Authorize(access.Request{Actor: auditor, Action: access.ActionRead, Group: g, Case: c, Now: now})
		sealed := access.Authorize(access.Request{Actor: auditor, Action: access.ActionRead, Group: g, Case: c, Now: now, Sealed: true})
		withReason := access.Authorize(access.Request{Actor: auditor, Action: access.ActionRead, Group: g, Case: c, Now: now, Sealed: true, Reason: "case review"})
		if !plain.Allowed || sealed.Allowed || !withReason.Allowed || !withReason.BreakGlass {
			t.Errorf("%s: plain %+v, sealed %+v, sealed with reason %+v", g, plain, sealed, withReason)
		}
	}
	owner := access.Authorize(access.Request{Actor: caseworker("shelter-a"), Action: access.ActionRead, Group: access.GroupBanking, Case: c, Now: now, Sealed: true})
	if !owner.Allowed || owner.BreakGlass {
		t.Errorf("the owner reading sealed banking data: %+v", owner)
	}
}

func TestRolesAreBoundToOrganisationKinds(t *testing.T) {
	cases := []struct {
		role access.Role
		kind domain.OrganisationKind
		ok   bool
	}{
		{access.RoleCaseworker, domain.OrgShelter, true},
		{access.RoleCaseworker, domain.OrgNGO, true},
		{access.RoleCaseworker, domain.OrgGovernment, true},
		{access.RoleCaseworker, domain.OrgBank, false},
		{access.RoleCaseworker, domain.OrgCoalition, false},
		{access.RoleBank, domain.OrgBank, true},
		{access.RoleBank, domain.OrgShelter, false},
		{access.RoleBureau, domain.OrgCreditBureau, true},
		{access.RoleBureau, domain.OrgBank, false},
		{access.RoleAnalyst, domain.OrgCoalition, true},
		{access.RoleAnalyst, domain.OrgNGO, false},
		{access.RoleAuditor, domain.OrgCoalition, true},
		{access.RoleAuditor, domain.OrgBank, true},
		{access.RoleAuditor, domain.OrgShelter, false},
		{access.RoleAdmin, domain.OrgCoalition, true},
		{access.RoleAdmin, domain.OrgBank, false},
		{access.Role("god"), domain.OrgCoalition, false},
	}
	for _, c := range cases {
		err := access.CheckRoleKind(c.role, c.kind)
		if (err == nil) != c.ok {
			t.Errorf("%s at a %s: err = %v, want ok=%v", c.role, c.kind, err, c.ok)
		}
		if err != nil && !errors.Is(err, access.ErrRoleNotForKind) {
			t.Errorf("%s at a %s: %v is not access.ErrRoleNotForKind", c.role, c.kind, err)
		}
	}
	for _, r := range access.Roles() {
		if len(access.KindsFor(r)) == 0 {
			t.Errorf("role %s fits no organisation kind", r)
		}
	}
}

func TestBreakGlassReasonsSaySomething(t *testing.T) {
	for _, ok := range []string{"complaint 2026-14 review", "  Investigating a misdirected payment  ", "revisión de queja número 14"} {
		if _, err := access.CheckReason(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"\u200b", "x", "because", "ok ok", "a b c d e f g h i j", "complaint\x00 review here", "review\u202e of case files",
		strings.Repeat("word ", 101)} {
		if _, err := access.CheckReason(bad); err == nil {
			t.Errorf("%q accepted as a reason", bad)
		}
	}
}

// A bank's compliance team (an auditor acting for a bank) reads exactly what its bank
// may read — no more, no less — and changes nothing.
func TestBankComplianceAuditorSeesWhatItsBankSees(t *testing.T) {
	c := openCase()
	for _, org := range []string{"bank-x", "bank-y", "bank-z", "bank-w", "bank-v"} {
		compliance := access.Actor{ID: "u-compliance", Role: access.RoleAuditor, Organisation: org, Kind: domain.OrgBank}
		for _, g := range access.Groups() {
			for _, reason := range []string{"", "compliance review of the account"} {
				asBank := access.Authorize(access.Request{Actor: bank(org), Action: access.ActionRead, Group: g, Case: c, Now: now})
				got := access.Authorize(access.Request{Actor: compliance, Action: access.ActionRead, Group: g, Case: c, Now: now, Reason: reason})
				if got.Allowed != asBank.Allowed || got.Visible != asBank.Visible || got.BreakGlass {
					t.Errorf("%s compliance reads %s (reason %q): %+v; its bank: %+v", org, g, reason, got, asBank)
				}
			}
		}
		for _, action := range []access.Action{access.ActionChange, access.ActionRecordBankOutcome, access.ActionErase} {
			d := access.Authorize(access.Request{Actor: compliance, Action: action, Case: c, Target: org, Now: now})
			if d.Allowed {
				t.Errorf("%s compliance may %s", org, action)
			}
		}
		if access.EntryVisible(compliance, "bank-y") != (org == "bank-y") {
			t.Errorf("%s compliance sees bank-y's entries", org)
		}
	}
	// A coalition auditor still reads every case.
	coalition := access.Actor{ID: "u-aud", Role: access.RoleAuditor, Organisation: "coalition", Kind: domain.OrgCoalition}
	if d := access.Authorize(access.Request{Actor: coalition, Action: access.ActionRead, Group: access.GroupBanking, Case: c, Now: now}); !d.Allowed {
		t.Errorf("coalition auditor: %+v", d)
	}
	if !access.EntryVisible(coalition, "bank-y") {
		t.Error("a coalition auditor does not see every bank's entries")
	}
}

// Auditing a case (its history, the case as of a moment, its verification) and
// reading its access log: auditors (a bank's compliance team on its bank's cases
// only) and, for auditing, the owning organisation's caseworkers. The whole access
// log is for the coalition's auditors.
func TestAuthorizeAuditing(t *testing.T) {
	t.Parallel()
	compliance := func(org string) access.Actor {
		return access.Actor{ID: "u-compliance", Role: access.RoleAuditor, Organisation: org, Kind: domain.OrgBank}
	}
	tests := []struct {
		audit, caseLog, wholeLog string
		who                      string
		actor                    access.Actor
	}{
		{"A", "F", "F", "owning caseworker", caseworker("shelter-a")},
		{"F", "F", "F", "caseworker with a grant in force", caseworker("ngo-shared")},
		{"N", "N", "F", "caseworker of another organisation", caseworker("ngo-other")},
		{"F", "F", "F", "bank referred under a grant", bank("bank-x")},
		{"N", "N", "F", "bank whose grant was withdrawn", bank("bank-y")},
		{"F", "F", "F", "bureau with a dispute", bureau("bureau-q")},
		{"A", "A", "A", "coalition auditor", auditor},
		{"A", "A", "F", "bank compliance, its bank sees the case", compliance("bank-x")},
		{"N", "N", "F", "bank compliance, its bank's grant withdrawn", compliance("bank-y")},
		{"N", "N", "F", "bank compliance, another bank", compliance("bank-other")},
		{"N", "N", "F", "analyst", analyst},
		{"N", "N", "F", "admin", admin},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			t.Parallel()
			check(t, access.Authorize(access.Request{Actor: tt.actor, Action: access.ActionAudit, Case: openCase(), Now: now}), tt.audit)
			check(t, access.Authorize(access.Request{Actor: tt.actor, Action: access.ActionReadAccessLog, Case: openCase(), Now: now}), tt.caseLog)
			check(t, access.Authorize(access.Request{Actor: tt.actor, Action: access.ActionReadAccessLog, Now: now}), tt.wholeLog)
		})
	}
	unreferred := domain.Fold(nil)
	check(t, access.Authorize(access.Request{Actor: auditor, Action: access.ActionAudit, Case: &unreferred, Now: now}), "N")
	check(t, access.Authorize(access.Request{Actor: auditor, Action: access.ActionReadAccessLog, Case: &unreferred, Now: now}), "N")
}

// A refusal says a reason is needed exactly when the same request with a reason would
// be allowed as break-glass: every row of the matrix, every group, sealed or not. Its
// error is ErrReasonRequired, which callers that know only refusals take for
// ErrForbidden.
func TestNeedsReasonExactlyWhereAReasonOpens(t *testing.T) {
	t.Parallel()
	needed := 0
	for _, row := range caseMatrix {
		for _, g := range access.Groups() {
			for _, sealed := range []bool{false, true} {
				r := access.Request{Actor: row.actor, Action: access.ActionRead, Group: g, Case: row.kase(), Now: now, Sealed: sealed}
				without := access.Authorize(r)
				r.Reason = "quarterly review"
				with := access.Authorize(r)
				if want := !without.Allowed && with.Allowed && with.BreakGlass; without.NeedsReason != want {
					t.Errorf("%s: group %s (sealed %v): NeedsReason %v, want %v", row.who, g, sealed, without.NeedsReason, want)
				}
				if !without.NeedsReason {
					continue
				}
				needed++
				err := without.Err()
				if !errors.Is(err, access.ErrReasonRequired) || !errors.Is(err, access.ErrForbidden) {
					t.Errorf("%s: group %s: Err %v, want ErrReasonRequired (an ErrForbidden)", row.who, g, err)
				}
			}
		}
	}
	if needed == 0 {
		t.Error("no row of the matrix needs a reason: the test checks nothing")
	}
}
