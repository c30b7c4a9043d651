package demo

import (
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// dueDiligence gives the chosen bank a pack in place of standard ID, and a stronger
// one after a rejection. It is true once the bank accepted a pack.
func (w *walker) dueDiligence(b *shownBank) bool {
	for attempt := 1; attempt <= 2; attempt++ {
		if !w.wait(2, 10) {
			return false
		}
		pack := domain.ProvideDueDiligencePack{Bank: b.ref(), SignedLetter: true, AccompaniedVisit: true, CorrespondenceAddress: true}
		if attempt == 1 {
			switch r := w.rng.IntN(100); {
			case r < 20:
				pack.AccompaniedVisit, pack.CorrespondenceAddress = false, false
			case r < 55:
				pack.CorrespondenceAddress = false
			case r < 75:
				pack.AccompaniedVisit = false
			}
		}
		var reasons []coded[domain.PackRejectionReason] // what a bank may find wrong with each part
		parts := 0
		for i, in := range []bool{pack.SignedLetter, pack.AccompaniedVisit, pack.CorrespondenceAddress} {
			if in {
				parts++
				reasons = append(reasons, packRejections[i])
			}
		}
		if pack.AccompaniedVisit {
			pack.StaffName = w.pick(w.staff)
		}
		w.cw(pack)
		if !w.wait(3, 15) {
			return false
		}
		bank := b.id
		if w.chance([]int{0, 70, 82, 93}[parts]) {
			w.lazy(bankActor(bank), func(c domain.Case) domain.Command {
				return domain.RecordDueDiligenceDecision{PackID: pendingPack(c, bank), Accepted: true}
			})
			return true
		}
		reason := pickReason(w, reasons)
		w.lazy(bankActor(bank), func(c domain.Case) domain.Command {
			return domain.RecordDueDiligenceDecision{PackID: pendingPack(c, bank), ReasonCode: reason.code, Reason: reason.text}
		})
		if !w.chance(65) {
			break
		}
	}
	if w.wait(2, 10) {
		w.cw(note("The bank did not accept the due-diligence pack; we will try again once she has an ID document."))
	}
	return false
}

// shelterConcern: before the branch visit the shelter raises a concern with the
// bank; the bank acknowledges it and one of them resolves it.
func (w *walker) shelterConcern(b *shownBank) bool {
	if !w.wait(1, 7) {
		return false
	}
	w.cw(domain.RaiseSafeguardingConcern{Bank: b.ref(), Category: domain.ConcernCoercion,
		Details: "A man who said he was her cousin insisted on coming to the branch appointment and answering for her."})
	return w.concernHandled(b, bankActor(b.id), []coded[domain.ConcernResolution]{
		{domain.ResolutionSurvivorSafe, "Appointment moved to another branch and a private room; only the caseworker attends with her."},
		{domain.ResolutionSurvivorSafe, "Branch staff briefed; the appointment is booked under the shelter's name."},
	})
}

// bankConcern: once the account is in use the bank raises a concern (alongside the
// rest of the journey); the shelter acknowledges it and one of them resolves it.
func (w *walker) bankConcern(b *shownBank) {
	w.thread(func() {
		if !w.wait(15, 90) {
			return
		}
		details := []struct {
			category domain.ConcernCategory
			text     string
		}{
			{domain.ConcernTraffickerControl, "Card used at an ATM near her former workplace minutes after each deposit; she says she has not lent it."},
			{domain.ConcernSuspiciousActivity, "Several cash deposits by a third party, each followed by a full withdrawal."},
			{domain.ConcernCoercion, "She came to the branch with a man who tried to change the phone number on the account."},
		}[w.rng.IntN(3)]
		w.byBank(b.id, domain.RaiseSafeguardingConcern{Bank: b.ref(), Category: details.category, Details: details.text})
		w.concernHandled(b, w.worker, []coded[domain.ConcernResolution]{
			{domain.ResolutionAccountRestricted, "New card issued and PIN changed with her at the branch; she confirmed nobody else has access."},
			{domain.ResolutionAccountRestricted, "Phone number on the account restored; the branch flags any change request to the shelter first."},
			{domain.ResolutionNoConcernFound, "Deposits explained (a relative repaying a loan); nothing further needed."},
		})
	})
}

// concernHandled plans the acknowledgement by acknowledger and the resolution by
// either party; false if it is still open at now.
func (w *walker) concernHandled(b *shownBank, acknowledger app.Actor, resolutions []coded[domain.ConcernResolution]) bool {
	bank := b.id
	if !w.wait(1, 4) {
		return false
	}
	w.lazy(acknowledger, func(c domain.Case) domain.Command {
		return domain.AcknowledgeSafeguardingConcern{ConcernID: openConcern(c, bank)}
	})
	if !w.wait(3, 30) {
		return false
	}
	resolver, resolution := w.worker, pickReason(w, resolutions)
	if w.chance(40) {
		resolver = bankActor(bank)
	}
	w.lazy(resolver, func(c domain.Case) domain.Command {
		return domain.ResolveSafeguardingConcern{ConcernID: openConcern(c, bank), Resolution: resolution.code, Text: resolution.text}
	})
	return true
}
