package projections

import (
	"fmt"
	"slices"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
)

// apply changes v (a fresh copy) for one event of its stream.
func (v *CaseView) apply(env Envelope) error {
	rec := env.Record
	if rec.Revision != v.State.Version {
		return fmt.Errorf("case %s: got revision %d, expected %d", v.ID, rec.Revision, v.State.Version)
	}
	v.State = domain.Evolve(v.State, env.Event)
	v.Position = rec.Position
	v.UpdatedAt = rec.Metadata.RecordedAt

	switch e := env.Event.(type) {
	case domain.SurvivorReferred:
		v.OwningOrganisation = e.ReferringOrganisation
		v.Jurisdiction = e.Jurisdiction
		v.ReferredAt = e.At
		v.Survivor = env.Extras.Personal
	case domain.ConsentGranted:
		v.Grants = append(v.Grants, GrantView{
			ID: e.GrantID, Recipient: e.Recipient, Categories: e.Categories, Purposes: e.Purposes,
			GrantedAt: e.At, ExpiresAt: e.ExpiresAt,
		})
	case domain.ConsentWithdrawn:
		if i := slices.IndexFunc(v.Grants, func(g GrantView) bool { return g.ID == e.GrantID }); i >= 0 {
			at := e.At
			v.Grants[i].WithdrawnAt = &at
		}
	case domain.IDDocumentRequested:
		v.Documents = append(v.Documents, DocumentView{
			ID: e.DocumentID, Kind: e.Kind, IssuingAuthority: e.IssuingAuthority,
			Status: domain.DocumentRequested, RequestedAt: e.At, UpdatedAt: e.At,
		})
	case domain.IDDocumentObtained:
		v.updateDocument(e.DocumentID, func(d *DocumentView) {
			d.Status, d.Number, d.UpdatedAt = domain.DocumentObtained, env.Extras.Personal, e.At
		})
	case domain.IDDocumentRefused:
		v.updateDocument(e.DocumentID, func(d *DocumentView) {
			d.Status, d.Reason, d.UpdatedAt = domain.DocumentRefused, e.Reason, e.At
		})
	case domain.BankReferralMade:
		v.Referrals = append(v.Referrals, ReferralView{Bank: e.Bank, At: e.At})
	case domain.AccountApplicationSubmitted:
		app := ApplicationView{Bank: e.Bank, Product: e.Product, Status: domain.ApplicationSubmitted, SubmittedAt: e.At, UpdatedAt: e.At}
		if i := v.application(e.Bank); i >= 0 {
			v.Applications[i] = app // a resubmission after a decline replaces it
		} else {
			v.Applications = append(v.Applications, app)
		}
	case domain.BankAccountOpened:
		if i := v.application(e.Bank); i >= 0 {
			a := &v.Applications[i]
			a.Status, a.Product, a.UpdatedAt = domain.ApplicationOpened, e.Product, e.At
		}
	case domain.AccountApplicationDeclined:
		if i := v.application(e.Bank); i >= 0 {
			a := &v.Applications[i]
			a.Status, a.Reason, a.UpdatedAt = domain.ApplicationDeclined, e.Reason, e.At
		}
	case domain.CreditDisputeFiled:
		v.seal(SealedDispute(e.DisputeID), env.Extras.Personal)
		v.Disputes = append(v.Disputes, DisputeView{
			ID: e.DisputeID, Bureau: e.Bureau, ItemCount: e.ItemCount, Status: domain.DisputeFiled, FiledAt: e.At,
		})
	case domain.CreditDisputeResolved:
		if i := slices.IndexFunc(v.Disputes, func(d DisputeView) bool { return d.ID == e.DisputeID }); i >= 0 {
			at := e.At
			d := &v.Disputes[i]
			d.Status, d.Outcome, d.Reason, d.ResolvedAt = domain.DisputeResolved, e.Outcome, e.Reason, &at
		}
	case domain.CaseNoteAdded:
		v.Notes = append(v.Notes, NoteView{ID: e.NoteID, Text: env.Extras.Personal, AuthorOrganisation: rec.Metadata.Organisation, At: e.At})
	case domain.CaseClosed:
		v.Closure = &ClosureView{Outcome: e.Outcome, Reason: e.Reason, At: e.At}
	case domain.CaseReopened:
		v.Closure = nil
	case domain.DueDiligencePackProvided:
		v.seal(SealedPack(e.PackID), env.Extras.Personal)
	case domain.SafeguardingConcernRaised:
		v.seal(SealedConcern(e.ConcernID), env.Extras.Personal)
	case domain.SafeContactRulesSet:
		v.seal(SealedContact, env.Extras.Personal)
	case domain.SurvivorDataErased:
		// The key is destroyed; what is left of the personal data cannot be opened.
		v.Survivor = codec.Personal{}
		for i := range v.Documents {
			v.Documents[i].Number = codec.Personal{}
		}
		for i := range v.Notes {
			v.Notes[i].Text = codec.Personal{}
		}
		v.BlindIndex = nil
		v.Sealed = nil
	}
	if !v.State.Erased {
		v.BlindIndex = append(v.BlindIndex, env.Extras.BlindIndex...)
	}

	v.Journey = append(v.Journey, JourneyStep{
		Type: rec.Type, At: rec.Metadata.RecordedAt, Stage: v.State.Stage,
		Version: v.State.Version, Position: rec.Position, ActorOrganisation: rec.Metadata.Organisation,
	})
	return nil
}

func (v *CaseView) updateDocument(id string, change func(*DocumentView)) {
	if i := slices.IndexFunc(v.Documents, func(d DocumentView) bool { return d.ID == id }); i >= 0 {
		change(&v.Documents[i])
	}
}

func (v *CaseView) application(bank string) int {
	return slices.IndexFunc(v.Applications, func(a ApplicationView) bool { return a.Bank == bank })
}

// seal keeps a personal sub-object under key (or forgets the key's old one when the
// event has none, e.g. safe-contact rules set again without notes).
func (v *CaseView) seal(key string, p codec.Personal) {
	if p.IsZero() {
		delete(v.Sealed, key)
		return
	}
	if v.Sealed == nil {
		v.Sealed = map[string]codec.Personal{}
	}
	v.Sealed[key] = p
}
