package domain

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Credit repair per bureau and per item: a credit report is obtained from each
// bureau; a block/dispute request lists the trafficking-related or coerced items
// with its evidence; the bureau blocks or refuses each item; once no item is pending
// the dispute is resolved with an outcome derived from its items (no extra event);
// refused items can be resubmitted, which files the dispute again. This is the flow
// of the US Debt Bondage Repair Act rule, and it generalises to other jurisdictions.
// A dispute filed in the old form (a count of items, no list) is resolved as a whole.

// ItemKind is what a disputed credit report entry is.
type ItemKind string

const (
	ItemDebt    ItemKind = "debt"
	ItemAccount ItemKind = "account"
	ItemInquiry ItemKind = "inquiry"
)

func AllItemKind() []ItemKind { return []ItemKind{ItemDebt, ItemAccount, ItemInquiry} }

func (x ItemKind) Valid() bool { return slices.Contains(AllItemKind(), x) }

// ItemOutcome is where one disputed item stands with the bureau.
type ItemOutcome string

const (
	ItemPending ItemOutcome = "pending"
	ItemBlocked ItemOutcome = "blocked"
	ItemRefused ItemOutcome = "refused"
)

func AllItemOutcome() []ItemOutcome { return []ItemOutcome{ItemPending, ItemBlocked, ItemRefused} }

func (x ItemOutcome) Valid() bool { return slices.Contains(AllItemOutcome(), x) }

// EvidenceKind is a kind of evidence sent with a dispute.
type EvidenceKind string

const (
	EvidenceProofOfIdentity          EvidenceKind = "proof_of_identity"
	EvidenceTraffickingDetermination EvidenceKind = "trafficking_determination" // e.g. a determination letter
	EvidenceItemsList                EvidenceKind = "items_list"
	EvidencePoliceReport             EvidenceKind = "police_report"
	EvidenceOther                    EvidenceKind = "other"
)

func AllEvidenceKind() []EvidenceKind {
	return []EvidenceKind{EvidenceProofOfIdentity, EvidenceTraffickingDetermination, EvidenceItemsList, EvidencePoliceReport, EvidenceOther}
}

func (x EvidenceKind) Valid() bool { return slices.Contains(AllEvidenceKind(), x) }

// DisputeOutcome is how a credit bureau answered a block/dispute request.
type DisputeOutcome string

const (
	DisputeBlocked          DisputeOutcome = "blocked" // every disputed item blocked
	DisputePartiallyBlocked DisputeOutcome = "partially_blocked"
	DisputeRefused          DisputeOutcome = "refused"
)

func AllDisputeOutcome() []DisputeOutcome {
	return []DisputeOutcome{DisputeBlocked, DisputePartiallyBlocked, DisputeRefused}
}

func (x DisputeOutcome) Valid() bool { return slices.Contains(AllDisputeOutcome(), x) }

// DisputeStatus tracks one credit dispute.
type DisputeStatus string

const (
	DisputeFiled    DisputeStatus = "filed"
	DisputeResolved DisputeStatus = "resolved"
)

func AllDisputeStatus() []DisputeStatus { return []DisputeStatus{DisputeFiled, DisputeResolved} }

func (x DisputeStatus) Valid() bool { return slices.Contains(AllDisputeStatus(), x) }

// DisputeReason is why a credit bureau refused a dispute or one of its items.
type DisputeReason string

const (
	DisputeInsufficientEvidence  DisputeReason = "insufficient_evidence"
	DisputeIdentityNotVerified   DisputeReason = "identity_not_verified"
	DisputeItemNotFound          DisputeReason = "item_not_found"
	DisputeNotTraffickingRelated DisputeReason = "not_trafficking_related"
	DisputeReasonOther           DisputeReason = "other"
)

func AllDisputeReason() []DisputeReason {
	return []DisputeReason{DisputeInsufficientEvidence, DisputeIdentityNotVerified, DisputeItemNotFound,
		DisputeNotTraffickingRelated, DisputeReasonOther}
}

func (x DisputeReason) Valid() bool { return slices.Contains(AllDisputeReason(), x) }

// requiredDisputeEvidence is what a dispute listing items must include: the US Debt
// Bondage Repair Act asks for proof of identity and documentation of trafficking.
func requiredDisputeEvidence() []EvidenceKind {
	return []EvidenceKind{EvidenceProofOfIdentity, EvidenceTraffickingDetermination}
}

// DisputeItem is one credit report entry a FileCreditDispute asks the bureau to
// block. Creditor and AccountReference are personal: they go into the event's
// Personal object.
type DisputeItem struct {
	ItemID           string
	Kind             ItemKind
	Creditor         string
	AccountReference string
}

// DisputeItemFiled is the non-personal part of a disputed item, as stored.
type DisputeItemFiled struct {
	ItemID string   `json:"itemId" waymark:"id"`
	Kind   ItemKind `json:"kind"`
}

// DisputeItemsDetails is the personal part of a dispute: who each disputed item is
// owed to and its account reference. Only items with either are listed.
type DisputeItemsDetails struct {
	Items []DisputeItemDetails `json:"items"`
}

type DisputeItemDetails struct {
	ItemID           string `json:"itemId" waymark:"id"`
	Creditor         string `json:"creditor,omitempty"`
	AccountReference string `json:"accountReference,omitempty"`
}

// DisputeItemState is one disputed item of a CreditDispute.
type DisputeItemState struct {
	ItemID     string
	Kind       ItemKind
	Outcome    ItemOutcome
	ReasonCode DisputeReason // why the bureau refused it
}

// CreditReport is a credit report obtained from one bureau.
type CreditReport struct {
	ReportID   string
	Bureau     string
	ObtainedAt time.Time
}

// CreditDispute is one block/dispute request to a bureau. A dispute filed with items
// is decided item by item: it is resolved, with a derived Outcome, once no
// item is pending, and filed again when refused items are resubmitted. A dispute
// filed with only an ItemCount is resolved as a whole by RecordCreditDisputeOutcome.
type CreditDispute struct {
	ID            string
	Bureau        string
	ItemCount     int
	Items         map[string]DisputeItemState // by item id; nil for a dispute filed without items
	Evidence      []EvidenceKind              // every kind of evidence sent, over all submissions
	Resubmissions int
	Status        DisputeStatus
	Outcome       DisputeOutcome
	ReasonCode    DisputeReason // why a dispute resolved as a whole was not blocked
	FiledAt       time.Time
	ResolvedAt    time.Time
	// DueAt is when the bureau must have decided every item: the statutory clock of
	// the bureau's jurisdiction, restarted by each resubmission. Zero: no statutory
	// clock (the jurisdiction has none, or the dispute was filed before Waymark kept
	// due dates).
	DueAt time.Time
}

// Overdue reports whether the dispute's due date has passed (from the instant DueAt
// on) while the bureau still owes an answer: an item pending, or, for a dispute filed
// without items, no outcome yet.
func (d CreditDispute) Overdue(now time.Time) bool {
	return !d.DueAt.IsZero() && !now.Before(d.DueAt) && d.PendingItems() > 0
}

// PendingItems is how many items still wait for the bureau's decision; for a dispute
// filed without items, all of them until it is resolved as a whole.
func (d CreditDispute) PendingItems() int {
	if len(d.Items) == 0 {
		if d.Status == DisputeResolved {
			return 0
		}
		return d.ItemCount
	}
	n := 0
	for _, it := range d.Items {
		if it.Outcome == ItemPending {
			n++
		}
	}
	return n
}

// ---- Commands and events -----------------------------------------------------------

type RecordCreditReportObtained struct {
	ReportID string `waymark:"new"`
	Bureau   OrgRef
}

// FileCreditDispute files a block/dispute request. The full form lists the Items
// with their Evidence; the old form gives only ItemCount. With items,
// ItemCount may be 0 (it is then taken from the items) or must equal len(Items).
//
// DueAt is filled in by the application layer, like an OrgRef, because the domain
// cannot look it up: the statutory clock of the bureau's jurisdiction (its calendar
// of business days, which is configuration) started at the filing time. It is the
// BUREAU's jurisdiction, not the case's: the law that binds the bureau sets the clock
// (a Mexican survivor's dispute with a US agency runs on FCRA §605C's four US
// business days). Zero: no statutory clock; when set it must lie after now.
type FileCreditDispute struct {
	DisputeID string `waymark:"new"`
	Bureau    OrgRef
	ItemCount int
	Items     []DisputeItem
	Evidence  []EvidenceKind
	DueAt     time.Time
}

type RecordCreditDisputeOutcome struct {
	DisputeID  string
	Outcome    DisputeOutcome
	ReasonCode DisputeReason // required unless the outcome is blocked
	Reason     string        // optional text
}

type RecordDisputeItemOutcome struct {
	DisputeID  string
	ItemID     string
	Outcome    ItemOutcome   // blocked or refused
	ReasonCode DisputeReason // required when refused
	Reason     string        // optional text
}

// ResubmitCreditDispute sends refused items again. It is a new request: the clock
// restarts, with DueAt filled in by the application layer as for FileCreditDispute.
type ResubmitCreditDispute struct {
	DisputeID string
	ItemIDs   []string       // refused items of the dispute
	Evidence  []EvidenceKind // evidence added for the resubmission (may be empty)
	DueAt     time.Time      // the restarted statutory clock (zero: none)
}

// CreditReportObtained: the survivor's credit report was obtained from a bureau.
type CreditReportObtained struct {
	ReportID string    `json:"reportId" waymark:"id"`
	Bureau   string    `json:"bureau" waymark:"id"`
	At       time.Time `json:"at"`
}

// CreditDisputeFiled: a block/dispute request for trafficking-related or coerced
// items was filed with a credit bureau. Items and Evidence are empty for a dispute
// filed in the old form (ItemCount only); the creditors and account references of the
// items are personal.
type CreditDisputeFiled struct {
	DisputeID string               `json:"disputeId" waymark:"id"`
	Bureau    string               `json:"bureau" waymark:"id"`
	ItemCount int                  `json:"itemCount"`
	Items     []DisputeItemFiled   `json:"items,omitempty"`
	Evidence  []EvidenceKind       `json:"evidence,omitempty"`
	At        time.Time            `json:"at"`
	DueAt     time.Time            `json:"dueAt,omitzero"` // absent: no statutory clock (or filed before due dates were kept)
	Personal  *DisputeItemsDetails `json:"personal,omitempty"`
}

// CreditDisputeResolved: the bureau answered the dispute (a reason code unless every
// item was blocked).
type CreditDisputeResolved struct {
	DisputeID  string         `json:"disputeId" waymark:"id"`
	Outcome    DisputeOutcome `json:"outcome"`
	ReasonCode DisputeReason  `json:"reasonCode,omitempty"`
	At         time.Time      `json:"at"`
	Personal   *ReasonDetails `json:"personal,omitempty"`
}

// CreditDisputeItemDecided: the bureau blocked or refused one item of a dispute.
type CreditDisputeItemDecided struct {
	DisputeID  string         `json:"disputeId" waymark:"id"`
	ItemID     string         `json:"itemId" waymark:"id"`
	Outcome    ItemOutcome    `json:"outcome"`
	ReasonCode DisputeReason  `json:"reasonCode,omitempty"`
	At         time.Time      `json:"at"`
	Personal   *ReasonDetails `json:"personal,omitempty"`
}

// CreditDisputeResubmitted: refused items were sent to the bureau again, with the
// evidence added for the resubmission.
type CreditDisputeResubmitted struct {
	DisputeID string         `json:"disputeId" waymark:"id"`
	ItemIDs   []string       `json:"itemIds" waymark:"id"`
	Evidence  []EvidenceKind `json:"evidence,omitempty"`
	At        time.Time      `json:"at"`
	DueAt     time.Time      `json:"dueAt,omitzero"` // the restarted clock; absent: none
}

func (RecordCreditReportObtained) CommandType() string { return "RecordCreditReportObtained" }
func (FileCreditDispute) CommandType() string          { return "FileCreditDispute" }
func (RecordCreditDisputeOutcome) CommandType() string { return "RecordCreditDisputeOutcome" }
func (RecordDisputeItemOutcome) CommandType() string   { return "RecordDisputeItemOutcome" }
func (ResubmitCreditDispute) CommandType() string      { return "ResubmitCreditDispute" }

func (CreditReportObtained) EventType() string     { return "CreditReportObtained" }
func (CreditDisputeFiled) EventType() string       { return "CreditDisputeFiled" }
func (CreditDisputeResolved) EventType() string    { return "CreditDisputeResolved" }
func (CreditDisputeItemDecided) EventType() string { return "CreditDisputeItemDecided" }
func (CreditDisputeResubmitted) EventType() string { return "CreditDisputeResubmitted" }

// ---- Table -------------------------------------------------------------------------

func creditConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[RecordCreditReportObtained]{decide: decideCreditReportObtained}.spec(),
			caseCommand[FileCreditDispute]{decide: decideFileCreditDispute}.spec(),
			// The bureau a dispute is addressed to records its outcomes.
			caseCommand[RecordCreditDisputeOutcome]{decide: decideCreditDisputeOutcome,
				by: func(cmd RecordCreditDisputeOutcome, _ Case) Performer { return disputeBureau(cmd.DisputeID) }}.spec(),
			caseCommand[RecordDisputeItemOutcome]{decide: decideDisputeItemOutcome,
				by: func(cmd RecordDisputeItemOutcome, _ Case) Performer { return disputeBureau(cmd.DisputeID) }}.spec(),
			caseCommand[ResubmitCreditDispute]{decide: decideResubmitCreditDispute}.spec(),
		},
		events: []EventSpec{
			caseEvent[CreditReportObtained]{stage: StageCreditRepair, evolve: evolveCreditReportObtained,
				party: func(e CreditReportObtained, _ Case) string { return e.Bureau }}.spec(),
			caseEvent[CreditDisputeFiled]{stage: StageCreditRepair, evolve: evolveCreditDisputeFiled,
				party: func(e CreditDisputeFiled, _ Case) string { return e.Bureau }}.spec(),
			caseEvent[CreditDisputeResolved]{evolve: evolveCreditDisputeResolved,
				party: func(e CreditDisputeResolved, after Case) string { return after.Disputes[e.DisputeID].Bureau }}.spec(),
			caseEvent[CreditDisputeItemDecided]{stage: StageCreditRepair, evolve: evolveCreditDisputeItemDecided,
				party: func(e CreditDisputeItemDecided, after Case) string { return after.Disputes[e.DisputeID].Bureau }}.spec(),
			caseEvent[CreditDisputeResubmitted]{stage: StageCreditRepair, evolve: evolveCreditDisputeResubmitted,
				party: func(e CreditDisputeResubmitted, after Case) string { return after.Disputes[e.DisputeID].Bureau }}.spec(),
		},
	}
}

// disputeBureau is the performer of a bureau-side command about a dispute.
func disputeBureau(disputeID string) Performer { return Performer{By: ByBureau, Target: disputeID} }

// ---- Rules -------------------------------------------------------------------------

func decideCreditReportObtained(c Case, cmd RecordCreditReportObtained, now time.Time) ([]Event, error) {
	if err := checkOrgKind("bureauId", cmd.Bureau, OrgCreditBureau); err != nil {
		return nil, err
	}
	if err := checkID("reportId", cmd.ReportID); err != nil {
		return nil, err
	}
	if _, used := c.CreditReports[cmd.ReportID]; used {
		return nil, invalid("reportId", fmt.Sprintf("report id %s is already used on this case", cmd.ReportID))
	}
	if _, err := requireConsent(c, "credit bureau", cmd.Bureau.ID, PurposeCreditRepair, now); err != nil {
		return nil, err
	}
	return one(CreditReportObtained{ReportID: cmd.ReportID, Bureau: cmd.Bureau.ID, At: now})
}

// decideFileCreditDispute accepts the full form (Items with Evidence) and the old
// form (only ItemCount, kept for compatibility).
func decideFileCreditDispute(c Case, cmd FileCreditDispute, now time.Time) ([]Event, error) {
	if err := checkOrgKind("bureauId", cmd.Bureau, OrgCreditBureau); err != nil {
		return nil, err
	}
	if err := checkID("disputeId", cmd.DisputeID); err != nil {
		return nil, err
	}
	if _, used := c.Disputes[cmd.DisputeID]; used {
		return nil, invalid("disputeId", fmt.Sprintf("dispute id %s is already used on this case", cmd.DisputeID))
	}
	count := cmd.ItemCount
	switch {
	case len(cmd.Items) == 0 && count < 1:
		return nil, invalid("itemCount", "a dispute covers at least one credit report item")
	case count > MaxDisputeItems || len(cmd.Items) > MaxDisputeItems:
		return nil, invalid("items", fmt.Sprintf("a dispute covers at most %d items; file several disputes", MaxDisputeItems))
	case len(cmd.Items) > 0 && count != 0 && count != len(cmd.Items):
		return nil, invalid("itemCount", fmt.Sprintf("itemCount is %d but %d items are listed", count, len(cmd.Items)))
	case len(cmd.Items) > 0:
		count = len(cmd.Items)
	}
	items, details, err := checkDisputeItems(cmd.Items)
	if err != nil {
		return nil, err
	}
	if err := checkList("evidence", cmd.Evidence, false); err != nil {
		return nil, err
	}
	if len(items) > 0 {
		for _, need := range requiredDisputeEvidence() {
			if !slices.Contains(cmd.Evidence, need) {
				return nil, invalid("evidence", fmt.Sprintf(
					"a dispute listing items needs %s and %s among its evidence; %s is missing",
					EvidenceProofOfIdentity, EvidenceTraffickingDetermination, need))
			}
		}
	}
	if err := checkDueAt(cmd.DueAt, now); err != nil {
		return nil, err
	}
	if _, err := requireConsent(c, "credit bureau", cmd.Bureau.ID, PurposeCreditRepair, now); err != nil {
		return nil, err
	}
	return one(CreditDisputeFiled{
		DisputeID: cmd.DisputeID, Bureau: cmd.Bureau.ID, ItemCount: count,
		Items: items, Evidence: cloneList(cmd.Evidence), At: now, DueAt: cmd.DueAt, Personal: details,
	})
}

// checkDisputeItems checks every item and returns their non-personal part and their
// personal part (nil when no item names a creditor or an account reference).
func checkDisputeItems(items []DisputeItem) ([]DisputeItemFiled, *DisputeItemsDetails, error) {
	var out []DisputeItemFiled
	var personal []DisputeItemDetails
	for i, it := range items {
		field := fmt.Sprintf("items[%d]", i)
		if err := checkID(field+".id", it.ItemID); err != nil {
			return nil, nil, err
		}
		if slices.ContainsFunc(items[:i], func(o DisputeItem) bool { return o.ItemID == it.ItemID }) {
			return nil, nil, invalid(field+".id", fmt.Sprintf("item id %s is listed twice", it.ItemID))
		}
		if !it.Kind.Valid() {
			return nil, nil, invalid(field+".kind", fmt.Sprintf("unknown item kind %q", it.Kind))
		}
		creditor, err := cleanText(field+".creditor", it.Creditor, nameRule)
		if err != nil {
			return nil, nil, err
		}
		ref, err := cleanText(field+".accountReference", it.AccountReference, textRule{max: MaxReferenceLength})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, DisputeItemFiled{ItemID: it.ItemID, Kind: it.Kind})
		if creditor != "" || ref != "" {
			personal = append(personal, DisputeItemDetails{ItemID: it.ItemID, Creditor: creditor, AccountReference: ref})
		}
	}
	if personal == nil {
		return out, nil, nil
	}
	return out, &DisputeItemsDetails{Items: personal}, nil
}

// decideCreditDisputeOutcome resolves a dispute filed without items as a whole; a
// dispute with items is decided item by item (RecordDisputeItemOutcome).
func decideCreditDisputeOutcome(c Case, cmd RecordCreditDisputeOutcome, now time.Time) ([]Event, error) {
	if err := checkID("disputeId", cmd.DisputeID); err != nil {
		return nil, err
	}
	if !cmd.Outcome.Valid() {
		return nil, invalid("outcome", fmt.Sprintf("unknown dispute outcome %q", cmd.Outcome))
	}
	// A bureau that did not block everything must say why, so the survivor can
	// resubmit with better evidence.
	if cmd.Outcome != DisputeBlocked && cmd.ReasonCode == "" {
		return nil, invalid("reasonCode", fmt.Sprintf("a reason code is required when the outcome is %s", cmd.Outcome))
	}
	if err := checkOptionalCode("reasonCode", cmd.ReasonCode, "dispute reason"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	d, ok := c.Disputes[cmd.DisputeID]
	if !ok {
		return nil, invalid("disputeId", fmt.Sprintf("unknown dispute %s on this case", cmd.DisputeID))
	}
	if len(d.Items) > 0 {
		return nil, transition(fmt.Sprintf("dispute %s lists its items; record the outcome of each item instead", d.ID))
	}
	if d.Status != DisputeFiled {
		return nil, transition(fmt.Sprintf("dispute %s was already resolved (%s); file a new dispute to resubmit", d.ID, d.Outcome))
	}
	return one(CreditDisputeResolved{DisputeID: cmd.DisputeID, Outcome: cmd.Outcome, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

func decideDisputeItemOutcome(c Case, cmd RecordDisputeItemOutcome, now time.Time) ([]Event, error) {
	if err := checkID("disputeId", cmd.DisputeID); err != nil {
		return nil, err
	}
	if err := checkID("itemId", cmd.ItemID); err != nil {
		return nil, err
	}
	if cmd.Outcome != ItemBlocked && cmd.Outcome != ItemRefused {
		return nil, invalid("outcome", fmt.Sprintf("an item is decided %s or %s (got %q)", ItemBlocked, ItemRefused, cmd.Outcome))
	}
	if cmd.Outcome == ItemRefused && cmd.ReasonCode == "" {
		return nil, invalid("reasonCode", "a reason code is required when an item is refused, so it can be resubmitted with better evidence")
	}
	if err := checkOptionalCode("reasonCode", cmd.ReasonCode, "dispute reason"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	d, err := itemisedDispute(c, cmd.DisputeID, "record the outcome of the dispute as a whole")
	if err != nil {
		return nil, err
	}
	it, ok := d.Items[cmd.ItemID]
	if !ok {
		return nil, invalid("itemId", fmt.Sprintf("unknown item %s in dispute %s", cmd.ItemID, d.ID))
	}
	if it.Outcome != ItemPending {
		return nil, transition(fmt.Sprintf("item %s of dispute %s is already %s; only a refused item can be resubmitted", it.ItemID, d.ID, it.Outcome))
	}
	return one(CreditDisputeItemDecided{DisputeID: d.ID, ItemID: it.ItemID, Outcome: cmd.Outcome, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

func decideResubmitCreditDispute(c Case, cmd ResubmitCreditDispute, now time.Time) ([]Event, error) {
	if err := checkID("disputeId", cmd.DisputeID); err != nil {
		return nil, err
	}
	if len(cmd.ItemIDs) == 0 {
		return nil, invalid("itemIds", "name at least one refused item to resubmit")
	}
	for i, id := range cmd.ItemIDs {
		if err := checkID(fmt.Sprintf("itemIds[%d]", i), id); err != nil {
			return nil, err
		}
		if slices.Contains(cmd.ItemIDs[:i], id) {
			return nil, invalid("itemIds", fmt.Sprintf("item %s is listed twice", id))
		}
	}
	if err := checkList("evidence", cmd.Evidence, false); err != nil {
		return nil, err
	}
	if err := checkDueAt(cmd.DueAt, now); err != nil {
		return nil, err
	}
	d, err := itemisedDispute(c, cmd.DisputeID, "file a new dispute to resubmit")
	if err != nil {
		return nil, err
	}
	for _, id := range cmd.ItemIDs {
		if _, ok := d.Items[id]; !ok {
			return nil, invalid("itemIds", fmt.Sprintf("unknown item %s in dispute %s", id, d.ID))
		}
	}
	for _, id := range cmd.ItemIDs {
		if it := d.Items[id]; it.Outcome != ItemRefused {
			return nil, transition(fmt.Sprintf("only refused items can be resubmitted; item %s of dispute %s is %s", id, d.ID, it.Outcome))
		}
	}
	// Resubmitting sends the survivor's data to the bureau again.
	if _, err := requireConsent(c, "credit bureau", d.Bureau, PurposeCreditRepair, now); err != nil {
		return nil, err
	}
	return one(CreditDisputeResubmitted{DisputeID: d.ID, ItemIDs: cloneList(cmd.ItemIDs), Evidence: cloneList(cmd.Evidence), At: now, DueAt: cmd.DueAt})
}

// checkDueAt refuses a due date that is not after the filing: a clock that ran out
// before it started is a miscomputed one (a wrong calendar), not a deadline.
func checkDueAt(due, now time.Time) error {
	if !due.IsZero() && !due.After(now) {
		return invalid("dueAt", fmt.Sprintf("the due date %s is not after the filing time %s",
			due.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	return nil
}

// itemisedDispute finds a dispute filed with items; instead says what to do with one
// filed in the old form.
func itemisedDispute(c Case, id, instead string) (CreditDispute, error) {
	d, ok := c.Disputes[id]
	if !ok {
		return d, invalid("disputeId", fmt.Sprintf("unknown dispute %s on this case", id))
	}
	if len(d.Items) == 0 {
		return d, transition(fmt.Sprintf("dispute %s was filed without a list of items; %s", id, instead))
	}
	return d, nil
}

// ---- Evolve ------------------------------------------------------------------------

func evolveCreditReportObtained(c Case, e CreditReportObtained) Case {
	c.CreditReports = with(c.CreditReports, e.ReportID, CreditReport{ReportID: e.ReportID, Bureau: e.Bureau, ObtainedAt: e.At})
	return c
}

func evolveCreditDisputeFiled(c Case, e CreditDisputeFiled) Case {
	d := CreditDispute{ID: e.DisputeID, Bureau: e.Bureau, ItemCount: e.ItemCount,
		Evidence: cloneList(e.Evidence), Status: DisputeFiled, FiledAt: e.At, DueAt: e.DueAt}
	if len(e.Items) > 0 {
		d.Items = make(map[string]DisputeItemState, len(e.Items))
	}
	for _, it := range e.Items {
		d.Items[it.ItemID] = DisputeItemState{ItemID: it.ItemID, Kind: it.Kind, Outcome: ItemPending}
	}
	c.Disputes = with(c.Disputes, e.DisputeID, d)
	return c
}

func evolveCreditDisputeResolved(c Case, e CreditDisputeResolved) Case {
	if d, ok := c.Disputes[e.DisputeID]; ok {
		d.Status, d.Outcome, d.ReasonCode, d.ResolvedAt = DisputeResolved, e.Outcome, e.ReasonCode, e.At
		c.Disputes = with(c.Disputes, e.DisputeID, d)
	}
	return c
}

// evolveCreditDisputeItemDecided resolves the dispute once no item is pending.
func evolveCreditDisputeItemDecided(c Case, e CreditDisputeItemDecided) Case {
	d, ok := c.Disputes[e.DisputeID]
	it, known := d.Items[e.ItemID]
	if !ok || !known {
		return c
	}
	it.Outcome, it.ReasonCode = e.Outcome, e.ReasonCode
	d.Items = with(d.Items, e.ItemID, it)
	if outcome, decided := itemsOutcome(d.Items); decided {
		d.Status, d.Outcome, d.ResolvedAt = DisputeResolved, outcome, e.At
	}
	c.Disputes = with(c.Disputes, e.DisputeID, d)
	return c
}

// evolveCreditDisputeResubmitted files the dispute again: the resubmitted items are
// pending, the evidence added joins the rest.
func evolveCreditDisputeResubmitted(c Case, e CreditDisputeResubmitted) Case {
	d, ok := c.Disputes[e.DisputeID]
	if !ok {
		return c
	}
	items := maps.Clone(d.Items)
	for _, id := range e.ItemIDs {
		if it, known := items[id]; known {
			it.Outcome, it.ReasonCode = ItemPending, ""
			items[id] = it
		}
	}
	d.Items = items
	for _, k := range e.Evidence {
		if !slices.Contains(d.Evidence, k) {
			d.Evidence = append(slices.Clip(d.Evidence), k)
		}
	}
	d.Status, d.Outcome, d.ReasonCode, d.ResolvedAt = DisputeFiled, "", "", time.Time{}
	d.DueAt = e.DueAt // the clock restarts; an old resubmission without one leaves none
	d.Resubmissions++
	c.Disputes = with(c.Disputes, e.DisputeID, d)
	return c
}

// itemsOutcome derives a dispute's outcome from its items once none is pending:
// blocked if every item was blocked, refused if every one was refused, else
// partially blocked.
func itemsOutcome(items map[string]DisputeItemState) (DisputeOutcome, bool) {
	blocked, refused := 0, 0
	for _, it := range items {
		switch it.Outcome {
		case ItemBlocked:
			blocked++
		case ItemRefused:
			refused++
		default:
			return "", false
		}
	}
	switch {
	case len(items) == 0:
		return "", false
	case refused == 0:
		return DisputeBlocked, true
	case blocked == 0:
		return DisputeRefused, true
	}
	return DisputePartiallyBlocked, true
}
