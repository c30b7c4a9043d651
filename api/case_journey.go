package api

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// The later journey's field groups (Step 3): offers, due-diligence packs,
// safeguarding, safe contact, credit reports and items, barriers over time. They are
// built from the domain's own state in the read model; their personal parts are
// opened per request, only when asked for, after the access is recorded.

// sortedBy returns m's values ordered by key(v), then id(v): map order never shows.
func sortedBy[V any](m map[string]V, at func(V) time.Time, id func(V) string) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b V) int {
		if c := at(a).Compare(at(b)); c != 0 {
			return c
		}
		return strings.Compare(id(a), id(b))
	})
	return out
}

// opener opens a group's personal parts when wanted; erased cases give none.
func (r *Resolver) opener(ctx context.Context, v *projections.CaseView, group access.Group, wanted bool) (*app.Opener, error) {
	if !wanted {
		return nil, nil
	}
	o, err := r.svc.OpenGroup(ctx, actorFrom(ctx), v, group)
	if errors.Is(err, app.ErrErased) || errors.Is(err, app.ErrForbidden) {
		// The group is readable, its sealed parts are not (an auditor without a
		// reason, or erased data): those fields stay null.
		return nil, nil
	}
	return o, err
}

func (r *Resolver) offersAndPacks(ctx context.Context, v *projections.CaseView, out *graph.CaseBanking) error {
	actor, c := actorFrom(ctx), v.State
	out.Offers, out.DueDiligencePacks = []graph.BankOffer{}, []graph.DueDiligencePack{}
	for _, o := range sortedBy(c.Offers, func(o domain.BankOffer) time.Time { return o.MadeAt }, func(o domain.BankOffer) string { return o.OfferID }) {
		if !access.EntryVisible(actor, o.Bank) {
			continue
		}
		out.Offers = append(out.Offers, graph.BankOffer{
			ID: o.OfferID, Bank: r.svc.OrganisationRef(o.Bank), Product: toAPI[graph.AccountProduct](o.Product),
			MonthlyFee: &graph.Money{Currency: o.MonthlyFee.Currency, Amount: o.MonthlyFee.Amount()}, AcceptedDocuments: toAPIAll[graph.DocumentKind](o.AcceptedDocuments),
			AcceptsAlternativePack: o.AcceptsAlternativePack, Status: toAPI[graph.OfferStatus](o.Status), MadeAt: o.MadeAt,
		})
	}
	if c.ChosenOffer != "" && access.EntryVisible(actor, c.Offers[c.ChosenOffer].Bank) {
		out.ChosenOfferID = optional(c.ChosenOffer)
	}
	out.DeclinedAllOffers = c.DeclinedAllOffers
	if c.DeclinedAllOffers {
		out.DeclineReasonCode = optionalEnum[graph.DeclineReason](c.DeclineReasonCode)
		// The survivor's side wrote why she declined every bank: it goes with the notes.
		notes, err := r.notesOpener(ctx, v, requested(ctx, "declineReason"))
		if err != nil {
			return err
		}
		if out.DeclineReason, err = openText(ctx, notes, v.Sealed[projections.SealedDeclineAll]); err != nil {
			return err
		}
	}
	opener, err := r.opener(ctx, v, access.GroupBanking,
		requested(ctx, "dueDiligencePacks", "staffName") || requested(ctx, "dueDiligencePacks", "reason"))
	if err != nil {
		return err
	}
	for _, p := range sortedBy(c.Packs, func(p domain.DueDiligencePack) time.Time { return p.ProvidedAt }, func(p domain.DueDiligencePack) string { return p.PackID }) {
		if !access.EntryVisible(actor, p.Bank) {
			continue
		}
		pack := graph.DueDiligencePack{
			ID: p.PackID, Bank: r.svc.OrganisationRef(p.Bank), SignedLetter: p.SignedLetter, AccompaniedVisit: p.AccompaniedVisit,
			CorrespondenceAddress: p.CorrespondenceAddress, Status: toAPI[graph.PackStatus](p.Decision),
			ReasonCode: optionalEnum[graph.PackRejectionReason](p.ReasonCode), ProvidedAt: p.ProvidedAt, DecidedAt: optionalTime(&p.DecidedAt),
		}
		if opener != nil {
			var staff domain.StaffDetails
			if err := opener.Open(ctx, v.Sealed[projections.SealedPack(p.PackID)], &staff); err != nil {
				return err
			}
			pack.StaffName = optional(staff.StaffName)
		}
		if pack.Reason, err = openText(ctx, opener, v.Sealed[projections.SealedPackRejection(p.PackID)]); err != nil {
			return err
		}
		out.DueDiligencePacks = append(out.DueDiligencePacks, pack)
	}
	return nil
}

func (r *Resolver) creditDetails(ctx context.Context, v *projections.CaseView, out *graph.CaseCredit) error {
	actor, c := actorFrom(ctx), v.State
	out.Reports = []graph.CreditReport{}
	for _, rep := range sortedBy(c.CreditReports, func(x domain.CreditReport) time.Time { return x.ObtainedAt }, func(x domain.CreditReport) string { return x.ReportID }) {
		if access.EntryVisible(actor, rep.Bureau) {
			out.Reports = append(out.Reports, graph.CreditReport{ID: rep.ReportID, Bureau: r.svc.OrganisationRef(rep.Bureau), ObtainedAt: rep.ObtainedAt})
		}
	}
	wanted := requested(ctx, "disputes", "items", "creditor") || requested(ctx, "disputes", "items", "accountReference") ||
		requested(ctx, "disputes", "items", "reason") || requested(ctx, "disputes", "reason")
	opener, err := r.opener(ctx, v, access.GroupCredit, wanted)
	if err != nil {
		return err
	}
	for i := range out.Disputes {
		d := &out.Disputes[i]
		state := c.Disputes[d.ID]
		d.Evidence, d.Resubmissions, d.Items = toAPIAll[graph.EvidenceKind](state.Evidence), state.Resubmissions, []graph.DisputeItem{}
		// The domain derives an itemised dispute's status and outcome from its items.
		d.Status, d.ReasonCode, d.ResolvedAt = toAPI[graph.DisputeStatus](state.Status), optionalEnum[graph.DisputeReason](state.ReasonCode), optionalTime(&state.ResolvedAt)
		var err error
		if d.Reason, err = openText(ctx, opener, v.Sealed[projections.SealedDisputeReason(d.ID)]); err != nil {
			return err
		}
		d.Outcome = nil
		if state.Outcome != "" {
			o := toAPI[graph.DisputeOutcome](state.Outcome)
			d.Outcome = &o
		}
		details := map[string]domain.DisputeItemDetails{}
		if opener != nil {
			var sealed domain.DisputeItemsDetails
			if err := opener.Open(ctx, v.Sealed[projections.SealedDispute(d.ID)], &sealed); err != nil {
				return err
			}
			for _, it := range sealed.Items {
				details[it.ItemID] = it
			}
		}
		for _, it := range sortedBy(state.Items, func(domain.DisputeItemState) time.Time { return time.Time{} }, func(x domain.DisputeItemState) string { return x.ItemID }) {
			item := graph.DisputeItem{ID: it.ItemID, Kind: toAPI[graph.ItemKind](it.Kind), Outcome: toAPI[graph.ItemOutcome](it.Outcome),
				ReasonCode: optionalEnum[graph.DisputeReason](it.ReasonCode)}
			if det, ok := details[it.ItemID]; ok {
				item.Creditor, item.AccountReference = optional(det.Creditor), optional(det.AccountReference)
			}
			if item.Reason, err = openText(ctx, opener, v.Sealed[projections.SealedItemReason(d.ID, it.ItemID)]); err != nil {
				return err
			}
			d.Items = append(d.Items, item)
		}
	}
	return nil
}

func (r *Resolver) safeguarding(ctx context.Context, v *projections.CaseView) ([]graph.SafeguardingConcern, error) {
	actor, c := actorFrom(ctx), v.State
	opener, err := r.opener(ctx, v, access.GroupSafeguarding, requested(ctx, "details") || requested(ctx, "resolutionText"))
	if err != nil {
		return nil, err
	}
	out := []graph.SafeguardingConcern{}
	for _, k := range sortedBy(c.Concerns, func(x domain.SafeguardingConcern) time.Time { return x.RaisedAt }, func(x domain.SafeguardingConcern) string { return x.ConcernID }) {
		if !access.EntryVisible(actor, k.Bank) {
			continue
		}
		concern := graph.SafeguardingConcern{
			ID: k.ConcernID, RaisedBy: r.svc.OrganisationRef(k.RaisedBy), Bank: r.svc.OrganisationRef(k.Bank),
			Category: toAPI[graph.ConcernCategory](k.Category), Status: toAPI[graph.ConcernStatus](k.Status),
			RaisedAt: k.RaisedAt, AcknowledgedAt: optionalTime(&k.AcknowledgedAt), ResolvedAt: optionalTime(&k.ResolvedAt),
			Resolution: optionalEnum[graph.ConcernResolution](k.Resolution),
		}
		if concern.ResolutionText, err = openText(ctx, opener, v.Sealed[projections.SealedResolution(k.ConcernID)]); err != nil {
			return nil, err
		}
		if opener != nil {
			var details domain.ConcernDetails
			if err := opener.Open(ctx, v.Sealed[projections.SealedConcern(k.ConcernID)], &details); err != nil {
				return nil, err
			}
			concern.Details = optional(details.Details)
		}
		out = append(out, concern)
	}
	return out, nil
}

func (r *Resolver) contact(ctx context.Context, v *projections.CaseView) (*graph.SafeContactRules, error) {
	rules := v.State.ContactRules
	if rules == nil {
		return nil, nil
	}
	out := &graph.SafeContactRules{
		Allowed: toAPIAll[graph.ContactChannel](rules.Allowed), Forbidden: toAPIAll[graph.ContactChannel](rules.Forbidden), SetAt: rules.SetAt,
	}
	opener, err := r.opener(ctx, v, access.GroupContact, requested(ctx, "notes"))
	if err != nil || opener == nil {
		return out, err
	}
	var details domain.ContactDetails
	if err := opener.Open(ctx, v.Sealed[projections.SealedContact], &details); err != nil {
		return nil, err
	}
	out.Notes = optional(details.Notes)
	return out, nil
}

func barrierHistory(v *projections.CaseView) []graph.BarrierSpan {
	out := []graph.BarrierSpan{}
	for _, b := range domain.AllBarrier() {
		if span, ok := v.State.BarrierHistory[b]; ok {
			out = append(out, graph.BarrierSpan{Barrier: toAPI[graph.Barrier](b), IdentifiedAt: span.IdentifiedAt, ResolvedAt: optionalTime(&span.ResolvedAt)})
		}
	}
	return out
}

func needHistory(v *projections.CaseView) []graph.NeedSpan {
	out := []graph.NeedSpan{}
	for _, n := range domain.AllNeed() {
		if span, ok := v.State.NeedHistory[n]; ok {
			out = append(out, graph.NeedSpan{Need: toAPI[graph.Need](n), IdentifiedAt: span.IdentifiedAt, MetAt: optionalTime(&span.ResolvedAt)})
		}
	}
	return out
}

// openText opens the sealed text beside a reason code (nil when there is none, or
// when opener is nil: the text was not asked for or may not be read).
func openText(ctx context.Context, opener *app.Opener, p codec.Personal) (*string, error) {
	if opener == nil || p.IsZero() {
		return nil, nil
	}
	var details domain.ReasonDetails
	if err := opener.Open(ctx, p, &details); err != nil {
		return nil, err
	}
	return optional(details.Text), nil
}

// notesOpener opens the caseworker's own texts that go with the notes (closure and
// reopening reasons, why the survivor declined every offer): for callers who may read
// the notes, when asked for; nil otherwise.
func (r *Resolver) notesOpener(ctx context.Context, v *projections.CaseView, wanted bool) (*app.Opener, error) {
	if !wanted || r.svc.AuthorizeRead(ctx, actorFrom(ctx), v, access.GroupNotes) != nil {
		return nil, nil
	}
	return r.opener(ctx, v, access.GroupNotes, true)
}
