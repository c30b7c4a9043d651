package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// Consent is the case's consent grants, oldest first.
type Consent struct {
	Grants []ConsentGrant
}

// ConsentGrant lets one organisation receive some categories of the survivor's data
// for some purposes until it expires or is withdrawn.
type ConsentGrant struct {
	ID          string
	Recipient   Organisation
	Categories  []domain.DataCategory
	Purposes    []domain.Purpose
	GrantedAt   time.Time
	ExpiresAt   time.Time
	WithdrawnAt time.Time // zero unless withdrawn
	InForce     bool      // now, by the service's clock
}

// Consent returns every grant ever made (consent group), withdrawn and expired ones
// included.
func (c *Case) Consent(ctx context.Context) (*Consent, error) {
	if err := c.authorize(ctx, access.GroupConsent); err != nil {
		return nil, err
	}
	now := c.s.Now()
	grants := sortedBy(c.v.State.Grants, func(g domain.ConsentGrant) time.Time { return g.GrantedAt }, func(g domain.ConsentGrant) string { return g.ID })
	out := &Consent{Grants: make([]ConsentGrant, len(grants))}
	for i, g := range grants {
		out.Grants[i] = ConsentGrant{
			ID: g.ID, Recipient: c.org(g.Recipient), Categories: g.Categories, Purposes: g.Purposes,
			GrantedAt: g.GrantedAt, ExpiresAt: g.ExpiresAt, WithdrawnAt: g.WithdrawnAt, InForce: g.InForce(now),
		}
	}
	return out, nil
}
