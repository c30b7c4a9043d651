package analytics

import (
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// Map turns one stored case event into its analytics message: the CloudEvents envelope
// around a de-identified payload. caseState is the case after the event (it gives the
// jurisdiction, owner and stage, and the kind of a document named only by its id).
// It reports false for an event of another aggregate, a stream that is not a case's,
// a case without a jurisdiction, an event type with no mapping, or a Pseudonymizer
// without a valid key.
//
// Every type is mapped by hand, field by field, so a field added to an event is never
// published until someone decides it may be: only codes, organisation ids, counts and
// flags, whole days between two steps of the journey, never a Personal object, a client-chosen id (dispute, item, grant, offer,
// note, document ids are free text) or a time other than the day.
func Map(rec eventstore.RecordedEvent, event domain.Event, caseState domain.Case, p Pseudonymizer) (CloudEvent, bool) {
	kind, caseID, ok := eventstore.SplitStreamName(rec.Stream)
	// A case without a jurisdiction (never one after its referral) would make no subject.
	if !ok || kind != string(domain.AggregateCase) || caseID == "" || rec.ID == "" || caseState.Jurisdiction == "" || !p.valid() {
		return CloudEvent{}, false
	}
	data, at, ok := payload(event, caseState)
	if !ok {
		return CloudEvent{}, false
	}
	// Every message says where the case is and who holds it, after the event.
	data["jurisdiction"] = caseState.Jurisdiction
	data["organisation"] = caseState.OwnerOrganisation
	data["stage"] = string(caseState.Stage)
	typ := event.EventType()
	return CloudEvent{
		SpecVersion:     SpecVersion,
		ID:              p.EventID(rec.ID), // never rec.ID itself: a UUIDv7 tells the time
		Source:          Source,
		Type:            CloudEventType(typ),
		Time:            day(at),
		Subject:         p.Pseudonym(caseID),
		DataContentType: ContentType,
		DataSchema:      SchemaBase + SchemaName(typ),
		Data:            data,
	}, true
}

type fields = map[string]any

// payload is the event's own de-identified fields and its time; false for a type with
// no mapping (TestEveryCaseEventTypeIsMapped fails for one).
func payload(event domain.Event, c domain.Case) (fields, time.Time, bool) {
	switch e := event.(type) {
	case domain.SurvivorReferred:
		return fields{"referringOrganisation": e.ReferringOrganisation, "needs": codes(e.Needs), "barriers": codes(e.Barriers)}, e.At, true
	case domain.ConsentGranted:
		return fields{"recipient": e.Recipient, "categories": codes(e.Categories), "purposes": codes(e.Purposes)}, e.At, true
	case domain.ConsentWithdrawn:
		return fields{}, e.At, true
	case domain.IDDocumentRequested:
		return optional(fields{"kind": string(e.Kind)}, "issuingOrganisation", e.IssuingOrganisation), e.At, true
	case domain.IDDocumentObtained:
		d := c.Documents[e.DocumentID]
		return since(fields{"kind": string(d.Kind)}, "daysSinceRequested", d.RequestedAt, e.At), e.At, true
	case domain.IDDocumentRefused:
		d := c.Documents[e.DocumentID]
		return since(fields{"kind": string(d.Kind), "reasonCode": string(e.ReasonCode)}, "daysSinceRequested", d.RequestedAt, e.At), e.At, true
	case domain.BankReferralMade:
		return fields{"bank": e.Bank}, e.At, true
	case domain.AccountApplicationSubmitted:
		return fields{"bank": e.Bank, "product": string(e.Product)}, e.At, true
	case domain.BankAccountOpened:
		return fields{"bank": e.Bank, "product": string(e.Product)}, e.At, true
	case domain.AccountApplicationDeclined:
		return fields{"bank": e.Bank, "reasonCode": string(e.ReasonCode)}, e.At, true
	case domain.BankOfferMade:
		return fields{"bank": e.Bank, "product": string(e.Product), "acceptedDocuments": codes(e.AcceptedDocuments),
			"acceptsAlternativePack": e.AcceptsAlternativePack}, e.At, true
	case domain.SurvivorChoseOffer:
		return fields{"bank": e.Bank}, e.At, true
	case domain.SurvivorDeclinedAllOffers:
		return fields{"reasonCode": string(e.ReasonCode)}, e.At, true
	case domain.DueDiligencePackProvided:
		return fields{"bank": e.Bank, "signedLetter": e.SignedLetter, "accompaniedVisit": e.AccompaniedVisit,
			"correspondenceAddress": e.CorrespondenceAddress}, e.At, true
	case domain.DueDiligencePackAccepted:
		return fields{"bank": e.Bank}, e.At, true
	case domain.DueDiligencePackRejected:
		return fields{"bank": e.Bank, "reasonCode": string(e.ReasonCode)}, e.At, true
	// A concern's category and resolution stay out (trafficker control, referred to the
	// authorities): on one survivor's journey they could tell the person who exploited
	// her what she did. Concerns are counted, never described (auditors never see them
	// either).
	case domain.SafeguardingConcernRaised:
		return fields{"raisedBy": e.RaisedBy, "bank": e.Bank}, e.At, true
	case domain.SafeguardingConcernAcknowledged:
		return fields{"by": e.By}, e.At, true
	case domain.SafeguardingConcernResolved:
		return fields{"by": e.By}, e.At, true
	case domain.SafeContactRulesSet:
		return fields{"allowed": codes(e.Allowed), "forbidden": codes(e.Forbidden)}, e.At, true
	case domain.CreditReportObtained:
		return fields{"bureau": e.Bureau}, e.At, true
	case domain.CreditDisputeFiled:
		return fields{"bureau": e.Bureau, "itemCount": e.ItemCount, "evidence": codes(e.Evidence)}, e.At, true
	case domain.CreditDisputeResolved:
		f := optional(fields{"outcome": string(e.Outcome)}, "reasonCode", string(e.ReasonCode))
		return since(f, "daysSinceFiled", c.Disputes[e.DisputeID].FiledAt, e.At), e.At, true
	case domain.CreditDisputeItemDecided:
		return optional(fields{"outcome": string(e.Outcome)}, "reasonCode", string(e.ReasonCode)), e.At, true
	case domain.CreditDisputeResubmitted:
		return fields{"itemCount": len(e.ItemIDs), "evidence": codes(e.Evidence)}, e.At, true
	case domain.BarrierIdentified:
		return fields{"barrier": string(e.Barrier)}, e.At, true
	case domain.BarrierResolved:
		return since(fields{"barrier": string(e.Barrier)}, "daysOpen", c.BarrierHistory.Span(e.Barrier).IdentifiedAt, e.At), e.At, true
	case domain.NeedIdentified:
		return fields{"need": string(e.Need)}, e.At, true
	case domain.NeedMet:
		return since(fields{"need": string(e.Need)}, "daysOpen", c.NeedHistory.Span(e.Need).IdentifiedAt, e.At), e.At, true
	case domain.CaseNoteAdded:
		return fields{}, e.At, true
	case domain.CaseClosed:
		return fields{"outcome": string(e.Outcome)}, e.At, true
	case domain.CaseReopened:
		return fields{"reasonCode": string(e.ReasonCode)}, e.At, true
	case domain.SurvivorDataErased:
		return fields{"reasonCode": string(e.ReasonCode)}, e.At, true
	case domain.SubjectAccessRequested:
		return fields{}, e.At, true
	case domain.CaseTransferRequested:
		return fields{"from": e.From, "to": e.To, "toJurisdiction": e.ToJurisdiction, "reasonCode": string(e.ReasonCode)}, e.At, true
	case domain.CaseTransferAccepted:
		return fields{"from": e.From, "to": e.To}, e.At, true
	case domain.CaseTransferDeclined:
		return fields{"to": e.To, "reasonCode": string(e.ReasonCode)}, e.At, true
	case domain.CaseTransferCancelled:
		return fields{"to": e.To}, e.At, true
	}
	return nil, time.Time{}, false
}

// codes is a list of codes as strings, never null (the schema wants an array).
func codes[T ~string](xs []T) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, string(x))
	}
	return out
}

// optional adds key when v is not empty (an optional code or organisation id).
func optional(f fields, key, v string) fields {
	if v != "" {
		f[key] = v
	}
	return f
}

// since adds key: the whole days from the day of start to the day of end (the feed's
// only measure of time), when start is known. The case after the event still holds
// start (a span, a document, a dispute keeps when it began).
func since(f fields, key string, start, end time.Time) fields {
	if !start.IsZero() && !end.Before(start) {
		f[key] = days(start, end)
	}
	return f
}

// days counts midnights (UTC) from a to b: 0 on the same day.
func days(a, b time.Time) int {
	da := time.Date(a.UTC().Year(), a.UTC().Month(), a.UTC().Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.UTC().Year(), b.UTC().Month(), b.UTC().Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}
