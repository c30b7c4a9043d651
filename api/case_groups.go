package api

import (
	"context"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// The Case field groups. Each group is built whole from the read model; personal data
// is opened per request through the application layer, which decides who may see it.

func journey(v *projections.CaseView) []graph.JourneyStep {
	out := make([]graph.JourneyStep, len(v.Journey))
	for i, s := range v.Journey {
		out[i] = graph.JourneyStep{
			Type: s.Type, At: s.At, Stage: toAPI[graph.Stage](s.Stage), Version: int(s.Version),
			Position: s.Position.String(), ActorOrganisation: optional(s.ActorOrganisation),
		}
	}
	return out
}

func (r *Resolver) identity(ctx context.Context, v *projections.CaseView) (*graph.CaseIdentity, error) {
	actor := actorFrom(ctx)
	if !r.svc.CanReadPersonal(actor, v) {
		return nil, app.ErrForbidden
	}
	var s domain.SurvivorDetails
	if err := r.svc.OpenPersonal(ctx, actor, v, v.Survivor, &s); err != nil {
		return nil, err
	}
	id := &graph.CaseIdentity{
		FullName: s.FullName, Aliases: s.Aliases, DateOfBirth: optional(s.DateOfBirth),
		Phone: optional(s.Phone), Email: optional(s.Email), Address: optional(s.Address),
		Documents: make([]graph.IDDocument, len(v.Documents)),
	}
	if id.Aliases == nil {
		id.Aliases = []string{}
	}
	for i, d := range v.Documents {
		var details domain.DocumentDetails
		if err := r.svc.OpenPersonal(ctx, actor, v, d.Number, &details); err != nil {
			return nil, err
		}
		id.Documents[i] = graph.IDDocument{
			ID: d.ID, Kind: toAPI[graph.DocumentKind](d.Kind), IssuingAuthority: d.IssuingAuthority,
			Status: toAPI[graph.DocumentStatus](d.Status), DocumentNumber: optional(details.DocumentNumber),
			Reason: optional(d.Reason), RequestedAt: d.RequestedAt, UpdatedAt: d.UpdatedAt,
		}
	}
	return id, nil
}

func (r *Resolver) consent(v *projections.CaseView) *graph.CaseConsent {
	now := r.svc.Now()
	out := &graph.CaseConsent{Grants: make([]graph.ConsentGrant, len(v.Grants))}
	for i, g := range v.Grants {
		out.Grants[i] = graph.ConsentGrant{
			ID: g.ID, Recipient: r.svc.OrganisationRef(g.Recipient),
			Categories: toAPIAll[graph.DataCategory](g.Categories), Purposes: toAPIAll[graph.Purpose](g.Purposes),
			GrantedAt: g.GrantedAt, ExpiresAt: g.ExpiresAt, WithdrawnAt: optionalTime(g.WithdrawnAt),
			InForce: g.InForce(now),
		}
	}
	return out
}

func (r *Resolver) banking(v *projections.CaseView) *graph.CaseBanking {
	out := &graph.CaseBanking{
		Referrals:    make([]graph.BankReferral, len(v.Referrals)),
		Applications: make([]graph.AccountApplication, len(v.Applications)),
	}
	for i, ref := range v.Referrals {
		out.Referrals[i] = graph.BankReferral{Bank: r.svc.OrganisationRef(ref.Bank), ReferredAt: ref.At}
	}
	for i, a := range v.Applications {
		out.Applications[i] = graph.AccountApplication{
			Bank: r.svc.OrganisationRef(a.Bank), Product: toAPI[graph.AccountProduct](a.Product),
			Status: toAPI[graph.ApplicationStatus](a.Status), Reason: optional(a.Reason),
			SubmittedAt: a.SubmittedAt, UpdatedAt: a.UpdatedAt,
		}
	}
	return out
}

func (r *Resolver) credit(v *projections.CaseView) *graph.CaseCredit {
	out := &graph.CaseCredit{Disputes: make([]graph.CreditDispute, len(v.Disputes))}
	for i, d := range v.Disputes {
		var outcome *graph.DisputeOutcome
		if d.Outcome != "" {
			o := toAPI[graph.DisputeOutcome](d.Outcome)
			outcome = &o
		}
		out.Disputes[i] = graph.CreditDispute{
			ID: d.ID, Bureau: r.svc.OrganisationRef(d.Bureau), ItemCount: d.ItemCount,
			Status: toAPI[graph.DisputeStatus](d.Status), Outcome: outcome, Reason: optional(d.Reason),
			FiledAt: d.FiledAt, ResolvedAt: optionalTime(d.ResolvedAt),
		}
	}
	return out
}

func (r *Resolver) notes(ctx context.Context, v *projections.CaseView) ([]graph.CaseNote, error) {
	actor := actorFrom(ctx)
	if !r.svc.CanReadPersonal(actor, v) {
		return nil, app.ErrForbidden
	}
	out := make([]graph.CaseNote, len(v.Notes))
	for i, n := range v.Notes {
		var details domain.NoteDetails
		if err := r.svc.OpenPersonal(ctx, actor, v, n.Text, &details); err != nil {
			return nil, err
		}
		out[i] = graph.CaseNote{ID: n.ID, Text: details.Text, AuthorOrganisation: optional(n.AuthorOrganisation), At: n.At}
	}
	return out, nil
}
