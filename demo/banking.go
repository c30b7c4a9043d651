package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/waymark-org/waymark/domain"
)

// bankProfile is what a partner bank offers and which ID it accepts for opening.
type bankProfile struct {
	docs     []domain.DocumentKind
	pack     bool // considers a due-diligence pack in place of ID
	products []domain.AccountProduct
	fees     []fee
}

// fee is a monthly fee in a currency, as the bank's offer states it.
type fee struct{ currency, amount string }

func docs(k ...domain.DocumentKind) []domain.DocumentKind         { return k }
func products(p ...domain.AccountProduct) []domain.AccountProduct { return p }

var bankProfiles = map[string]bankProfile{
	BankMX: {docs(domain.DocINE, domain.DocCURP, domain.DocPassport, domain.DocResidencePermit), true,
		products(domain.ProductBasicAccount, domain.ProductBasicAccount, domain.ProductDebitCard, domain.ProductSavingsAccount),
		[]fee{{"MXN", "0"}, {"MXN", "0"}}},
	BankMX2: {docs(domain.DocINE, domain.DocPassport), false,
		products(domain.ProductBasicAccount, domain.ProductDebitCard), []fee{{"MXN", "49.00"}}},
	BankMX3: {docs(domain.DocINE, domain.DocCURP, domain.DocBirthCertificate), true,
		products(domain.ProductSavingsAccount, domain.ProductBasicAccount), []fee{{"MXN", "0"}, {"MXN", "15.00"}}},
	BankUS: {docs(domain.DocPassport, domain.DocNationalID, domain.DocResidencePermit), true,
		products(domain.ProductBasicAccount, domain.ProductDebitCard), []fee{{"USD", "0"}, {"USD", "4.95"}}},
	BankUK: {docs(domain.DocPassport, domain.DocResidencePermit, domain.DocNationalID), true,
		products(domain.ProductBasicAccount), []fee{{"GBP", "0"}}},
}

// shownBank is a bank the case was shown to, as planned.
type shownBank struct {
	id      string
	profile bankProfile
	offered bool
	product domain.AccountProduct
}

func (b *shownBank) ref() domain.OrgRef { return domain.OrgRef{ID: b.id} }

// hasIDFor reports whether she has an ID document the bank accepts.
func (w *walker) hasIDFor(b *shownBank) bool {
	return slices.ContainsFunc(w.docs, func(k domain.DocumentKind) bool { return slices.Contains(b.profile.docs, k) })
}

// banking shows the case to one to three partner banks, collects their offers and
// her choice, and opens the account. It is true once an account is open.
func (w *walker) banking() bool {
	ids := banksIn(w.org.Jurisdiction)
	if len(ids) == 0 {
		if w.wait(10, 40) {
			w.cw(note("No partner bank in this country yet; she was introduced to a community bank outside the coalition."))
			if w.chance(40) {
				w.closeCase(domain.ClosureTransferred, "Referred to a financial counselling service outside the coalition.", 5, 20)
			}
		}
		return false
	}
	if !w.wait(5, 21) {
		return false
	}
	if !w.hasBarrier(domain.BarrierNoIncome) && w.chance(6) {
		w.cw(append(w.identifyBarrier(domain.BarrierNoIncome), note("Her temporary job ended; no regular income for now."))...)
		w.soon()
	}
	count := 1
	if r := w.rng.IntN(100); len(ids) > 1 && r >= 35 {
		count = min(len(ids), 2+r/75)
	}
	var shown []*shownBank
	for _, i := range w.rng.Perm(len(ids))[:count] {
		b := &shownBank{id: ids[i], profile: bankProfiles[ids[i]]}
		shown = append(shown, b)
		w.soon()
		w.cw(domain.GrantConsent{Recipient: b.ref(), Categories: []domain.DataCategory{domain.DataIdentity, domain.DataBanking},
			Purposes: []domain.Purpose{domain.PurposeBanking}, ExpiresAt: w.at.AddDate(1, 0, 0)},
			domain.ReferToBank{Bank: b.ref()})
	}
	if w.chance(40) {
		w.cw(note(fmt.Sprintf("Shown to %d partner bank(s) with her consent; she will compare their offers with the caseworker.", count)))
	}
	// Each bank answers in its own time; some not at all.
	type answer struct {
		at time.Time
		b  *shownBank
	}
	var answers []answer
	for _, b := range shown {
		if w.chance(85) {
			w.thread(func() {
				w.wait(3, 20)
				answers = append(answers, answer{w.at, b})
			})
		}
	}
	slices.SortStableFunc(answers, func(x, y answer) int { return x.at.Compare(y.at) })
	for _, a := range answers {
		if !w.until(a.at) {
			return false
		}
		w.offer(a.b)
	}
	if len(answers) == 0 {
		if w.wait(20, 40) {
			w.cw(note("No partner bank has answered yet; the shelter is following up."))
		}
		return false
	}
	if !w.wait(3, 14) {
		return false
	}
	if w.chance(3) { // she withdraws from the journey
		for _, b := range shown {
			w.withdrawConsent(b.id)
		}
		w.closeCase(domain.ClosureSurvivorWithdrew, "She withdrew her consent and asked us to stop for now.", 0, 3)
		return false
	}
	chosen := w.choose(shown)
	return chosen != nil && w.openAccount(chosen)
}

func (w *walker) offer(b *shownBank) {
	p := b.profile
	b.offered, b.product = true, p.products[w.rng.IntN(len(p.products))]
	f := p.fees[w.rng.IntN(len(p.fees))]
	w.byBank(b.id, domain.MakeBankOffer{Bank: b.ref(), Product: b.product, FeeCurrency: f.currency, FeeAmount: f.amount,
		AcceptedDocuments: p.docs, AcceptsAlternativePack: p.pack})
}

// choose records her choice among the offers, or her declining them all; nil if she
// has chosen none by now.
func (w *walker) choose(shown []*shownBank) *shownBank {
	offered := slices.DeleteFunc(slices.Clone(shown), func(b *shownBank) bool { return !b.offered })
	var choice *shownBank
	if w.chance(14) {
		reason := pickReason(w, declineAllReasons)
		run := w.as(w.worker, domain.DeclineAllOffers{ReasonCode: reason.code, Reason: reason.text})
		w.add(func(ctx context.Context) error {
			if err := run(ctx); err != nil {
				return err
			}
			w.tally.DeclinedAllOffers++
			return nil
		})
		if !w.chance(35) {
			if w.chance(40) {
				w.closeCase(domain.ClosureOther, "She decided not to open an account for now.", 20, 60)
			}
			return nil
		}
		// She changes her mind: the shelter asks a bank for a new offer.
		if !w.wait(20, 70) {
			return nil
		}
		w.cw(note("She asked the shelter to contact the banks again."))
		choice = offered[w.rng.IntN(len(offered))]
		if !w.wait(3, 10) {
			return nil
		}
		w.offer(choice)
		if !w.wait(2, 10) {
			return nil
		}
	} else {
		pool := slices.DeleteFunc(slices.Clone(offered), func(b *shownBank) bool { return !w.hasIDFor(b) && !b.profile.pack })
		if len(pool) == 0 || w.chance(8) {
			pool = offered
		}
		choice = pool[w.rng.IntN(len(pool))]
	}
	w.chooseOffer(choice.id)
	if len(offered) > 1 && w.chance(6) { // she corrects her choice
		others := slices.DeleteFunc(slices.Clone(offered), func(b *shownBank) bool { return b == choice })
		choice = others[w.rng.IntN(len(others))]
		if !w.wait(1, 7) {
			return nil
		}
		w.cw(note("After visiting both branches she preferred the other bank's offer."))
		w.chooseOffer(choice.id)
	}
	if len(shown) > 1 && w.chance(15) { // she withdraws consent from the banks she did not choose
		if !w.wait(1, 7) {
			return nil
		}
		for _, b := range shown {
			if b != choice {
				w.withdrawConsent(b.id)
			}
		}
	}
	return choice
}

func (w *walker) chooseOffer(bank string) {
	w.lazy(w.worker, func(c domain.Case) domain.Command { return domain.RecordSurvivorChoice{OfferID: latestOffer(c, bank)} })
}

// withdrawConsent withdraws every grant in force to recipient.
func (w *walker) withdrawConsent(recipient string) {
	w.add(func(ctx context.Context) error {
		c, err := w.load(ctx)
		if err != nil {
			return err
		}
		for _, id := range grantsTo(c, recipient, w.svc.Now()) {
			if err := w.exec(ctx, w.worker, domain.WithdrawConsent{GrantID: id}); err != nil {
				return err
			}
		}
		return nil
	})
}

// openAccount takes her chosen offer to an open account: a due-diligence pack when
// she has no ID the bank accepts, transport to the branch, the application and the
// bank's answer. Concerns may be raised before the visit or once the account is used.
func (w *walker) openAccount(b *shownBank) bool {
	if !w.hasIDFor(b) {
		if !b.profile.pack {
			if w.wait(2, 10) {
				w.cw(note("The chosen bank needs an ID document it accepts; waiting for ID recovery."))
			}
			return false
		}
		if !w.dueDiligence(b) {
			return false
		}
	}
	if w.chance(5) && !w.shelterConcern(b) {
		return false
	}
	if !w.hasBarrier(domain.BarrierNeedsTransport) && w.chance(6) && w.wait(1, 5) {
		w.cw(append(w.identifyBarrier(domain.BarrierNeedsTransport), w.identifyNeed(domain.NeedTransport)...)...)
	}
	if w.hasBarrier(domain.BarrierNeedsTransport) && w.chance(75) && w.wait(1, 7) {
		cmds := append(w.resolveBarrier(domain.BarrierNeedsTransport), w.meetNeed(domain.NeedTransport)...)
		w.cw(append(cmds, note("The shelter arranged transport to the branch appointment."))...)
	}
	for attempt := 1; ; attempt++ {
		if !w.wait(1, 10) {
			return false
		}
		w.cw(domain.SubmitAccountApplication{Bank: b.ref(), Product: b.product})
		if !w.wait(2, 14) {
			return false
		}
		if w.chance(88) {
			break
		}
		declined := pickReason(w, accountDeclines)
		w.byBank(b.id, domain.RecordAccountDeclined{Bank: b.ref(), ReasonCode: declined.code, Reason: declined.text})
		if attempt == 2 || !w.chance(50) || !w.wait(10, 30) {
			return false
		}
		w.cw(note("Applying again with a letter from the shelter."))
	}
	w.byBank(b.id, domain.RecordAccountOpened{Bank: b.ref(), Product: b.product})
	if w.wait(0, 3) {
		w.cw(append(w.meetNeed(domain.NeedBankAccount), note("Account opened; the card was collected at the shelter."))...)
	}
	if w.chance(10) {
		w.bankConcern(b)
	}
	return true
}
