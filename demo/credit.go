package demo

import (
	"fmt"

	"github.com/waymark-org/waymark/domain"
)

// creditRepair obtains her credit report from the jurisdiction's bureau and disputes
// the trafficking-related items, when she needs it (or a check finds some). It is
// false when the journey got no further by now.
func (w *walker) creditRepair() bool {
	bureau := bureauIn(w.org.Jurisdiction)
	if bureau == "" {
		return true
	}
	needed := w.hasNeed(domain.NeedCreditRepair)
	if !needed && !w.chance(15) {
		return true
	}
	// Trafficked across the border, she may have debts taken out in her name in the
	// US: her Mexican caseworker then files with the US bureau, on the FCRA's clock.
	if w.org.Jurisdiction == "MX" && w.chance(20) {
		bureau = BureauUS
	}
	if !w.wait(7, 30) {
		return false
	}
	w.grantBureau(bureau)
	if !w.wait(3, 14) {
		return false
	}
	w.cw(domain.RecordCreditReportObtained{Bureau: domain.OrgRef{ID: bureau}})
	if !needed {
		if !w.chance(55) {
			w.cw(note("Credit report checked with her: nothing to dispute."))
			return true
		}
		w.cw(append(w.identifyNeed(domain.NeedCreditRepair),
			note("The credit report shows debts taken out in her name while she was exploited."))...)
	}
	return w.disputeRound(bureau, w.between(1, 4))
}

func (w *walker) grantBureau(bureau string) {
	w.cw(domain.GrantConsent{Recipient: domain.OrgRef{ID: bureau},
		Categories: []domain.DataCategory{domain.DataIdentity, domain.DataCredit},
		Purposes:   []domain.Purpose{domain.PurposeCreditRepair}, ExpiresAt: w.at.AddDate(1, 0, 0)})
}

// disputeRound files a block/dispute request listing items with its evidence; the
// bureau decides each item; refused items are usually sent again with more evidence.
func (w *walker) disputeRound(bureau string, items int) bool {
	if !w.wait(5, 20) {
		return false
	}
	creditors := creditorsMX
	if bureau == BureauUS {
		creditors = creditorsUS
	}
	dispute := domain.FileCreditDispute{Bureau: domain.OrgRef{ID: bureau},
		Evidence: []domain.EvidenceKind{domain.EvidenceProofOfIdentity, domain.EvidenceTraffickingDetermination, domain.EvidenceItemsList}}
	if w.chance(40) {
		dispute.Evidence = append(dispute.Evidence, domain.EvidencePoliceReport)
	}
	var pending []string
	for i := range items {
		kind := domain.ItemDebt
		if r := w.rng.IntN(100); r >= 60 {
			kind = domain.ItemAccount
			if r >= 85 {
				kind = domain.ItemInquiry
			}
		}
		id := fmt.Sprintf("item-%d", i+1)
		dispute.Items = append(dispute.Items, domain.DisputeItem{ItemID: id, Kind: kind, Creditor: w.pick(creditors),
			AccountReference: fmt.Sprintf("DEMO-%04d-%04d", w.rng.IntN(10000), w.rng.IntN(10000))})
		pending = append(pending, id)
	}
	w.cw(dispute)
	for round := 0; ; round++ {
		refused, ok := w.decideItems(bureau, pending, round)
		if !ok {
			return false
		}
		if len(refused) == 0 {
			w.cw(append(w.meetNeed(domain.NeedCreditRepair), note("Every disputed item is blocked on her credit report."))...)
			return true
		}
		if round == 1 || !w.chance(70) || !w.wait(10, 30) {
			w.cw(note("Some items remain on her report; legal aid is looking at other routes."))
			return true
		}
		more := domain.EvidencePoliceReport
		if len(dispute.Evidence) == 4 {
			more = domain.EvidenceOther
		}
		w.cw(note("Refused items sent again with more evidence."))
		w.lazy(w.worker, func(c domain.Case) domain.Command {
			return domain.ResubmitCreditDispute{DisputeID: latestDispute(c, bureau), ItemIDs: refused, Evidence: []domain.EvidenceKind{more}}
		})
		pending = refused
	}
}

// decideItems plans the bureau's answer to each pending item and returns the ones it
// refused; false if it has not answered them all by now. Under the US Debt Bondage
// Repair Act rule a bureau answers within days; elsewhere it takes weeks. Two US
// requests in five are never answered: the demo's overdue disputes (FCRA §605C's four
// business days long past), for the bureau's and the caseworkers' due-date lists.
func (w *walker) decideItems(bureau string, items []string, round int) ([]string, bool) {
	lo, hi := 10, 40
	if bureau == BureauUS {
		lo, hi = 3, 10
		if round == 0 && w.chance(40) {
			return nil, false
		}
	}
	odds := []int{72, 80}[round]
	var refused []string
	for i, id := range items {
		if i == 0 && !w.wait(lo, hi) || i > 0 && !w.wait(0, 3) {
			return nil, false
		}
		decided := domain.RecordDisputeItemOutcome{ItemID: id, Outcome: domain.ItemBlocked}
		if !w.chance(odds) {
			refusal := pickReason(w, itemRefusals)
			decided.Outcome, decided.ReasonCode, decided.Reason = domain.ItemRefused, refusal.code, refusal.text
			refused = append(refused, id)
		}
		w.lazy(bureauActor(bureau), func(c domain.Case) domain.Command {
			decided.DisputeID = latestDispute(c, bureau)
			return decided
		})
	}
	return refused, true
}
