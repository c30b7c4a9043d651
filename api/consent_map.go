package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func consentToGraph(c *app.Consent) *graph.CaseConsent {
	out := &graph.CaseConsent{Grants: make([]graph.ConsentGrant, len(c.Grants))}
	for i, g := range c.Grants {
		out.Grants[i] = graph.ConsentGrant{
			ID: g.ID, Recipient: &g.Recipient, Categories: nonNil(g.Categories), Purposes: nonNil(g.Purposes),
			GrantedAt: g.GrantedAt, ExpiresAt: g.ExpiresAt, WithdrawnAt: optionalTime(g.WithdrawnAt), InForce: g.InForce,
		}
	}
	return out
}
