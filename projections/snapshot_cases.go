package projections

import "github.com/waymark-org/waymark/domain"

// A case view in a snapshot: every field of CaseView and of the domain's Case, in
// order, except BlindIndex — the opened tokens, keyed hashes of her name and document
// numbers, which are never written: SealedIndex is, and they are opened again on load.
// Personal data is written as the events stored it, sealed.
//
// TestSnapshotCodecCoversEveryField fills every field of a view with a value and
// reads it back: a field added to CaseView or to the domain's state fails it until it
// is written here (and the layout's fingerprint, snapshot.go, discards snapshots
// written before).

func encCase(e *enc, v *CaseView) {
	e.str(v.ID)
	encState(e, &v.State)
	e.position(v.Position)
	e.position(v.ReferralPosition)
	e.time(v.ReferredAt)
	e.time(v.UpdatedAt)
	e.bool(v.Closure != nil)
	if v.Closure != nil {
		encStr(e, v.Closure.Outcome)
		e.personal(v.Closure.Reason)
		e.time(v.Closure.At)
	}
	encList(e, v.Reopenings, func(e *enc, r ReopeningView) {
		encStr(e, r.ReasonCode)
		e.personal(r.Reason)
		e.time(r.At)
	})
	encList(e, v.Transfers, encTransfer)
	encList(e, v.Journey, func(e *enc, s Step) {
		// The strings, never the numbers: those are the writing process's own.
		e.str(symbols.name(s.Type))
		e.varint(s.At)
		e.str(symbols.name(s.Stage))
		e.position(s.Position)
		e.str(symbols.name(s.ActorOrganisation))
		e.str(symbols.name(s.Party))
	})
	e.personal(v.Survivor)
	encList(e, v.Notes, func(e *enc, n NoteView) {
		e.compactID(n.id)
		e.str(n.AuthorOrganisation())
		e.time(n.At())
		e.uvarint(n.Revision)
	})
	encList(e, v.SealedIndex, (*enc).personal)
	encMap(e, v.Sealed, (*enc).personal)
}

// decCase reads a view; its BlindIndex is left for the loader to open.
func decCase(d *dec) *CaseView {
	v := &CaseView{ID: d.str()}
	decState(d, &v.State)
	v.Position = d.position()
	v.ReferralPosition = d.position()
	v.ReferredAt = d.time()
	v.UpdatedAt = d.time()
	if d.bool() {
		v.Closure = &ClosureView{Outcome: decStr[domain.ClosureOutcome](d), Reason: d.personal(), At: d.time()}
	}
	v.Reopenings = decList(d, func(d *dec) ReopeningView {
		return ReopeningView{ReasonCode: decStr[domain.ReopenReason](d), Reason: d.personal(), At: d.time()}
	})
	v.Transfers = decList(d, decTransfer)
	v.Journey = decListIn(d, &d.steps, func(d *dec) Step {
		return Step{Type: d.symbol(), At: d.varint(), Stage: d.symbol(),
			Position: d.position(), ActorOrganisation: d.symbol(), Party: d.symbol()}
	})
	v.Survivor = d.personal()
	v.Notes = decListIn(d, &d.notes, func(d *dec) NoteView {
		return NoteView{id: d.compactID(), author: d.symbol(), at: unixNano(d.time()), Revision: d.uvarint()}
	})
	v.SealedIndex = decList(d, (*dec).personal)
	v.Sealed = decMap[string](d, (*dec).personal)
	return v
}

// encState writes the domain's fold of a case. It holds no personal data: the domain
// keeps that only in its events' Personal objects (TestFreeTextLivesOnlyInPersonal).
func encState(e *enc, c *domain.Case) {
	e.uvarint(c.Version)
	e.bool(c.Referred)
	e.str(c.OwnerOrganisation)
	e.str(c.Jurisdiction)
	e.bool(c.PendingTransfer != nil)
	if p := c.PendingTransfer; p != nil {
		e.str(p.ID)
		e.str(p.From)
		e.str(p.To)
		e.str(p.ToJurisdiction)
		encStr(e, p.ReasonCode)
		e.time(p.RequestedAt)
	}
	encList(e, c.FormerOwners, (*enc).str)
	encStrs(e, c.Needs)
	encStrs(e, c.Barriers)
	encList(e, c.NeedHistory, encSpanned[domain.Need])
	encList(e, c.BarrierHistory, encSpanned[domain.Barrier])
	encStr(e, c.Stage)
	encStr(e, c.Status)
	encMap(e, c.Grants, func(e *enc, g domain.ConsentGrant) {
		e.str(g.ID)
		e.str(g.Recipient)
		encStrs(e, g.Categories)
		encStrs(e, g.Purposes)
		e.time(g.GrantedAt)
		e.time(g.ExpiresAt)
		e.bool(g.Withdrawn)
		e.time(g.WithdrawnAt)
	})
	encMap(e, c.Documents, func(e *enc, x domain.IDDocument) {
		e.str(x.ID)
		encStr(e, x.Kind)
		e.str(x.IssuingOrganisation)
		encStr(e, x.Status)
		encStr(e, x.ReasonCode)
		e.time(x.RequestedAt)
		e.time(x.UpdatedAt)
	})
	encMap(e, c.BankReferrals, func(e *enc, r domain.BankReferral) {
		e.str(r.Bank)
		e.str(r.GrantID)
		e.time(r.At)
	})
	encMap(e, c.Applications, func(e *enc, a domain.AccountApplication) {
		e.str(a.Bank)
		encStr(e, a.Product)
		encStr(e, a.Status)
		encStr(e, a.ReasonCode)
		e.time(a.SubmittedAt)
		e.time(a.UpdatedAt)
	})
	encMap(e, c.Disputes, func(e *enc, x domain.CreditDispute) {
		e.str(x.ID)
		e.str(x.Bureau)
		e.int(x.ItemCount)
		encMap(e, x.Items, func(e *enc, it domain.DisputeItemState) {
			e.str(it.ItemID)
			encStr(e, it.Kind)
			encStr(e, it.Outcome)
			encStr(e, it.ReasonCode)
		})
		encStrs(e, x.Evidence)
		e.int(x.Resubmissions)
		encStr(e, x.Status)
		encStr(e, x.Outcome)
		encStr(e, x.ReasonCode)
		e.time(x.FiledAt)
		e.time(x.ResolvedAt)
		e.time(x.DueAt)
	})
	encMap(e, c.CreditReports, func(e *enc, r domain.CreditReport) {
		e.str(r.ReportID)
		e.str(r.Bureau)
		e.time(r.ObtainedAt)
	})
	e.int(c.NoteCount)
	encMap(e, c.Offers, func(e *enc, o domain.BankOffer) {
		e.str(o.OfferID)
		e.str(o.Bank)
		encStr(e, o.Product)
		e.str(o.MonthlyFee.Currency)
		e.varint(o.MonthlyFee.MinorUnits)
		encStrs(e, o.AcceptedDocuments)
		e.bool(o.AcceptsAlternativePack)
		encStr(e, o.Status)
		e.time(o.MadeAt)
	})
	e.str(c.ChosenOffer)
	e.bool(c.DeclinedAllOffers)
	encStr(e, c.DeclineReasonCode)
	encMap(e, c.Packs, func(e *enc, p domain.DueDiligencePack) {
		e.str(p.PackID)
		e.str(p.Bank)
		e.bool(p.SignedLetter)
		e.bool(p.AccompaniedVisit)
		e.bool(p.CorrespondenceAddress)
		encStr(e, p.Decision)
		encStr(e, p.ReasonCode)
		e.time(p.ProvidedAt)
		e.time(p.DecidedAt)
	})
	encMap(e, c.Concerns, func(e *enc, k domain.SafeguardingConcern) {
		e.str(k.ConcernID)
		e.str(k.RaisedBy)
		e.str(k.Bank)
		encStr(e, k.Category)
		encStr(e, k.Status)
		e.time(k.RaisedAt)
		e.time(k.AcknowledgedAt)
		e.time(k.ResolvedAt)
		encStr(e, k.Resolution)
	})
	e.bool(c.ContactRules != nil)
	if r := c.ContactRules; r != nil {
		encStrs(e, r.Allowed)
		encStrs(e, r.Forbidden)
		e.time(r.SetAt)
	}
	encStr(e, c.ClosedOutcome)
	e.bool(c.Erased)
}

func encTransfer(e *enc, t TransferView) {
	e.str(t.ID)
	e.str(t.From)
	e.str(t.To)
	e.str(t.ToJurisdiction)
	encStr(e, t.ReasonCode)
	e.personal(t.Reason)
	e.time(t.RequestedAt)
	encStr(e, t.Status)
	encStr(e, t.DeclineReasonCode)
	e.personal(t.DeclineReason)
	e.time(t.DecidedAt)
}

func decTransfer(d *dec) TransferView {
	return TransferView{ID: d.str(), From: symbols.intern(d.str()), To: symbols.intern(d.str()), ToJurisdiction: symbols.intern(d.str()),
		ReasonCode: decStr[domain.TransferReason](d), Reason: d.personal(), RequestedAt: d.time(), Status: decStr[domain.TransferStatus](d),
		DeclineReasonCode: decStr[domain.TransferDeclineReason](d), DeclineReason: d.personal(), DecidedAt: d.time()}
}

func encSpan(e *enc, s domain.BarrierSpan) {
	e.time(s.IdentifiedAt)
	e.time(s.ResolvedAt)
}

func decSpan(d *dec) domain.BarrierSpan {
	return domain.BarrierSpan{IdentifiedAt: d.time(), ResolvedAt: d.time()}
}

func decState(d *dec, c *domain.Case) {
	c.Version = d.uvarint()
	c.Referred = d.bool()
	c.OwnerOrganisation = symbols.intern(d.str())
	c.Jurisdiction = symbols.intern(d.str())
	if d.bool() {
		c.PendingTransfer = &domain.CaseTransfer{ID: d.str(), From: symbols.intern(d.str()), To: symbols.intern(d.str()),
			ToJurisdiction: symbols.intern(d.str()), ReasonCode: decStr[domain.TransferReason](d), RequestedAt: d.time()}
	}
	c.FormerOwners = decList(d, func(d *dec) string { return symbols.intern(d.str()) })
	c.Needs = decStrs[domain.Need](d)
	c.Barriers = decStrs[domain.Barrier](d)
	c.NeedHistory = decList(d, decSpanned[domain.Need])
	c.BarrierHistory = decList(d, decSpanned[domain.Barrier])
	c.Stage = decStr[domain.Stage](d)
	c.Status = decStr[domain.Status](d)
	c.Grants = decMap[string](d, func(d *dec) domain.ConsentGrant {
		return domain.ConsentGrant{ID: d.str(), Recipient: d.str(), Categories: decStrs[domain.DataCategory](d),
			Purposes: decStrs[domain.Purpose](d), GrantedAt: d.time(), ExpiresAt: d.time(), Withdrawn: d.bool(), WithdrawnAt: d.time()}
	})
	c.Documents = decMap[string](d, func(d *dec) domain.IDDocument {
		return domain.IDDocument{ID: d.str(), Kind: decStr[domain.DocumentKind](d), IssuingOrganisation: d.str(),
			Status: decStr[domain.DocumentStatus](d), ReasonCode: decStr[domain.RefusalReason](d), RequestedAt: d.time(), UpdatedAt: d.time()}
	})
	c.BankReferrals = decMap[string](d, func(d *dec) domain.BankReferral {
		return domain.BankReferral{Bank: d.str(), GrantID: d.str(), At: d.time()}
	})
	c.Applications = decMap[string](d, func(d *dec) domain.AccountApplication {
		return domain.AccountApplication{Bank: d.str(), Product: decStr[domain.AccountProduct](d), Status: decStr[domain.ApplicationStatus](d),
			ReasonCode: decStr[domain.AccountDeclineReason](d), SubmittedAt: d.time(), UpdatedAt: d.time()}
	})
	c.Disputes = decMap[string](d, func(d *dec) domain.CreditDispute {
		return domain.CreditDispute{ID: d.str(), Bureau: d.str(), ItemCount: d.int(),
			Items: decMap[string](d, func(d *dec) domain.DisputeItemState {
				return domain.DisputeItemState{ItemID: d.str(), Kind: decStr[domain.ItemKind](d), Outcome: decStr[domain.ItemOutcome](d),
					ReasonCode: decStr[domain.DisputeReason](d)}
			}),
			Evidence: decStrs[domain.EvidenceKind](d), Resubmissions: d.int(), Status: decStr[domain.DisputeStatus](d),
			Outcome: decStr[domain.DisputeOutcome](d), ReasonCode: decStr[domain.DisputeReason](d), FiledAt: d.time(), ResolvedAt: d.time(), DueAt: d.time()}
	})
	c.CreditReports = decMap[string](d, func(d *dec) domain.CreditReport {
		return domain.CreditReport{ReportID: d.str(), Bureau: d.str(), ObtainedAt: d.time()}
	})
	c.NoteCount = d.int()
	c.Offers = decMap[string](d, func(d *dec) domain.BankOffer {
		return domain.BankOffer{OfferID: d.str(), Bank: d.str(), Product: decStr[domain.AccountProduct](d),
			MonthlyFee: domain.Money{Currency: d.str(), MinorUnits: d.varint()}, AcceptedDocuments: decStrs[domain.DocumentKind](d),
			AcceptsAlternativePack: d.bool(), Status: decStr[domain.OfferStatus](d), MadeAt: d.time()}
	})
	c.ChosenOffer = d.str()
	c.DeclinedAllOffers = d.bool()
	c.DeclineReasonCode = decStr[domain.DeclineReason](d)
	c.Packs = decMap[string](d, func(d *dec) domain.DueDiligencePack {
		return domain.DueDiligencePack{PackID: d.str(), Bank: d.str(), SignedLetter: d.bool(), AccompaniedVisit: d.bool(),
			CorrespondenceAddress: d.bool(), Decision: decStr[domain.PackStatus](d), ReasonCode: decStr[domain.PackRejectionReason](d),
			ProvidedAt: d.time(), DecidedAt: d.time()}
	})
	c.Concerns = decMap[string](d, func(d *dec) domain.SafeguardingConcern {
		return domain.SafeguardingConcern{ConcernID: d.str(), RaisedBy: d.str(), Bank: d.str(), Category: decStr[domain.ConcernCategory](d),
			Status: decStr[domain.ConcernStatus](d), RaisedAt: d.time(), AcknowledgedAt: d.time(), ResolvedAt: d.time(),
			Resolution: decStr[domain.ConcernResolution](d)}
	})
	if d.bool() {
		c.ContactRules = &domain.SafeContactRules{Allowed: decStrs[domain.ContactChannel](d), Forbidden: decStrs[domain.ContactChannel](d), SetAt: d.time()}
	}
	c.ClosedOutcome = decStr[domain.ClosureOutcome](d)
	c.Erased = d.bool()
}

func encSpanned[T ~string](e *enc, s domain.Spanned[T]) {
	encStr(e, s.Of)
	encSpan(e, s.BarrierSpan)
}

func decSpanned[T ~string](d *dec) domain.Spanned[T] {
	return domain.Spanned[T]{Of: decStr[T](d), BarrierSpan: decSpan(d)}
}
