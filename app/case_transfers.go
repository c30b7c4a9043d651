package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// Transfer is a transfer of the case to another support organisation.
type Transfer struct {
	ID             string
	From, To       Organisation
	ToJurisdiction string
	ReasonCode     domain.TransferReason
	// Reason is the owner's text beside the code (personal): opened only when asked
	// for, for callers who may read the case's notes, as a closure's reason is.
	Reason            string
	Status            domain.TransferStatus
	RequestedAt       time.Time
	DeclineReasonCode domain.TransferDeclineReason
	DeclineReason     string    // the recipient's text (personal), as Reason
	DecidedAt         time.Time // zero while pending
	// Withheld: personal fields left empty for want of a stated reason.
	Withheld Withheld
}

// Transfer returns the transfer waiting for its recipient's answer (summary group),
// or nil when none; withReasons opens the texts.
func (c *Case) Transfer(ctx context.Context, withReasons bool) (*Transfer, error) {
	if err := c.authorize(ctx, access.GroupSummary); err != nil {
		return nil, err
	}
	p := c.v.State.PendingTransfer
	if p == nil || !c.sees(p.To) {
		return nil, nil
	}
	all, err := c.transfers(ctx, withReasons, func(t projections.TransferView) bool { return t.ID == p.ID })
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return &all[0], nil
}

// Transfers lists every transfer of the case, oldest first (summary group);
// withReasons opens the texts. A bank does not see another organisation's transfers,
// as in the journey.
func (c *Case) Transfers(ctx context.Context, withReasons bool) ([]Transfer, error) {
	if err := c.authorize(ctx, access.GroupSummary); err != nil {
		return nil, err
	}
	return c.transfers(ctx, withReasons, func(projections.TransferView) bool { return true })
}

func (c *Case) transfers(ctx context.Context, withReasons bool, keep func(projections.TransferView) bool) ([]Transfer, error) {
	notes, err := c.notesOpener(ctx, withReasons)
	if err != nil {
		return nil, err
	}
	out := []Transfer{}
	for _, t := range c.v.Transfers {
		if !keep(t) || !c.sees(t.To) {
			continue
		}
		tr := Transfer{ID: t.ID, From: c.org(t.From), To: c.org(t.To), ToJurisdiction: t.ToJurisdiction, ReasonCode: t.ReasonCode,
			Status: t.Status, RequestedAt: t.RequestedAt, DeclineReasonCode: t.DeclineReasonCode, DecidedAt: t.DecidedAt}
		tr.Reason, err = text(ctx, notes, t.Reason)
		if err := withhold(&tr.Withheld, "Reason", err); err != nil {
			return nil, err
		}
		tr.DeclineReason, err = text(ctx, notes, t.DeclineReason)
		if err := withhold(&tr.Withheld, "DeclineReason", err); err != nil {
			return nil, err
		}
		out = append(out, tr)
	}
	return out, nil
}
