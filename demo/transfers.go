package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// Transfers: a few Mexican journeys move to another organisation soon after the
// referral. Some move to another shelter in Mexico; some survivors return home to the
// US, where the US NGO takes the case over and the journey goes on at a US bank; one
// kind is declined (the case stays where it was); one kind is still waiting for its
// recipient, so the demo caseworkers have transfers offered to them.
//
// Which journeys move is decided by their number, not by a die: the other journeys
// draw exactly what they drew before transfers existed.

type transferFate int

const (
	noTransfer transferFate = iota
	transferInCountry
	transferHome
	transferDeclined
	transferPending
)

// fateOf picks the journeys that move: five of each kind among the 300, of those
// referred in Mexico.
func (w *walker) fateOf() transferFate {
	if w.org.Jurisdiction != "MX" {
		return noTransfer
	}
	switch w.n % 60 {
	case 7:
		return transferInCountry
	case 23, 47:
		return transferHome
	case 35:
		return transferDeclined
	case 53:
		return transferPending
	}
	return noTransfer
}

// transfer plans the journey's transfer, if it has one: the survivor's consent for
// the recipient, the owner's request, and the recipient's answer. Once the case is
// accepted, the rest of the journey is planned for the new owner, in its
// jurisdiction.
func (w *walker) transfer() {
	fate := w.fateOf()
	w.fate = fate
	if fate == noTransfer || !w.wait(2, 12) {
		return
	}
	to, code, why := w.recipientFor(fate)
	w.cw(domain.GrantConsent{Recipient: domain.OrgRef{ID: to.ID},
		Categories: []domain.DataCategory{domain.DataIdentity, domain.DataNotes, domain.DataBanking},
		Purposes:   []domain.Purpose{domain.PurposeBanking}, ExpiresAt: w.at.AddDate(1, 0, 0)})
	if !w.soon() {
		return
	}
	w.cw(domain.RequestCaseTransfer{Recipient: domain.OrgRef{ID: to.ID}, ReasonCode: code, Reason: why})
	if fate == transferPending || !w.wait(1, 6) {
		return // the recipient has not answered yet
	}
	owner, recipient := w.worker, caseworkerOf(to.ID)
	if fate == transferDeclined {
		w.answerTransfer(owner, recipient, func(id string) domain.Command {
			return domain.DeclineCaseTransfer{TransferID: id, ReasonCode: domain.TransferDeclineNoCapacity,
				Reason: "No place in our programme until next quarter; we can advise by phone meanwhile."}
		})
		w.cw(note("Casa Aurora could not take her; we go on supporting her from here."))
		return
	}
	w.answerTransfer(owner, recipient, func(id string) domain.Command { return domain.AcceptCaseTransfer{TransferID: id} })
	coalition := Coalition()
	i := slices.IndexFunc(coalition, func(o Organisation) bool { return o.ID == to.ID })
	w.org, w.worker, w.staff = to, recipient, staffFor(i)
	if w.soon() {
		w.cw(note("Took the case over; first meeting with her at our office."))
	}
}

// recipientFor names the organisation a transfer goes to, and why. Pending transfers
// go to the demo caseworkers' organisations (Refugio Esperanza, or Casa Aurora for
// Refugio Esperanza's own cases), so that they have transfers offered to them.
func (w *walker) recipientFor(fate transferFate) (Organisation, domain.TransferReason, string) {
	byID := func(id string) Organisation {
		coalition := Coalition()
		return coalition[slices.IndexFunc(coalition, func(o Organisation) bool { return o.ID == id })]
	}
	other := ShelterCDMX
	if w.org.ID == ShelterCDMX {
		other = ShelterPuebla
	}
	switch fate {
	case transferHome:
		return byID(NGOUS), domain.TransferReturningHome, "She returns home to Texas, where her sister lives."
	case transferDeclined:
		if w.org.ID == ShelterPuebla {
			other = ShelterCDMX
		} else {
			other = ShelterPuebla
		}
		return byID(other), domain.TransferSurvivorRelocated, "She is moving to Puebla to be near her aunt."
	}
	return byID(other), domain.TransferSurvivorRelocated, "She is moving to another state, away from the city where she was exploited."
}

// answerTransfer plans the recipient's answer to the pending transfer, whose id the
// application layer chose: the owner's view of the case names it.
func (w *walker) answerTransfer(owner, recipient app.Actor, answer func(transferID string) domain.Command) {
	w.add(func(ctx context.Context) error {
		c, err := w.svc.LoadCase(ctx, owner, w.caseID)
		if err != nil {
			return err
		}
		if c.PendingTransfer == nil {
			return fmt.Errorf("journey %d: no transfer pending", w.n)
		}
		return w.exec(ctx, recipient, answer(c.PendingTransfer.ID))
	})
}

func caseworkerOf(org string) app.Actor {
	return app.Actor{ID: "demo-caseworker-1-" + org, Role: app.RoleCaseworker, Organisation: org}
}

// addTransfers counts a case's transfers in the summary.
func (s *Summary) addTransfers(c domain.Case) {
	if len(c.FormerOwners) > 0 {
		s.Transferred++
	}
	if c.PendingTransfer != nil {
		s.TransfersPending++
	}
	if len(c.FormerOwners) == 0 {
		return
	}
	for _, a := range c.Applications {
		if a.Status == domain.ApplicationOpened && slices.Contains(banksIn(c.Jurisdiction), a.Bank) && c.Jurisdiction != "MX" {
			s.TransferredAccounts++
		}
	}
}
