package access_test

import (
	"testing"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// ---- Transfers ----------------------------------------------------------------------
//
// The case of shelter-a, with a transfer to ngo-new pending (a grant in force shares
// her identity and notes with ngo-new for banking), then accepted: ngo-new owns the
// case and shelter-a is its former owner. bank-x and bureau-q keep their grants.

var transferAsked = domain.CaseTransferRequested{TransferID: "t-1", From: "shelter-a", To: "ngo-new", ToJurisdiction: "US",
	GrantID: "g-new", ReasonCode: domain.TransferReturningHome, At: day(5, 16)}

func transferJourney(more ...domain.Event) []domain.Event {
	return append(append(journey(),
		grant("g-new", "ngo-new", cats(domain.DataIdentity, domain.DataNotes), domain.PurposeBanking, day(5, 16), nextYear),
		transferAsked), more...)
}

func pendingCase() *domain.Case { c := domain.Fold(transferJourney()); return &c }

func pendingWithdrawnCase() *domain.Case {
	c := domain.Fold(transferJourney(domain.ConsentWithdrawn{GrantID: "g-new", At: day(5, 17)}))
	return &c
}

func declinedCase() *domain.Case {
	c := domain.Fold(transferJourney(domain.CaseTransferDeclined{TransferID: "t-1", To: "ngo-new",
		ReasonCode: domain.TransferDeclineNoCapacity, At: day(5, 17)}))
	return &c
}

func acceptedCase() *domain.Case {
	c := domain.Fold(transferJourney(domain.CaseTransferAccepted{TransferID: "t-1", From: "shelter-a", To: "ngo-new",
		Jurisdiction: "US", GrantID: "g-new", At: day(5, 17)}))
	return &c
}

// acceptedSharedBackCase: after the transfer, the survivor shares her case with her
// former shelter again (a grant in force to shelter-a).
func acceptedSharedBackCase() *domain.Case {
	c := domain.Evolve(*acceptedCase(), grant("g-back", "shelter-a", cats(domain.DataIdentity), domain.PurposeBanking, day(5, 18), nextYear))
	return &c
}

var transferColumns = []struct {
	name   string
	action access.Action
	group  access.Group
}{
	{"read summary", access.ActionRead, access.GroupSummary},
	{"read identity", access.ActionRead, access.GroupIdentity},
	{"read banking", access.ActionRead, access.GroupBanking},
	{"read notes", access.ActionRead, access.GroupNotes},
	{"change (request, cancel)", access.ActionChange, ""},
	{"decide transfer", access.ActionDecideTransfer, ""}, // Target: t-1
	{"audit", access.ActionAudit, ""},
	{"erase", access.ActionErase, ""},
}

var transferMatrix = []caseRow{
	// read: summary identity banking notes | change, decide transfer, audit, erase
	{"A A A A | A F A A", "owner/pending", caseworker("shelter-a"), pendingCase, ""},
	{"A A F A | F A F F", "recipient/pending", caseworker("ngo-new"), pendingCase, ""},
	{"N N N N | N A N N", "recipient/pending, grant withdrawn", caseworker("ngo-new"), pendingWithdrawnCase, ""},
	{"A A F A | F F F F", "recipient/declined, its grant still in force", caseworker("ngo-new"), declinedCase, ""},
	{"A A A F | F F F F", "third organisation/shared, pending", caseworker("ngo-shared"), pendingCase, ""},
	{"N N N N | N N N N", "third organisation/not shared, pending", caseworker("ngo-other"), pendingCase, ""},
	{"A F A F | F F F F", "bank/pending", bank("bank-x"), pendingCase, ""},
	{"F F F F | F F F F", "bureau/pending", bureau("bureau-q"), pendingCase, ""},
	{"A F A F | F F A F", "auditor/pending", auditor, pendingCase, ""},
	{"N N N N | N N N E", "admin/pending", admin, pendingCase, ""},
	{"N N N N | N N N N", "analyst/pending", analyst, pendingCase, ""},

	{"A A A A | A F A A", "new owner/accepted", caseworker("ngo-new"), acceptedCase, ""},
	{"N N N N | N N N N", "former owner/accepted", caseworker("shelter-a"), acceptedCase, ""},
	{"A A F F | F F F F", "former owner/accepted, shared back by consent", caseworker("shelter-a"), acceptedSharedBackCase, ""},
	{"A A A F | F F F F", "third organisation/shared, accepted", caseworker("ngo-shared"), acceptedCase, ""},
	{"A F A F | F F F F", "bank/accepted, its grant stays", bank("bank-x"), acceptedCase, ""},
	{"F F F F | F F F F", "bureau/accepted, its grant stays", bureau("bureau-q"), acceptedCase, ""},
	{"A F A F | F F A F", "auditor/accepted", auditor, acceptedCase, ""},
	{"N N N N | N N N E", "admin/accepted", admin, acceptedCase, ""},
}

func TestAuthorizeTransferMatrix(t *testing.T) {
	t.Parallel()
	for _, row := range transferMatrix {
		want := parse(t, row.cells, len(transferColumns))
		for i, col := range transferColumns {
			t.Run(row.who+"/"+col.name, func(t *testing.T) {
				t.Parallel()
				target := ""
				if col.action == access.ActionDecideTransfer {
					target = "t-1"
				}
				d := access.Authorize(access.Request{Actor: row.actor, Action: col.action, Group: col.group,
					Case: row.kase(), Target: target, Reason: row.reason, Now: now})
				check(t, d, want[i])
			})
		}
	}
}

// The recipient decides whatever transfer id it names: the domain answers an unknown
// one as bad input. Deciding needs a pending transfer to the caller's organisation;
// nobody decides on a case never referred, or unauthenticated.
func TestAuthorizeDecideTransferEdges(t *testing.T) {
	t.Parallel()
	recipient := caseworker("ngo-new")
	check(t, access.Authorize(access.Request{Actor: recipient, Action: access.ActionDecideTransfer, Case: pendingCase(), Target: "t-9", Now: now}), "A")
	check(t, access.Authorize(access.Request{Actor: caseworker(""), Action: access.ActionDecideTransfer, Case: pendingCase(), Target: "t-1", Now: now}), "N")
	unreferred := domain.Fold(nil)
	check(t, access.Authorize(access.Request{Actor: recipient, Action: access.ActionDecideTransfer, Case: &unreferred, Target: "t-1", Now: now}), "N")
	check(t, access.Authorize(access.Request{Actor: recipient, Action: access.ActionDecideTransfer, Target: "t-1", Now: now}), "N")
	d := access.Authorize(access.Request{Actor: access.Actor{Organisation: "ngo-new"}, Action: access.ActionDecideTransfer, Case: pendingCase(), Now: now})
	if d.Err() != access.ErrUnauthenticated {
		t.Errorf("unauthenticated: %v", d.Err())
	}
	if access.VisibleCase(caseworker("shelter-a"), acceptedCase(), now) {
		t.Error("the former owner still sees the case in its lists")
	}
	if !access.VisibleCase(caseworker("ngo-new"), acceptedCase(), now) || !access.SeesEveryCaseOf(caseworker("ngo-new"), acceptedCase().OwnerOrganisation) {
		t.Error("the new owner does not see the case")
	}
}
