package domain

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// Disputes decided item by item: the bureau blocks or refuses each item; once no item
// is pending the dispute is resolved with an outcome derived from its items (no extra
// event); refused items can be resubmitted, which files the dispute again.

type RecordDisputeItemOutcome struct {
	DisputeID  string
	ItemID     string
	Outcome    ItemOutcome   // blocked or refused
	ReasonCode DisputeReason // required when refused
	Reason     string        // optional text
}

type ResubmitCreditDispute struct {
	DisputeID string
	ItemIDs   []string       // refused items of the dispute
	Evidence  []EvidenceKind // evidence added for the resubmission (may be empty)
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
}

func (RecordDisputeItemOutcome) CommandType() string { return "RecordDisputeItemOutcome" }
func (ResubmitCreditDispute) CommandType() string    { return "ResubmitCreditDispute" }
func (CreditDisputeItemDecided) EventType() string   { return "CreditDisputeItemDecided" }
func (CreditDisputeResubmitted) EventType() string   { return "CreditDisputeResubmitted" }

// ---- Rules -------------------------------------------------------------------------

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
	return one(CreditDisputeResubmitted{DisputeID: d.ID, ItemIDs: cloneList(cmd.ItemIDs), Evidence: cloneList(cmd.Evidence), At: now})
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

// evolveCredit applies the credit-repair events (called by Evolve only).
func evolveCredit(c Case, e Event) Case {
	switch e := e.(type) {
	case CreditReportObtained:
		c.CreditReports = with(c.CreditReports, e.ReportID, CreditReport{ReportID: e.ReportID, Bureau: e.Bureau, ObtainedAt: e.At})
	case CreditDisputeFiled:
		d := CreditDispute{ID: e.DisputeID, Bureau: e.Bureau, ItemCount: e.ItemCount,
			Evidence: cloneList(e.Evidence), Status: DisputeFiled, FiledAt: e.At}
		if len(e.Items) > 0 {
			d.Items = make(map[string]DisputeItemState, len(e.Items))
		}
		for _, it := range e.Items {
			d.Items[it.ItemID] = DisputeItemState{ItemID: it.ItemID, Kind: it.Kind, Outcome: ItemPending}
		}
		c.Disputes = with(c.Disputes, e.DisputeID, d)
	case CreditDisputeItemDecided:
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
	case CreditDisputeResubmitted:
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
		d.Resubmissions++
		c.Disputes = with(c.Disputes, e.DisputeID, d)
	}
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
