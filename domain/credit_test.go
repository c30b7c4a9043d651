package domain

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Credit repair: a step where the survivor's data leaves the coalition, so every
// command that sends it to a bureau checks consent.

func TestFileCreditDispute(t *testing.T) {
	bankOnly := ConsentGranted{GrantID: "g-b", Recipient: "org-bureau", Categories: []DataCategory{DataCredit},
		Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(1)}
	valid := FileCreditDispute{DisputeID: "d-1", Bureau: bureau, ItemCount: 3}

	tests := []caseTest{
		{name: "file a dispute straight after referral (stages can be skipped)", given: events(referred, bureauGrant), when: valid,
			then: events(CreditDisputeFiled{DisputeID: "d-1", Bureau: "org-bureau", ItemCount: 3, At: at(10)}), thenStage: StageCreditRepair},
		{name: "not a credit bureau", given: events(referred, bureauGrant), when: FileCreditDispute{DisputeID: "d-1", Bureau: bank, ItemCount: 3},
			wantErr: ErrWrongOrganisationKind, wantMsg: "bureauId: organisation org-bank is not a credit bureau"},
		{name: "no consent for credit repair", given: events(referred, bankGrant), when: valid,
			wantErr: ErrConsentRequired, wantMsg: "fileCreditDispute: no consent grant in force lets credit bureau org-bureau receive data for credit_repair"},
		{name: "consent to the bureau for another purpose", given: events(referred, bankOnly), when: valid, wantErr: ErrConsentRequired},
		{name: "no dispute id", given: events(referred, bureauGrant), when: FileCreditDispute{Bureau: bureau, ItemCount: 3}, wantErr: ErrInvalidInput, wantMsg: "disputeId:"},
		{name: "dispute id already used", given: events(referred, bureauGrant, disputeFiled), when: valid, wantErr: ErrInvalidInput, wantMsg: "already used"},
		{name: "no items", given: events(referred, bureauGrant), when: FileCreditDispute{DisputeID: "d-1", Bureau: bureau}, wantErr: ErrInvalidInput, wantMsg: "itemCount:"},
		{name: "negative items", given: events(referred, bureauGrant), when: FileCreditDispute{DisputeID: "d-1", Bureau: bureau, ItemCount: -1}, wantErr: ErrInvalidInput},
	}
	runCaseTests(t, tests)
}

func TestRecordCreditDisputeOutcome(t *testing.T) {
	filed := events(referred, bureauGrant, disputeFiled)
	resolved := CreditDisputeResolved{DisputeID: "d-1", Outcome: DisputeBlocked, At: at(6)}
	tests := []caseTest{
		{name: "every item blocked, no reason needed", given: filed, when: RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputeBlocked},
			then: events(CreditDisputeResolved{DisputeID: "d-1", Outcome: DisputeBlocked, At: at(10)})},
		{name: "refused with a reason", given: filed,
			when: RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputeRefused, ReasonCode: DisputeInsufficientEvidence, Reason: "the letter was unsigned "},
			then: events(CreditDisputeResolved{DisputeID: "d-1", Outcome: DisputeRefused, ReasonCode: DisputeInsufficientEvidence, At: at(10),
				Personal: &ReasonDetails{Text: "the letter was unsigned"}})},
		{name: "recorded even once consent expired", given: filed, now: nextYear.AddDate(0, 0, 1),
			when: RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputePartiallyBlocked, ReasonCode: DisputeItemNotFound},
			then: events(CreditDisputeResolved{DisputeID: "d-1", Outcome: DisputePartiallyBlocked, ReasonCode: DisputeItemNotFound, At: nextYear.AddDate(0, 0, 1)})},
		{name: "no dispute id", given: filed, when: RecordCreditDisputeOutcome{Outcome: DisputeBlocked}, wantErr: ErrInvalidInput},
		{name: "unknown dispute", given: filed, when: RecordCreditDisputeOutcome{DisputeID: "d-9", Outcome: DisputeBlocked},
			wantErr: ErrInvalidInput, wantMsg: "unknown dispute d-9"},
		{name: "already resolved", given: append(filed, resolved), when: RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputeBlocked},
			wantErr: ErrInvalidTransition, wantMsg: "already resolved (blocked)"},
		{name: "unknown outcome", given: filed, when: RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: "lost"}, wantErr: ErrInvalidInput, wantMsg: "outcome:"},
		{name: "refused without a reason", given: filed, when: RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputeRefused},
			wantErr: ErrInvalidInput, wantMsg: "reasonCode: a reason code is required when the outcome is refused"},
		{name: "partially blocked with only a text", given: filed, when: RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputePartiallyBlocked, Reason: "2 of 3"},
			wantErr: ErrInvalidInput},
		{name: "an unknown reason code", given: filed, when: RecordCreditDisputeOutcome{DisputeID: "d-1", Outcome: DisputeRefused, ReasonCode: "whim"},
			wantErr: ErrInvalidInput, wantMsg: "unknown dispute reason"},
	}
	runCaseTests(t, tests)
}

func TestRecordCreditReportObtained(t *testing.T) {
	bankingOnly := ConsentGranted{GrantID: "g-b", Recipient: "org-bureau", Categories: []DataCategory{DataCredit},
		Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(1)}
	report := CreditReportObtained{ReportID: "r-1", Bureau: "org-bureau", At: at(4)}
	runCaseTests(t, []caseTest{
		{name: "a report obtained from a bureau", given: events(referred, bureauGrant), when: RecordCreditReportObtained{ReportID: "r-1", Bureau: bureau},
			then: events(CreditReportObtained{ReportID: "r-1", Bureau: "org-bureau", At: at(10)}), thenStage: StageCreditRepair},
		{name: "not a credit bureau", given: events(referred, bureauGrant), when: RecordCreditReportObtained{ReportID: "r-1", Bureau: bank},
			wantErr: ErrWrongOrganisationKind, wantMsg: "bureauId:"},
		{name: "no report id", given: events(referred, bureauGrant), when: RecordCreditReportObtained{Bureau: bureau}, wantErr: ErrInvalidInput, wantMsg: "reportId:"},
		{name: "report id already used", given: events(referred, bureauGrant, report), when: RecordCreditReportObtained{ReportID: "r-1", Bureau: bureau},
			wantErr: ErrInvalidInput, wantMsg: "already used"},
		{name: "no consent to the bureau", given: events(referred, bankGrant), when: RecordCreditReportObtained{ReportID: "r-1", Bureau: bureau},
			wantErr: ErrConsentRequired, wantMsg: "recordCreditReportObtained: no consent grant in force lets credit bureau org-bureau receive data for credit_repair"},
		{name: "consent to the bureau for another purpose", given: events(referred, bankingOnly), when: RecordCreditReportObtained{ReportID: "r-1", Bureau: bureau},
			wantErr: ErrConsentRequired},
	})
	if got := Fold(events(referred, bureauGrant, report)).CreditReports["r-1"]; got != (CreditReport{ReportID: "r-1", Bureau: "org-bureau", ObtainedAt: at(4)}) {
		t.Errorf("report state %+v", got)
	}
}

func TestFileCreditDisputeWithItems(t *testing.T) {
	valid := FileCreditDispute{DisputeID: "d-2", Bureau: bureau,
		Items:    []DisputeItem{{ItemID: "i-1", Kind: ItemDebt, Creditor: " Financiera Norte ", AccountReference: " FN-0042 "}, {ItemID: "i-2", Kind: ItemAccount}},
		Evidence: []EvidenceKind{EvidenceProofOfIdentity, EvidenceTraffickingDetermination}}
	with := func(f func(*FileCreditDispute)) FileCreditDispute {
		c := valid
		c.Items = append([]DisputeItem(nil), valid.Items...)
		f(&c)
		return c
	}
	want := itemDispute
	want.At = at(10)
	given := events(referred, bureauGrant)
	both := []EvidenceKind{EvidenceProofOfIdentity, EvidenceTraffickingDetermination}

	runCaseTests(t, []caseTest{
		{name: "a dispute listing its items with the evidence the Act asks for", given: given, when: valid,
			then: events(want), thenStage: StageCreditRepair},
		{name: "itemCount may be given when it matches", given: given, when: with(func(c *FileCreditDispute) { c.ItemCount = 2 }), then: events(want)},
		{name: "items without creditors carry nothing personal", given: given,
			when: FileCreditDispute{DisputeID: "d-2", Bureau: bureau, Items: []DisputeItem{{ItemID: "i-1", Kind: ItemInquiry, Creditor: " "}},
				Evidence: []EvidenceKind{EvidenceTraffickingDetermination, EvidenceProofOfIdentity, EvidencePoliceReport}},
			then: events(CreditDisputeFiled{DisputeID: "d-2", Bureau: "org-bureau", ItemCount: 1, Items: []DisputeItemFiled{{ItemID: "i-1", Kind: ItemInquiry}},
				Evidence: []EvidenceKind{EvidenceTraffickingDetermination, EvidenceProofOfIdentity, EvidencePoliceReport}, At: at(10)})},
		{name: "the old form may list evidence too", given: given,
			when: FileCreditDispute{DisputeID: "d-2", Bureau: bureau, ItemCount: 4, Evidence: []EvidenceKind{EvidencePoliceReport}},
			then: events(CreditDisputeFiled{DisputeID: "d-2", Bureau: "org-bureau", ItemCount: 4, Evidence: []EvidenceKind{EvidencePoliceReport}, At: at(10)})},

		{name: "itemCount differs from the items", given: given, when: with(func(c *FileCreditDispute) { c.ItemCount = 3 }),
			wantErr: ErrInvalidInput, wantMsg: "itemCount: itemCount is 3 but 2 items are listed"},
		{name: "an item without id", given: given, when: with(func(c *FileCreditDispute) { c.Items[1].ItemID = " " }),
			wantErr: ErrInvalidInput, wantMsg: "items[1].id:"},
		{name: "an item listed twice", given: given, when: with(func(c *FileCreditDispute) { c.Items[1].ItemID = "i-1" }),
			wantErr: ErrInvalidInput, wantMsg: "item id i-1 is listed twice"},
		{name: "an item of unknown kind", given: given, when: with(func(c *FileCreditDispute) { c.Items[0].Kind = "mortgage" }),
			wantErr: ErrInvalidInput, wantMsg: "items[0].kind:"},
		{name: "no trafficking determination", given: given, when: with(func(c *FileCreditDispute) { c.Evidence = both[:1] }),
			wantErr: ErrInvalidInput, wantMsg: "evidence: a dispute listing items needs proof_of_identity and trafficking_determination among its evidence; trafficking_determination is missing"},
		{name: "no proof of identity", given: given, when: with(func(c *FileCreditDispute) {
			c.Evidence = []EvidenceKind{EvidenceTraffickingDetermination, EvidenceItemsList}
		}),
			wantErr: ErrInvalidInput, wantMsg: "proof_of_identity is missing"},
		{name: "no evidence at all", given: given, when: with(func(c *FileCreditDispute) { c.Evidence = nil }), wantErr: ErrInvalidInput, wantMsg: "evidence:"},
		{name: "unknown evidence", given: given, when: with(func(c *FileCreditDispute) { c.Evidence = append(both, "selfie") }),
			wantErr: ErrInvalidInput, wantMsg: "evidence:"},
		{name: "evidence listed twice", given: given, when: with(func(c *FileCreditDispute) { c.Evidence = append(both, EvidenceProofOfIdentity) }),
			wantErr: ErrInvalidInput, wantMsg: "twice"},
		{name: "no consent to the bureau", given: events(referred), when: valid, wantErr: ErrConsentRequired},
	})
}

func TestRecordDisputeItemOutcome(t *testing.T) {
	given := events(referred, bureauGrant, itemDispute)
	runCaseTests(t, []caseTest{
		{name: "an item blocked", given: given, when: RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemBlocked},
			then: events(CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemBlocked, At: at(10)}), thenStage: StageCreditRepair},
		{name: "an item refused with a reason", given: given,
			when: RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemRefused, ReasonCode: DisputeInsufficientEvidence, Reason: " no determination letter "},
			then: events(CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemRefused, ReasonCode: DisputeInsufficientEvidence, At: at(10),
				Personal: &ReasonDetails{Text: "no determination letter"}})},
		{name: "recorded even once consent expired", given: given, now: nextYear.AddDate(0, 0, 1),
			when: RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemBlocked},
			then: events(CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemBlocked, At: nextYear.AddDate(0, 0, 1)})},

		{name: "refused without a reason code", given: given, when: RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemRefused},
			wantErr: ErrInvalidInput, wantMsg: "reasonCode: a reason code is required when an item is refused"},
		{name: "pending is not an outcome", given: given, when: RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemPending},
			wantErr: ErrInvalidInput, wantMsg: "outcome:"},
		{name: "unknown outcome", given: given, when: RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-1", Outcome: "lost"}, wantErr: ErrInvalidInput},
		{name: "no item id", given: given, when: RecordDisputeItemOutcome{DisputeID: "d-2", Outcome: ItemBlocked}, wantErr: ErrInvalidInput, wantMsg: "itemId:"},
		{name: "unknown dispute", given: given, when: RecordDisputeItemOutcome{DisputeID: "d-9", ItemID: "i-1", Outcome: ItemBlocked},
			wantErr: ErrInvalidInput, wantMsg: "unknown dispute d-9"},
		{name: "unknown item", given: given, when: RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-9", Outcome: ItemBlocked},
			wantErr: ErrInvalidInput, wantMsg: "unknown item i-9 in dispute d-2"},
		{name: "an item decided twice", given: append(given, item1Blocked), when: RecordDisputeItemOutcome{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemRefused, ReasonCode: DisputeReasonOther},
			wantErr: ErrInvalidTransition, wantMsg: "item i-1 of dispute d-2 is already blocked"},
		{name: "a dispute filed without items", given: append(given, disputeFiled), when: RecordDisputeItemOutcome{DisputeID: "d-1", ItemID: "i-1", Outcome: ItemBlocked},
			wantErr: ErrInvalidTransition, wantMsg: "dispute d-1 was filed without a list of items"},
		{name: "the old whole-dispute outcome is refused for a dispute with items", given: given,
			when:    RecordCreditDisputeOutcome{DisputeID: "d-2", Outcome: DisputeBlocked},
			wantErr: ErrInvalidTransition, wantMsg: "dispute d-2 lists its items; record the outcome of each item instead"},
	})
}

func TestResubmitCreditDispute(t *testing.T) {
	given := events(referred, bureauGrant, itemDispute, item1Blocked, item2Refused)
	runCaseTests(t, []caseTest{
		{name: "resubmit a refused item with more evidence", given: given,
			when:      ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-2"}, Evidence: []EvidenceKind{EvidencePoliceReport}},
			then:      events(CreditDisputeResubmitted{DisputeID: "d-2", ItemIDs: []string{"i-2"}, Evidence: []EvidenceKind{EvidencePoliceReport}, At: at(10)}),
			thenStage: StageCreditRepair},
		{name: "only refused items: not a blocked one", given: given, when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-2", "i-1"}},
			wantErr: ErrInvalidTransition, wantMsg: "only refused items can be resubmitted; item i-1 of dispute d-2 is blocked"},
		{name: "only refused items: not a pending one", given: events(referred, bureauGrant, itemDispute, item2Refused),
			when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-1"}}, wantErr: ErrInvalidTransition, wantMsg: "is pending"},
		{name: "unknown item", given: given, when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-9"}},
			wantErr: ErrInvalidInput, wantMsg: "unknown item i-9"},
		{name: "no items", given: given, when: ResubmitCreditDispute{DisputeID: "d-2"}, wantErr: ErrInvalidInput, wantMsg: "itemIds:"},
		{name: "an item listed twice", given: given, when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-2", "i-2"}},
			wantErr: ErrInvalidInput, wantMsg: "twice"},
		{name: "a blank item id", given: given, when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{""}},
			wantErr: ErrInvalidInput, wantMsg: "itemIds[0]:"},
		{name: "unknown evidence", given: given, when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-2"}, Evidence: []EvidenceKind{"rumour"}},
			wantErr: ErrInvalidInput, wantMsg: "evidence:"},
		{name: "unknown dispute", given: given, when: ResubmitCreditDispute{DisputeID: "d-9", ItemIDs: []string{"i-2"}}, wantErr: ErrInvalidInput},
		{name: "a dispute filed without items", given: append(given, disputeFiled), when: ResubmitCreditDispute{DisputeID: "d-1", ItemIDs: []string{"i-1"}},
			wantErr: ErrInvalidTransition, wantMsg: "file a new dispute to resubmit"},
		{name: "consent to the bureau withdrawn", given: append(given, ConsentWithdrawn{GrantID: "g-bureau", At: at(7)}),
			when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-2"}}, wantErr: ErrConsentRequired},
	})
}

// When every item is decided, the dispute's outcome is derived from its items.
func TestDisputeOutcomeDerivedFromItems(t *testing.T) {
	filed := events(referred, bureauGrant, itemDispute)
	item2Blocked := CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemBlocked, At: at(7)}
	item1Refused := CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemRefused, ReasonCode: DisputeNotTraffickingRelated, At: at(7)}
	for _, tt := range []struct {
		name       string
		decided    []Event
		wantStatus DisputeStatus
		wantOut    DisputeOutcome
	}{
		{"one item still pending", events(item1Blocked), DisputeFiled, ""},
		{"every item blocked", events(item1Blocked, item2Blocked), DisputeResolved, DisputeBlocked},
		{"every item refused", events(item1Refused, item2Refused), DisputeResolved, DisputeRefused},
		{"some blocked, some refused", events(item2Refused, item1Blocked), DisputeResolved, DisputePartiallyBlocked},
	} {
		d := Fold(append(filed, tt.decided...)).Disputes["d-2"]
		if d.Status != tt.wantStatus || d.Outcome != tt.wantOut {
			t.Errorf("%s: dispute %s/%s, want %s/%s", tt.name, d.Status, d.Outcome, tt.wantStatus, tt.wantOut)
		}
		if (d.Status == DisputeResolved) != !d.ResolvedAt.IsZero() {
			t.Errorf("%s: resolved at %v", tt.name, d.ResolvedAt)
		}
	}

	// Resubmitting the refused item files the dispute again; deciding it resolves it.
	resolved := Fold(append(filed, item1Blocked, item2Refused))
	again := Evolve(resolved, CreditDisputeResubmitted{DisputeID: "d-2", ItemIDs: []string{"i-2"},
		Evidence: []EvidenceKind{EvidencePoliceReport, EvidenceProofOfIdentity}, At: at(8)})
	want := CreditDispute{ID: "d-2", Bureau: "org-bureau", ItemCount: 2,
		Items: map[string]DisputeItemState{
			"i-1": {ItemID: "i-1", Kind: ItemDebt, Outcome: ItemBlocked},
			"i-2": {ItemID: "i-2", Kind: ItemAccount, Outcome: ItemPending},
		},
		Evidence:      []EvidenceKind{EvidenceProofOfIdentity, EvidenceTraffickingDetermination, EvidencePoliceReport},
		Resubmissions: 1, Status: DisputeFiled, FiledAt: at(5)}
	if got := again.Disputes["d-2"]; !reflect.DeepEqual(got, want) {
		t.Fatalf("after resubmission\n got %+v\nwant %+v", got, want)
	}
	if d := resolved.Disputes["d-2"]; d.Status != DisputeResolved || d.Items["i-2"].Outcome != ItemRefused || d.Items["i-2"].ReasonCode != DisputeInsufficientEvidence {
		t.Fatalf("resubmitting changed the earlier state: %+v", d)
	}
	final := Evolve(again, CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemBlocked, At: at(9)}).Disputes["d-2"]
	if final.Status != DisputeResolved || final.Outcome != DisputeBlocked || final.ResolvedAt != at(9) || final.Resubmissions != 1 {
		t.Fatalf("after the resubmitted item was blocked: %+v", final)
	}
}

// The statutory clock: the application fills in DueAt from the bureau's calendar; the
// domain records it, restarts it on resubmission and says when a dispute is overdue.
func TestDisputeDueDate(t *testing.T) {
	due := at(10).Add(96 * time.Hour)
	filed := CreditDisputeFiled{DisputeID: "d-1", Bureau: "org-bureau", ItemCount: 3, At: at(10), DueAt: due}
	given := events(referred, bureauGrant, itemDispute, item1Blocked, item2Refused)
	runCaseTests(t, []caseTest{
		{name: "the due date is recorded with the dispute", given: events(referred, bureauGrant),
			when: FileCreditDispute{DisputeID: "d-1", Bureau: bureau, ItemCount: 3, DueAt: due}, then: events(filed)},
		{name: "no due date: the bureau's jurisdiction has no statutory clock", given: events(referred, bureauGrant),
			when: FileCreditDispute{DisputeID: "d-1", Bureau: bureau, ItemCount: 3},
			then: events(CreditDisputeFiled{DisputeID: "d-1", Bureau: "org-bureau", ItemCount: 3, At: at(10)})},
		{name: "a due date at the filing time is refused", given: events(referred, bureauGrant),
			when:    FileCreditDispute{DisputeID: "d-1", Bureau: bureau, ItemCount: 3, DueAt: at(10)},
			wantErr: ErrInvalidInput, wantMsg: "dueAt: the due date 2026-03-02T19:00:00Z is not after the filing time 2026-03-02T19:00:00Z"},
		{name: "a due date before the filing is refused", given: events(referred, bureauGrant),
			when: FileCreditDispute{DisputeID: "d-1", Bureau: bureau, ItemCount: 3, DueAt: at(9)}, wantErr: ErrInvalidInput, wantMsg: "dueAt:"},
		{name: "a resubmission restarts the clock", given: given,
			when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-2"}, DueAt: due},
			then: events(CreditDisputeResubmitted{DisputeID: "d-2", ItemIDs: []string{"i-2"}, At: at(10), DueAt: due})},
		{name: "a resubmission's due date before now is refused", given: given,
			when: ResubmitCreditDispute{DisputeID: "d-2", ItemIDs: []string{"i-2"}, DueAt: at(3)}, wantErr: ErrInvalidInput, wantMsg: "dueAt:"},
	})

	if got := Fold(events(referred, bureauGrant, filed)).Disputes["d-1"].DueAt; !got.Equal(due) {
		t.Errorf("state DueAt %s, want %s", got, due)
	}
	first := itemDispute
	first.DueAt = at(50)
	restarted := Fold(events(referred, bureauGrant, first, item1Blocked, item2Refused,
		CreditDisputeResubmitted{DisputeID: "d-2", ItemIDs: []string{"i-2"}, At: at(60), DueAt: at(160)})).Disputes["d-2"]
	if !restarted.DueAt.Equal(at(160)) {
		t.Errorf("after resubmission DueAt %s, want %s", restarted.DueAt, at(160))
	}
	old := Fold(events(referred, bureauGrant, first, item1Blocked, item2Refused,
		CreditDisputeResubmitted{DisputeID: "d-2", ItemIDs: []string{"i-2"}, At: at(60)})).Disputes["d-2"]
	if !old.DueAt.IsZero() {
		t.Errorf("a resubmission stored without a due date keeps the old one: %s", old.DueAt)
	}
}

func TestDisputeOverdue(t *testing.T) {
	due := at(100)
	itemised := itemDispute
	itemised.DueAt = due
	whole := CreditDisputeFiled{DisputeID: "d-1", Bureau: "org-bureau", ItemCount: 3, At: at(5), DueAt: due}
	for _, tt := range []struct {
		name    string
		given   []Event
		dispute string
		now     time.Time
		want    bool
		pending int
	}{
		{"just before the due date", events(referred, bureauGrant, itemised), "d-2", due.Add(-time.Nanosecond), false, 2},
		{"at the due date: the last business day has ended", events(referred, bureauGrant, itemised), "d-2", due, true, 2},
		{"one item still pending after the due date", events(referred, bureauGrant, itemised, item1Blocked), "d-2", at(200), true, 1},
		{"every item decided", events(referred, bureauGrant, itemised, item1Blocked, item2Refused), "d-2", at(200), false, 0},
		{"decided late is no longer overdue", events(referred, bureauGrant, itemised,
			CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemBlocked, At: at(150)},
			CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemBlocked, At: at(151)}), "d-2", at(200), false, 0},
		{"an item-less dispute not resolved", events(referred, bureauGrant, whole), "d-1", at(200), true, 3},
		{"an item-less dispute resolved", events(referred, bureauGrant, whole,
			CreditDisputeResolved{DisputeID: "d-1", Outcome: DisputeBlocked, At: at(6)}), "d-1", at(200), false, 0},
		{"no statutory clock", events(referred, bureauGrant, disputeFiled), "d-1", at(10_000), false, 3},
	} {
		d := Fold(tt.given).Disputes[tt.dispute]
		if got := d.Overdue(tt.now); got != tt.want || d.PendingItems() != tt.pending {
			t.Errorf("%s: Overdue = %v, pending %d; want %v, %d", tt.name, got, d.PendingItems(), tt.want, tt.pending)
		}
	}
}

// Events stored before due dates were kept have none, and one without a clock is
// stored without the field.
func TestDueAtStoredOnlyWhenSet(t *testing.T) {
	raw, err := json.Marshal(CreditDisputeFiled{DisputeID: "d-1", Bureau: "b", ItemCount: 1, At: at(1)})
	if err != nil || strings.Contains(string(raw), "dueAt") {
		t.Errorf("no clock: %s %v", raw, err)
	}
	var old CreditDisputeResubmitted
	if err := json.Unmarshal([]byte(`{"disputeId":"d","itemIds":["i"],"at":"2025-01-01T00:00:00Z"}`), &old); err != nil || !old.DueAt.IsZero() {
		t.Errorf("old event: %+v %v", old, err)
	}
}
