package demo

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/waymark-org/waymark/domain"
)

// barrierOdds follow the Mexico baseline survey's order: not knowing what products
// exist is most common, then missing ID, no income, no shelter access; transport and
// training are less common.
var barrierOdds = []struct {
	barrier domain.Barrier
	percent int
}{
	{domain.BarrierUnawareOfProducts, 72},
	{domain.BarrierNoID, 58},
	{domain.BarrierNoIncome, 36},
	{domain.BarrierNoShelterAccess, 27},
	{domain.BarrierNeedsTransport, 13},
	{domain.BarrierNeedsTraining, 17},
}

// creditOdds is how often a survivor needs credit repair from the start, per
// jurisdiction (coerced debts are most often reported in the US).
var creditOdds = map[string]int{"MX": 35, "US": 60}

// plan lays out the whole journey: referral, intake, ID recovery, banks, credit
// repair and closure, each stage only if the one before got far enough by now.
func (w *walker) plan() {
	w.refer()
	w.transfer() // a few journeys move to another organisation (transfers.go)
	if !w.intake() || !w.keepsInTouch(5) {
		return
	}
	if w.chance(2) {
		w.closeCase(domain.ClosureTransferred, "Moved to a partner organisation in another state.", 10, 40)
		return
	}
	if !w.recoverID() || !w.keepsInTouch(4) {
		return
	}
	// Credit repair goes ahead once the account is open, or alongside an account
	// opening that is stuck (she declined the offers, the bank wants an ID she does
	// not have yet) when she needs it.
	opened := w.banking()
	if !w.open() || w.closed || !opened && !w.hasNeed(domain.NeedCreditRepair) || !w.keepsInTouch(3) {
		return
	}
	if w.creditRepair() && opened {
		w.complete()
	}
}

func (w *walker) refer() {
	for _, b := range barrierOdds {
		if w.chance(b.percent) {
			w.barriers = append(w.barriers, b.barrier)
		}
	}
	w.needs = []domain.Need{domain.NeedBankAccount}
	for _, bn := range []struct {
		b domain.Barrier
		n domain.Need
	}{{domain.BarrierNoID, domain.NeedIDDocument}, {domain.BarrierNoShelterAccess, domain.NeedShelter}, {domain.BarrierNeedsTransport, domain.NeedTransport}} {
		if w.hasBarrier(bn.b) {
			w.needs = append(w.needs, bn.n)
		}
	}
	if (w.hasBarrier(domain.BarrierUnawareOfProducts) || w.hasBarrier(domain.BarrierNeedsTraining)) && w.chance(70) {
		w.needs = append(w.needs, domain.NeedFinancialTraining)
	}
	if w.chance(cmp.Or(creditOdds[w.org.Jurisdiction], 15)) {
		w.needs = append(w.needs, domain.NeedCreditRepair)
	}
	cmd := domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: w.org.ID},
		Jurisdiction:          w.org.Jurisdiction,
		Needs:                 slices.Clone(w.needs),
		Barriers:              slices.Clone(w.barriers),
		Survivor:              w.survivor(),
	}
	referrer := w.worker // the journey may move to another organisation's caseworker later (transfers.go)
	w.add(func(ctx context.Context) error {
		w.cmds++
		res, err := w.svc.ReferSurvivor(ctx, referrer, fmt.Sprintf("demo-%03d-%03d", w.n, w.cmds), cmd)
		if err != nil {
			return fmt.Errorf("ReferSurvivor: %w", err)
		}
		w.caseID = res.ID
		w.tally.Commands++
		return nil
	})
}

// intake sets the safe-contact rules and starts the threads that run alongside the
// journey: a shelter place, a financial education course.
func (w *walker) intake() bool {
	if !w.wait(0, 3) {
		return false
	}
	if w.chance(85) {
		w.cw(contactRules[w.rng.IntN(len(contactRules))])
	}
	w.analyticsConsent()
	if w.chance(60) {
		w.cw(note(w.pick(intakeNotes)))
	}
	if w.hasBarrier(domain.BarrierNoShelterAccess) && w.chance(70) {
		cmds := append(w.resolveBarrier(domain.BarrierNoShelterAccess), w.meetNeed(domain.NeedShelter)...)
		w.side(4, 25, w.as(w.worker, append(cmds, note("A place at the shelter was found; she moved in this week."))...))
	}
	if (w.hasBarrier(domain.BarrierUnawareOfProducts) || w.hasBarrier(domain.BarrierNeedsTraining)) && w.chance(65) {
		cmds := []domain.Command{note("Attended the financial education workshop: accounts, cards, savings and fees explained.")}
		cmds = append(cmds, w.resolveBarrier(domain.BarrierUnawareOfProducts)...)
		cmds = append(cmds, w.resolveBarrier(domain.BarrierNeedsTraining)...)
		w.side(10, 60, w.as(w.worker, append(cmds, w.meetNeed(domain.NeedFinancialTraining)...)...))
	}
	return true
}

// recoverID requests an ID document when she has none (and sometimes a replacement
// when she has one), and tries a second kind after a refusal.
func (w *walker) recoverID() bool {
	noID := w.hasBarrier(domain.BarrierNoID)
	if !noID && !w.chance(12) {
		return true
	}
	if noID && w.chance(12) {
		w.cw(note("She does not want to contact the registry in her home state yet; banks will be offered a due-diligence pack instead."))
		return true
	}
	var tried []domain.DocumentKind
	for attempt := 1; attempt <= 2; attempt++ {
		kind, issuer, authority, lo, hi := w.documentFor(tried)
		tried = append(tried, kind)
		if !w.wait(2, 10) {
			return false
		}
		w.cw(domain.RequestIDDocument{Kind: kind, IssuingOrganisation: domain.OrgRef{ID: issuer}, IssuingAuthority: authority})
		if !w.wait(lo, hi) {
			return false // still waiting for the office
		}
		if w.chance(80) {
			number := w.documentNumber(kind)
			w.lazy(w.worker, func(c domain.Case) domain.Command {
				return domain.RecordIDDocumentObtained{DocumentID: pendingDocument(c), DocumentNumber: number}
			})
			w.docs = append(w.docs, kind)
			w.cw(append(w.resolveBarrier(domain.BarrierNoID), w.meetNeed(domain.NeedIDDocument)...)...)
			return true
		}
		reason := pickReason(w, idRefusals)
		w.lazy(w.worker, func(c domain.Case) domain.Command {
			return domain.RecordIDDocumentRefused{DocumentID: pendingDocument(c), ReasonCode: reason.code, Reason: reason.text}
		})
		if !w.chance(75) {
			break
		}
	}
	w.cw(note("No usable ID for now; the shelter will ask banks to accept a due-diligence pack."))
	return true
}

// documentFor picks the next kind of document to request, who issues it (an ID office
// of the directory, or an authority named in free text when it is not in the
// directory), and how many days it usually takes.
func (w *walker) documentFor(tried []domain.DocumentKind) (kind domain.DocumentKind, issuer, authority string, lo, hi int) {
	type option struct {
		kind      domain.DocumentKind
		issuer    string // a directory organisation
		authority string // or a name in free text
		lo, hi    int
	}
	registry := option{issuer: IDOfficeCDMX}
	if w.org.Region != "Ciudad de México" {
		registry = option{authority: "Registro Civil del Estado de " + w.org.Region + " (demo)"}
	}
	ine := option{issuer: IDOfficeINE}
	of := func(k domain.DocumentKind, o option, lo, hi int) option { o.kind, o.lo, o.hi = k, lo, hi; return o }
	var options []option
	switch w.org.Jurisdiction {
	case "MX":
		options = []option{of(domain.DocCURP, registry, 7, 30), of(domain.DocINE, ine, 21, 60),
			of(domain.DocCURP, registry, 7, 30), of(domain.DocINE, ine, 21, 60),
			of(domain.DocBirthCertificate, registry, 10, 40)}
	case "US":
		options = []option{{kind: domain.DocPassport, authority: "Consulate of her home country (demo)", lo: 30, hi: 90},
			{kind: domain.DocNationalID, authority: "State ID office (demo)", lo: 14, hi: 45},
			{kind: domain.DocResidencePermit, authority: "Immigration office (demo)", lo: 45, hi: 120}}
	default:
		options = []option{{kind: domain.DocPassport, authority: "Consulate of her home country (demo)", lo: 30, hi: 90},
			{kind: domain.DocResidencePermit, authority: "Immigration office (demo)", lo: 45, hi: 120}}
	}
	options = slices.DeleteFunc(options, func(o option) bool { return slices.Contains(tried, o.kind) })
	o := options[w.rng.IntN(len(options))]
	return o.kind, o.issuer, o.authority, o.lo, o.hi
}

// keepsInTouch is false when she loses contact for good: the case is closed. A few
// get back in touch and the case is reopened.
func (w *walker) keepsInTouch(percent int) bool {
	if !w.chance(percent) {
		return true
	}
	if !w.closeCase(domain.ClosureLostContact, "No answer by phone or through the shelter for three weeks.", 21, 60) {
		return false
	}
	if !w.chance(35) || !w.wait(20, 100) {
		return false
	}
	w.reopen(domain.ReopenSurvivorReturned, "She got back in touch through the shelter's hotline.")
	w.cw(note("Back in touch; she wants to carry on where we left off."))
	return true
}

// complete follows up once the journey's goals are met, and closes most cases; a few
// are reopened when a new debt turns up.
func (w *walker) complete() {
	if w.hasBarrier(domain.BarrierNoIncome) && w.chance(35) && w.wait(10, 60) {
		w.cw(append(w.resolveBarrier(domain.BarrierNoIncome), note("She started a job with a regular wage paid into her account."))...)
	}
	if w.chance(12) && w.wait(5, 30) {
		w.cw(movedOnRules)
	}
	if !w.chance(55) || !w.closeCase(domain.ClosureJourneyCompleted, "Goals met: account open and credit report in order.", 14, 60) {
		return
	}
	bureau := bureauIn(w.org.Jurisdiction)
	if bureau == "" || !w.chance(12) || !w.wait(30, 120) {
		return
	}
	w.reopen(domain.ReopenNewNeed, "A new debt in her name appeared on her credit report.")
	w.cw(w.identifyNeed(domain.NeedCreditRepair)...)
	if !w.wait(1, 5) {
		return
	}
	w.grantBureau(bureau)
	if w.disputeRound(bureau, 1) {
		w.closeCase(domain.ClosureJourneyCompleted, "The new debt was dealt with.", 7, 30)
	}
}

// closeCase closes the case minDays to maxDays after everything planned so far.
func (w *walker) closeCase(outcome domain.ClosureOutcome, reason string, minDays, maxDays int) bool {
	w.settle()
	if !w.wait(minDays, maxDays) {
		return false
	}
	w.cw(domain.CloseCase{Outcome: outcome, Reason: reason})
	w.closed = true
	return true
}

func (w *walker) reopen(code domain.ReopenReason, reason string) {
	w.closed = false
	run := w.as(w.worker, domain.ReopenCase{ReasonCode: code, Reason: reason})
	w.add(func(ctx context.Context) error {
		if err := run(ctx); err != nil {
			return err
		}
		w.tally.Reopened++
		return nil
	})
}

// analyticsConsent: most survivors agree that the coalition's analysts may follow
// their journey under a pseudonym (the analytics feed); a few later change their mind.
func (w *walker) analyticsConsent() {
	if !w.chance(60) {
		return
	}
	w.cw(domain.GrantConsent{Recipient: domain.OrgRef{ID: CoalitionAnalytics, Kind: domain.OrgCoalition},
		Categories: []domain.DataCategory{domain.DataBanking, domain.DataCredit},
		Purposes:   []domain.Purpose{domain.PurposeCoalitionAnalytics}, ExpiresAt: w.at.AddDate(1, 11, 0)})
	if w.chance(8) {
		w.thread(func() {
			if w.wait(20, 200) {
				w.withdrawConsent(CoalitionAnalytics)
			}
		})
	}
}
