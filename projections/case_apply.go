package projections

import (
	"fmt"
	"maps"
	"slices"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
)

// apply changes v (a fresh copy) for one event of its stream.
func (v *CaseView) apply(env Envelope, openIndex func(caseID string, sealed codec.Personal) ([]string, error)) error {
	rec := env.Record
	if rec.Revision != v.State.Version {
		return fmt.Errorf("case %s: got revision %d, expected %d", v.ID, rec.Revision, v.State.Version)
	}
	v.State = domain.Evolve(v.State, env.Event)
	if _, ok := env.Event.(domain.SurvivorReferred); ok {
		// Decoded anew from every referral: one shared copy instead of one a case.
		v.State.OwnerOrganisation = symbols.intern(v.State.OwnerOrganisation)
		v.State.Jurisdiction = symbols.intern(v.State.Jurisdiction)
	}
	v.Position = rec.Position
	v.UpdatedAt = rec.Metadata.RecordedAt
	if _, note := env.Event.(domain.CaseNoteAdded); !note {
		// The view keeps every event's personal data but a note's (NoteTexts reads
		// that from the log): its own copy, not the record's bytes (Envelope.Extras).
		env.Extras = env.Extras.Clone()
	}

	switch e := env.Event.(type) {
	case domain.SurvivorReferred:
		v.ReferredAt = e.At
		v.Survivor = env.Extras.Personal
	case domain.IDDocumentRequested:
		v.seal(SealedAuthority(e.DocumentID), env.Extras.Personal)
	case domain.IDDocumentObtained:
		v.seal(SealedDocument(e.DocumentID), env.Extras.Personal)
	case domain.IDDocumentRefused:
		v.seal(SealedRefusal(e.DocumentID), env.Extras.Personal)
	case domain.AccountApplicationSubmitted:
		v.seal(SealedApplicationDecline(e.Bank), codec.Personal{}) // a new application: the old decline is history
	case domain.AccountApplicationDeclined:
		v.seal(SealedApplicationDecline(e.Bank), env.Extras.Personal)
	case domain.SurvivorDeclinedAllOffers:
		v.seal(SealedDeclineAll, env.Extras.Personal)
	case domain.SurvivorChoseOffer, domain.BankOfferMade:
		v.seal(SealedDeclineAll, codec.Personal{}) // she no longer declines everything
	case domain.CreditDisputeFiled:
		v.seal(SealedDispute(e.DisputeID), env.Extras.Personal)
	case domain.CreditDisputeResolved:
		v.seal(SealedDisputeReason(e.DisputeID), env.Extras.Personal)
	case domain.CreditDisputeItemDecided:
		v.seal(SealedItemReason(e.DisputeID, e.ItemID), env.Extras.Personal)
	case domain.CreditDisputeResubmitted:
		for _, item := range e.ItemIDs {
			v.seal(SealedItemReason(e.DisputeID, item), codec.Personal{})
		}
	case domain.CaseNoteAdded:
		v.Notes = append(v.Notes, NewNoteView(e.NoteID, rec.Metadata.Organisation, e.At, rec.Revision))
	case domain.CaseClosed:
		v.Closure = &ClosureView{Outcome: e.Outcome, Reason: env.Extras.Personal, At: e.At}
	case domain.CaseReopened:
		v.Closure = nil
		v.Reopenings = append(v.Reopenings, ReopeningView{ReasonCode: e.ReasonCode, Reason: env.Extras.Personal, At: e.At})
	case domain.DueDiligencePackProvided:
		v.seal(SealedPack(e.PackID), env.Extras.Personal)
	case domain.DueDiligencePackRejected:
		v.seal(SealedPackRejection(e.PackID), env.Extras.Personal)
	case domain.SafeguardingConcernRaised:
		v.seal(SealedConcern(e.ConcernID), env.Extras.Personal)
	case domain.SafeguardingConcernResolved:
		v.seal(SealedResolution(e.ConcernID), env.Extras.Personal)
	case domain.SafeContactRulesSet:
		v.seal(SealedContact, env.Extras.Personal)
	case domain.CaseTransferRequested, domain.CaseTransferDeclined, domain.CaseTransferCancelled:
		v.applyTransfer(e, env.Extras.Personal)
	case domain.CaseTransferAccepted:
		v.applyTransfer(e, env.Extras.Personal)
		// The new owner and jurisdiction, one shared copy as at referral.
		v.State.OwnerOrganisation = symbols.intern(v.State.OwnerOrganisation)
		v.State.Jurisdiction = symbols.intern(v.State.Jurisdiction)
	case domain.SurvivorDataErased:
		// The key is destroyed; what is left of the personal data cannot be opened.
		v.Survivor = codec.Personal{}
		v.Reopenings = slices.Clone(v.Reopenings) // older views keep theirs
		for i := range v.Reopenings {
			v.Reopenings[i].Reason = codec.Personal{}
		}
		if v.Closure != nil {
			closure := *v.Closure
			closure.Reason = codec.Personal{}
			v.Closure = &closure
		}
		v.eraseTransferTexts()
		v.BlindIndex, v.SealedIndex = nil, nil
		v.Sealed, v.sealedOwned = nil, true
	}
	if !v.State.Erased {
		tokens, err := openIndex(v.ID, env.Extras.BlindIndex)
		if err != nil {
			return err
		}
		v.BlindIndex = append(v.BlindIndex, tokens...)
		if !env.Extras.BlindIndex.IsZero() {
			v.SealedIndex = append(v.SealedIndex, env.Extras.BlindIndex)
		}
	}

	v.Journey = append(v.Journey, newStep(JourneyStep{
		Type: rec.Type, At: rec.Metadata.RecordedAt, Stage: v.State.Stage,
		Position: rec.Position, ActorOrganisation: rec.Metadata.Organisation,
		Party: domain.PartyOf(env.Event, v.State),
	}))
	return nil
}

// seal keeps a personal sub-object under key (or forgets the key's old one when the
// event has none, e.g. safe-contact rules set again without notes).
func (v *CaseView) seal(key string, p codec.Personal) {
	if !v.sealedOwned { // the first change for this event: the older view keeps its map
		v.Sealed, v.sealedOwned = maps.Clone(v.Sealed), true
	}
	if p.IsZero() {
		delete(v.Sealed, key)
		return
	}
	if v.Sealed == nil {
		v.Sealed = map[string]codec.Personal{}
	}
	v.Sealed[key] = p
}
