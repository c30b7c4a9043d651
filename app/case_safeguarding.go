package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// SafeguardingConcern is a concern about the survivor's safety between the case's
// organisation and one bank; only those two see it.
type SafeguardingConcern struct {
	ID             string
	RaisedBy       Organisation
	Bank           Organisation
	Category       domain.ConcernCategory
	Status         domain.ConcernStatus
	Details        string // personal: what was observed
	RaisedAt       time.Time
	AcknowledgedAt time.Time
	ResolvedAt     time.Time
	Resolution     domain.ConcernResolution
	ResolutionText string // personal: what was done
}

// SealedSafeguarding says which sealed parts of the concerns the caller asked for.
type SealedSafeguarding struct {
	Details     bool
	Resolutions bool
}

// Safeguarding lists the concerns the caller may see, oldest first (safeguarding
// group): a bank's staff see only those involving their bank.
func (c *Case) Safeguarding(ctx context.Context, sealed SealedSafeguarding) ([]SafeguardingConcern, error) {
	if err := c.authorize(ctx, access.GroupSafeguarding); err != nil {
		return nil, err
	}
	o, err := c.opener(ctx, access.GroupSafeguarding, sealed.Details || sealed.Resolutions)
	if err != nil {
		return nil, err
	}
	out := []SafeguardingConcern{}
	for _, k := range sortedBy(c.v.State.Concerns, func(x domain.SafeguardingConcern) time.Time { return x.RaisedAt }, func(x domain.SafeguardingConcern) string { return x.ConcernID }) {
		if !c.sees(k.Bank) {
			continue
		}
		concern := SafeguardingConcern{
			ID: k.ConcernID, RaisedBy: c.org(k.RaisedBy), Bank: c.org(k.Bank), Category: k.Category, Status: k.Status,
			RaisedAt: k.RaisedAt, AcknowledgedAt: k.AcknowledgedAt, ResolvedAt: k.ResolvedAt, Resolution: k.Resolution,
		}
		if sealed.Resolutions {
			if concern.ResolutionText, err = text(ctx, o, c.v.Sealed[projections.SealedResolution(k.ConcernID)]); err != nil {
				return nil, err
			}
		}
		if sealed.Details {
			var details domain.ConcernDetails
			if err := open(ctx, o, c.v.Sealed[projections.SealedConcern(k.ConcernID)], &details); err != nil {
				return nil, err
			}
			concern.Details = details.Details
		}
		out = append(out, concern)
	}
	return out, nil
}
