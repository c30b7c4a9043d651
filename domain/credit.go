package domain

import (
	"fmt"
	"slices"
	"time"
)

// Credit repair per bureau and per item: a credit report is obtained from each
// bureau; a block/dispute request lists the trafficking-related or coerced items
// with its evidence; the bureau blocks or refuses each item; refused items can be
// resubmitted. This is the flow of the US Debt Bondage Repair Act rule, and it
// generalises to other jurisdictions. The per-item decisions are in disputeitems.go.

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

// ---- Commands and events -----------------------------------------------------------

type RecordCreditReportObtained struct {
	ReportID string
	Bureau   OrgRef
}

// CreditReportObtained: the survivor's credit report was obtained from a bureau.
type CreditReportObtained struct {
	ReportID string    `json:"reportId" waymark:"id"`
	Bureau   string    `json:"bureau" waymark:"id"`
	At       time.Time `json:"at"`
}

func (RecordCreditReportObtained) CommandType() string { return "RecordCreditReportObtained" }
func (CreditReportObtained) EventType() string         { return "CreditReportObtained" }

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
	if _, err := requireConsent(c, "credit bureau", cmd.Bureau.ID, PurposeCreditRepair, now); err != nil {
		return nil, err
	}
	return one(CreditDisputeFiled{
		DisputeID: cmd.DisputeID, Bureau: cmd.Bureau.ID, ItemCount: count,
		Items: items, Evidence: cloneList(cmd.Evidence), At: now, Personal: details,
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
