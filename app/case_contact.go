package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// ContactRules say how the survivor may and may not be reached.
type ContactRules struct {
	Allowed   []domain.ContactChannel
	Forbidden []domain.ContactChannel
	Notes     string // personal, e.g. never by post to the old address
	SetAt     time.Time
}

// Contact returns the safe-contact rules (contact group), or nil until they are set;
// withNotes opens their notes.
func (c *Case) Contact(ctx context.Context, withNotes bool) (*ContactRules, error) {
	if err := c.authorize(ctx, access.GroupContact); err != nil {
		return nil, err
	}
	rules := c.v.State.ContactRules
	if rules == nil {
		return nil, nil
	}
	out := &ContactRules{Allowed: rules.Allowed, Forbidden: rules.Forbidden, SetAt: rules.SetAt}
	o, err := c.opener(ctx, access.GroupContact, withNotes)
	if err != nil || o == nil {
		return out, err
	}
	var details domain.ContactDetails
	if err := o.Open(ctx, c.v.Sealed[projections.SealedContact], &details); err != nil {
		return nil, err
	}
	out.Notes = details.Notes
	return out, nil
}
