package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// groupDirective is the one place a Case field is authorised: every field carries the
// sensitivity group it belongs to (@group in schema.graphql), and access decides
// per group. A field the caller may not read is null with its error.
func (r *Resolver) groupDirective(ctx context.Context, obj any, next graphql.Resolver, name graph.FieldGroup) (any, error) {
	v, ok := obj.(*projections.CaseView)
	if !ok {
		return nil, fmt.Errorf("@group on %T: %w", obj, errInternal)
	}
	if err := r.svc.AuthorizeRead(ctx, actorFrom(ctx), v, toDomain[access.Group](name)); err != nil {
		return nil, err
	}
	return next(ctx)
}

// The Case field groups. Each is built whole from the read model; entries of other
// banks and bureaus are left out for bank and bureau staff; personal data is opened
// per request through the application layer, which records the access first.

// journey lists the case's steps; a bank or bureau sees the steps that concern it and
// the general ones, never another bank's or bureau's.
func journey(ctx context.Context, v *projections.CaseView) []graph.JourneyStep {
	actor := actorFrom(ctx)
	out := make([]graph.JourneyStep, 0, len(v.Journey))
	for _, s := range v.Journey {
		if s.Party != "" && !access.EntryVisible(actor, s.Party) {
			continue
		}
		actorOrg := s.ActorOrganisation
		if actorOrg != v.OwningOrganisation() && !access.EntryVisible(actor, actorOrg) {
			actorOrg = "" // another bank or bureau did it
		}
		out = append(out, graph.JourneyStep{
			Type: s.Type, At: s.At, Stage: toAPI[graph.Stage](s.Stage), Version: int(s.Version),
			Position: s.Position.String(), ActorOrganisation: optional(actorOrg),
		})
	}
	return out
}

func (r *Resolver) identity(ctx context.Context, v *projections.CaseView) (*graph.CaseIdentity, error) {
	docs := sortedBy(v.State.Documents, func(d domain.IDDocument) time.Time { return d.RequestedAt }, func(d domain.IDDocument) string { return d.ID })
	id := &graph.CaseIdentity{Aliases: []string{}, Documents: make([]graph.IDDocument, len(docs))}
	for i, d := range docs {
		id.Documents[i] = graph.IDDocument{
			ID: d.ID, Kind: toAPI[graph.DocumentKind](d.Kind),
			Status: toAPI[graph.DocumentStatus](d.Status), ReasonCode: optionalEnum[graph.RefusalReason](d.ReasonCode),
			RequestedAt: d.RequestedAt, UpdatedAt: d.UpdatedAt,
		}
		if d.IssuingOrganisation != "" {
			org := r.svc.OrganisationRef(d.IssuingOrganisation)
			id.Documents[i].IssuingOrganisation, id.Documents[i].IssuingAuthority = org, optional(org.Name)
		}
	}
	id.Erased = v.State.Erased
	wanted := requested(ctx, "documents", "documentNumber") || requested(ctx, "documents", "reason") ||
		requested(ctx, "documents", "issuingAuthority")
	for _, f := range []string{"fullName", "aliases", "dateOfBirth", "phone", "email", "address"} {
		wanted = wanted || requested(ctx, f)
	}
	if id.Erased || !wanted {
		return id, nil // nothing personal to open (or nothing left): no access to record
	}
	opener, err := r.svc.OpenGroup(ctx, actorFrom(ctx), v, access.GroupIdentity)
	if errors.Is(err, app.ErrErased) {
		id.Erased = true
		return id, nil
	}
	if err != nil {
		return nil, err
	}
	var s domain.SurvivorDetails
	if err := opener.Open(ctx, v.Survivor, &s); err != nil {
		return nil, err
	}
	id.FullName, id.DateOfBirth = optional(s.FullName), optional(s.DateOfBirth)
	id.Phone, id.Email, id.Address = optional(s.Phone), optional(s.Email), optional(s.Address)
	if s.Aliases != nil {
		id.Aliases = s.Aliases
	}
	for i, d := range docs {
		var details domain.DocumentDetails
		if err := opener.Open(ctx, v.Sealed[projections.SealedDocument(d.ID)], &details); err != nil {
			return nil, err
		}
		id.Documents[i].DocumentNumber = optional(details.DocumentNumber)
		var authority domain.AuthorityDetails
		if err := opener.Open(ctx, v.Sealed[projections.SealedAuthority(d.ID)], &authority); err != nil {
			return nil, err
		}
		if authority.IssuingAuthority != "" {
			id.Documents[i].IssuingAuthority = optional(authority.IssuingAuthority)
		}
		if id.Documents[i].Reason, err = openText(ctx, opener, v.Sealed[projections.SealedRefusal(d.ID)]); err != nil {
			return nil, err
		}
	}
	return id, nil
}

func (r *Resolver) consent(ctx context.Context, v *projections.CaseView) *graph.CaseConsent {
	now := r.svc.Now()
	grants := sortedBy(v.State.Grants, func(g domain.ConsentGrant) time.Time { return g.GrantedAt }, func(g domain.ConsentGrant) string { return g.ID })
	out := &graph.CaseConsent{Grants: make([]graph.ConsentGrant, len(grants))}
	for i, g := range grants {
		out.Grants[i] = graph.ConsentGrant{
			ID: g.ID, Recipient: r.svc.OrganisationRef(g.Recipient),
			Categories: toAPIAll[graph.DataCategory](g.Categories), Purposes: toAPIAll[graph.Purpose](g.Purposes),
			GrantedAt: g.GrantedAt, ExpiresAt: g.ExpiresAt, WithdrawnAt: optionalTime(&g.WithdrawnAt),
			InForce: g.InForce(now),
		}
	}
	return out
}

func (r *Resolver) banking(ctx context.Context, v *projections.CaseView) (*graph.CaseBanking, error) {
	actor, c := actorFrom(ctx), v.State
	out := &graph.CaseBanking{Referrals: []graph.BankReferral{}, Applications: []graph.AccountApplication{}}
	for _, ref := range sortedBy(c.BankReferrals, func(b domain.BankReferral) time.Time { return b.At }, func(b domain.BankReferral) string { return b.Bank }) {
		if access.EntryVisible(actor, ref.Bank) {
			out.Referrals = append(out.Referrals, graph.BankReferral{Bank: r.svc.OrganisationRef(ref.Bank), ReferredAt: ref.At})
		}
	}
	opener, err := r.opener(ctx, v, access.GroupBanking, requested(ctx, "applications", "reason"))
	if err != nil {
		return nil, err
	}
	for _, a := range sortedBy(c.Applications, func(a domain.AccountApplication) time.Time { return a.SubmittedAt }, func(a domain.AccountApplication) string { return a.Bank }) {
		if access.EntryVisible(actor, a.Bank) {
			app := graph.AccountApplication{
				Bank: r.svc.OrganisationRef(a.Bank), Product: toAPI[graph.AccountProduct](a.Product),
				Status: toAPI[graph.ApplicationStatus](a.Status), ReasonCode: optionalEnum[graph.AccountDeclineReason](a.ReasonCode),
				SubmittedAt: a.SubmittedAt, UpdatedAt: a.UpdatedAt,
			}
			if app.Reason, err = openText(ctx, opener, v.Sealed[projections.SealedApplicationDecline(a.Bank)]); err != nil {
				return nil, err
			}
			out.Applications = append(out.Applications, app)
		}
	}
	if err := r.offersAndPacks(ctx, v, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Resolver) credit(ctx context.Context, v *projections.CaseView) (*graph.CaseCredit, error) {
	actor := actorFrom(ctx)
	out := &graph.CaseCredit{Disputes: []graph.CreditDispute{}}
	for _, d := range sortedBy(v.State.Disputes, func(d domain.CreditDispute) time.Time { return d.FiledAt }, func(d domain.CreditDispute) string { return d.ID }) {
		if access.EntryVisible(actor, d.Bureau) {
			out.Disputes = append(out.Disputes, graph.CreditDispute{
				ID: d.ID, Bureau: r.svc.OrganisationRef(d.Bureau), ItemCount: d.ItemCount, FiledAt: d.FiledAt,
			})
		}
	}
	if err := r.creditDetails(ctx, v, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Resolver) notes(ctx context.Context, v *projections.CaseView) ([]graph.CaseNote, error) {
	out := make([]graph.CaseNote, len(v.Notes))
	for i, n := range v.Notes {
		out[i] = graph.CaseNote{ID: n.ID, AuthorOrganisation: optional(n.AuthorOrganisation), At: n.At}
	}
	if v.State.Erased || !requested(ctx, "text") {
		return out, nil
	}
	opener, err := r.svc.OpenGroup(ctx, actorFrom(ctx), v, access.GroupNotes)
	if errors.Is(err, app.ErrErased) {
		return out, nil // the notes stay listed; their text is gone
	}
	if err != nil {
		return nil, err
	}
	for i, n := range v.Notes {
		var details domain.NoteDetails
		if err := opener.Open(ctx, n.Text, &details); err != nil {
			return nil, err
		}
		out[i].Text = optional(details.Text)
	}
	return out, nil
}

func (r *Resolver) accessLog(ctx context.Context, caseID string) ([]graph.AccessLogEntry, error) {
	entries, err := r.svc.AccessLog(ctx, actorFrom(ctx), caseID)
	if err != nil {
		return nil, err
	}
	out := make([]graph.AccessLogEntry, len(entries))
	for i, e := range entries {
		out[i] = graph.AccessLogEntry{
			At: e.At, Actor: e.Actor, Role: e.Role, Organisation: optional(e.Organisation),
			Groups: toAPIAll[graph.FieldGroup](e.Groups), Reason: optional(e.Reason),
			BreakGlass: e.BreakGlass, RequestID: optional(e.RequestID),
		}
	}
	return out, nil
}

// reopenings lists when the case was reopened and why; the text goes with the notes.
func (r *Resolver) reopenings(ctx context.Context, v *projections.CaseView) ([]graph.Reopening, error) {
	notes, err := r.notesOpener(ctx, v, requested(ctx, "reason"))
	if err != nil {
		return nil, err
	}
	out := make([]graph.Reopening, len(v.Reopenings))
	for i, ro := range v.Reopenings {
		out[i] = graph.Reopening{ReasonCode: toAPI[graph.ReopenReason](ro.ReasonCode), At: ro.At}
		if out[i].Reason, err = openText(ctx, notes, ro.Reason); err != nil {
			return nil, err
		}
	}
	return out, nil
}
