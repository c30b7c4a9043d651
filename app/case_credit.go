package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// Credit is the case's credit group as the caller may see it: a bureau's staff see
// only their own bureau's reports and disputes.
type Credit struct {
	Reports  []CreditReport  // oldest first
	Disputes []CreditDispute // oldest first
}

// SealedCredit says which sealed parts of the credit group the caller asked for.
type SealedCredit struct {
	Items          bool // the creditor and account reference of each disputed item
	ItemReasons    bool // the text beside a refused item's code
	DisputeReasons bool // the text beside a dispute's code
}

// CreditReport is a credit report obtained from a bureau.
type CreditReport struct {
	ID         string
	Bureau     Organisation
	ObtainedAt time.Time
}

// CreditDispute is one block/dispute request to a bureau. The domain derives an
// itemised dispute's status and outcome from its items.
type CreditDispute struct {
	ID            string
	Bureau        Organisation
	ItemCount     int
	Status        domain.DisputeStatus
	Outcome       domain.DisputeOutcome // "" until resolved
	ReasonCode    domain.DisputeReason  // why a dispute resolved as a whole was not blocked
	Reason        string                // personal: the text beside ReasonCode
	FiledAt       time.Time
	ResolvedAt    time.Time
	Items         []DisputeItem // by id; empty for a dispute filed with a count only
	Evidence      []domain.EvidenceKind
	Resubmissions int
	DueAt         time.Time // the statutory due date; zero: no statutory clock
	Overdue       bool      // due date passed with an item (or the whole) still pending
	// Withheld: personal fields left empty for want of a stated reason.
	Withheld Withheld
}

// DisputeItem is one disputed entry of a credit report.
type DisputeItem struct {
	ID               string
	Kind             domain.ItemKind
	Outcome          domain.ItemOutcome
	ReasonCode       domain.DisputeReason
	Reason           string // personal: the text beside ReasonCode
	Creditor         string // personal
	AccountReference string // personal
	// Withheld: personal fields left empty for want of a stated reason.
	Withheld Withheld
}

// Credit returns the case's credit repair (credit group); sealed says which of its
// personal parts to open.
func (c *Case) Credit(ctx context.Context, sealed SealedCredit) (*Credit, error) {
	if err := c.authorize(ctx, access.GroupCredit); err != nil {
		return nil, err
	}
	o, err := c.opener(ctx, access.GroupCredit, sealed.Items || sealed.ItemReasons || sealed.DisputeReasons)
	if err != nil {
		return nil, err
	}
	state := c.v.State
	out := &Credit{Reports: []CreditReport{}, Disputes: []CreditDispute{}}
	for _, r := range sortedBy(state.CreditReports, func(x domain.CreditReport) time.Time { return x.ObtainedAt }, func(x domain.CreditReport) string { return x.ReportID }) {
		if c.sees(r.Bureau) {
			out.Reports = append(out.Reports, CreditReport{ID: r.ReportID, Bureau: c.org(r.Bureau), ObtainedAt: r.ObtainedAt})
		}
	}
	for _, d := range sortedBy(state.Disputes, func(d domain.CreditDispute) time.Time { return d.FiledAt }, func(d domain.CreditDispute) string { return d.ID }) {
		if !c.sees(d.Bureau) {
			continue
		}
		dispute, err := c.dispute(ctx, o, sealed, d)
		if err != nil {
			return nil, err
		}
		out.Disputes = append(out.Disputes, dispute)
	}
	return out, nil
}

func (c *Case) dispute(ctx context.Context, o *Opener, sealed SealedCredit, d domain.CreditDispute) (CreditDispute, error) {
	out := CreditDispute{
		ID: d.ID, Bureau: c.org(d.Bureau), ItemCount: d.ItemCount, Status: d.Status, Outcome: d.Outcome,
		ReasonCode: d.ReasonCode, FiledAt: d.FiledAt, ResolvedAt: d.ResolvedAt, Items: []DisputeItem{},
		Evidence: d.Evidence, Resubmissions: d.Resubmissions, DueAt: d.DueAt, Overdue: d.Overdue(c.s.Now()),
	}
	var err error
	if sealed.DisputeReasons {
		out.Reason, err = text(ctx, o, c.v.Sealed[projections.SealedDisputeReason(d.ID)])
		if err := withhold(&out.Withheld, "Reason", err); err != nil {
			return CreditDispute{}, err
		}
	}
	details := map[string]domain.DisputeItemDetails{}
	var itemsWithheld Withheld // the items' creditors and references are sealed together
	if sealed.Items {
		var items domain.DisputeItemsDetails
		err := open(ctx, o, c.v.Sealed[projections.SealedDispute(d.ID)], &items)
		if err := withhold(&itemsWithheld, "Creditor", err); err != nil {
			return CreditDispute{}, err
		}
		for _, it := range items.Items {
			details[it.ItemID] = it
		}
	}
	for _, it := range sortedBy(d.Items, func(domain.DisputeItemState) time.Time { return time.Time{} }, func(x domain.DisputeItemState) string { return x.ItemID }) {
		item := DisputeItem{ID: it.ItemID, Kind: it.Kind, Outcome: it.Outcome, ReasonCode: it.ReasonCode}
		if det, ok := details[it.ItemID]; ok {
			item.Creditor, item.AccountReference = det.Creditor, det.AccountReference
		}
		if itemsWithheld.Has("Creditor") {
			item.Withheld = Withheld{"Creditor", "AccountReference"}
		}
		if sealed.ItemReasons {
			item.Reason, err = text(ctx, o, c.v.Sealed[projections.SealedItemReason(d.ID, it.ItemID)])
			if err := withhold(&item.Withheld, "Reason", err); err != nil {
				return CreditDispute{}, err
			}
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}
