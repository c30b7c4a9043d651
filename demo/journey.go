package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// walker takes one synthetic survivor as far along the journey as its dice say.
type walker struct {
	svc    *app.Service
	clock  *app.FixedClock
	rng    *rand.Rand
	n      int
	actor  app.Actor
	caseID string
	step   int
	stage  domain.Stage
	closed bool
}

// referrers are weighted: most journeys are in the Mexico pilot.
var referrers = []string{ShelterCDMX, ShelterCDMX, ShelterCDMX, ShelterPuebla, ShelterPuebla, NGOChiapas, NGOChiapas, NGOUS, NGOUK}

func jurisdictionOf(org string) string {
	for _, o := range Coalition() {
		if o.ID == org {
			return o.Jurisdiction
		}
	}
	return ""
}

// barrierOdds follow the Mexico baseline survey's order: not knowing what products
// exist is most common, then missing ID, no income, no shelter access.
var barrierOdds = []struct {
	barrier domain.Barrier
	percent int
}{
	{domain.BarrierUnawareOfProducts, 70},
	{domain.BarrierNoID, 55},
	{domain.BarrierNoIncome, 45},
	{domain.BarrierNoShelterAccess, 30},
	{domain.BarrierNeedsTransport, 20},
	{domain.BarrierNeedsTraining, 25},
}

func (w *walker) chance(percent int) bool { return w.rng.IntN(100) < percent }

func (w *walker) wait(minDays, maxDays int) {
	w.clock.Advance(time.Duration(minDays*24+w.rng.IntN((maxDays-minDays+1)*24)) * time.Hour)
}

func (w *walker) commandID() string {
	w.step++
	return fmt.Sprintf("demo-%03d-%02d", w.n, w.step)
}

func (w *walker) do(ctx context.Context, cmd domain.Command) error {
	_, err := w.svc.ChangeCase(ctx, w.actor, app.CaseCommand{CommandID: w.commandID(), CaseID: w.caseID, Command: cmd})
	if err != nil {
		return fmt.Errorf("%s: %w", cmd.CommandType(), err)
	}
	return nil
}

func (w *walker) walk(ctx context.Context) error {
	org := referrers[w.rng.IntN(len(referrers))]
	jurisdiction := jurisdictionOf(org)
	w.actor = app.Actor{ID: "demo-caseworker-" + org, Role: app.RoleCaseworker, Organisation: org}

	var barriers []domain.Barrier
	for _, b := range barrierOdds {
		if w.chance(b.percent) {
			barriers = append(barriers, b.barrier)
		}
	}
	needs := []domain.Need{domain.NeedBankAccount}
	noID := false
	for _, b := range barriers {
		if b == domain.BarrierNoID {
			noID = true
			needs = append(needs, domain.NeedIDDocument)
		}
	}
	if w.chance(40) {
		needs = append(needs, domain.NeedCreditRepair)
	}
	res, err := w.svc.ReferSurvivor(ctx, w.actor, w.commandID(), domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: org},
		Jurisdiction:          jurisdiction,
		Needs:                 needs,
		Barriers:              barriers,
		Survivor:              w.survivor(),
	})
	if err != nil {
		return fmt.Errorf("refer: %w", err)
	}
	w.caseID, w.stage = res.ID, domain.StageReferral

	// How far this journey has got: referral only, ID recovery, banking, credit repair.
	depth := w.rng.IntN(100)
	if depth < 15 {
		return w.maybeClose(ctx)
	}
	if noID || w.chance(30) {
		if err := w.recoverID(ctx, jurisdiction); err != nil {
			return err
		}
	}
	if depth < 35 || jurisdiction != "MX" {
		return w.maybeClose(ctx)
	}
	opened, err := w.openAccount(ctx)
	if err != nil {
		return err
	}
	if depth < 80 || !opened {
		return w.maybeClose(ctx)
	}
	if err := w.repairCredit(ctx); err != nil {
		return err
	}
	return w.maybeClose(ctx)
}

func (w *walker) survivor() domain.SurvivorDetails {
	given := givenNames[w.rng.IntN(len(givenNames))]
	family := familyNames[w.rng.IntN(len(familyNames))] + " " + familyNames[w.rng.IntN(len(familyNames))]
	return domain.SurvivorDetails{
		FullName:    given + " " + family,
		DateOfBirth: fmt.Sprintf("%d-%02d-%02d", 1975+w.rng.IntN(30), 1+w.rng.IntN(12), 1+w.rng.IntN(28)),
		Phone:       fmt.Sprintf("+52 55 0000 %04d", w.rng.IntN(10000)),
		Address:     fmt.Sprintf("%s %d, Ciudad Demo", streets[w.rng.IntN(len(streets))], 1+w.rng.IntN(300)),
	}
}

func (w *walker) recoverID(ctx context.Context, jurisdiction string) error {
	kind, authority := domain.DocPassport, "Passport office (demo)"
	if jurisdiction == "MX" {
		kind, authority = domain.DocCURP, "Registro Civil CDMX (demo)"
		if w.chance(40) {
			kind, authority = domain.DocINE, "INE módulo (demo)"
		}
	}
	w.wait(2, 10)
	if err := w.do(ctx, domain.RequestIDDocument{Kind: kind, IssuingAuthority: authority}); err != nil {
		return err
	}
	w.stage = domain.StageIDRecovery
	docID, err := w.lastDocumentID(ctx)
	if err != nil {
		return err
	}
	w.wait(5, 40)
	if w.chance(85) {
		return w.do(ctx, domain.RecordIDDocumentObtained{DocumentID: docID, DocumentNumber: fmt.Sprintf("DEMO%010d", w.rng.IntN(1e9))})
	}
	return w.do(ctx, domain.RecordIDDocumentRefused{DocumentID: docID, Reason: "birth record not found (demo)"})
}

func (w *walker) openAccount(ctx context.Context) (bool, error) {
	bank := domain.OrgRef{ID: BankMX}
	w.wait(3, 20)
	if err := w.do(ctx, domain.GrantConsent{
		Recipient:  bank,
		Categories: []domain.DataCategory{domain.DataIdentity, domain.DataBanking},
		Purposes:   []domain.Purpose{domain.PurposeBanking},
		ExpiresAt:  w.clock.Now().Add(365 * 24 * time.Hour),
	}); err != nil {
		return false, err
	}
	if err := w.do(ctx, domain.ReferToBank{Bank: bank}); err != nil {
		return false, err
	}
	w.stage = domain.StageAccountOpening
	if w.chance(20) {
		return false, nil // waiting for the bank
	}
	w.wait(2, 15)
	if err := w.do(ctx, domain.SubmitAccountApplication{Bank: bank, Product: domain.ProductBasicAccount}); err != nil {
		return false, err
	}
	w.wait(3, 25)
	if w.chance(80) {
		return true, w.do(ctx, domain.RecordAccountOpened{Bank: bank, Product: domain.ProductBasicAccount})
	}
	return false, w.do(ctx, domain.RecordAccountDeclined{Bank: bank, Reason: "could not verify address (demo)"})
}

func (w *walker) repairCredit(ctx context.Context) error {
	bureau := domain.OrgRef{ID: BureauMX}
	w.wait(5, 30)
	if err := w.do(ctx, domain.GrantConsent{
		Recipient:  bureau,
		Categories: []domain.DataCategory{domain.DataIdentity, domain.DataCredit},
		Purposes:   []domain.Purpose{domain.PurposeCreditRepair},
		ExpiresAt:  w.clock.Now().Add(365 * 24 * time.Hour),
	}); err != nil {
		return err
	}
	if err := w.do(ctx, domain.FileCreditDispute{Bureau: bureau, ItemCount: 1 + w.rng.IntN(4)}); err != nil {
		return err
	}
	w.stage = domain.StageCreditRepair
	if w.chance(40) {
		return nil // the bureau has not answered yet
	}
	disputeID, err := w.lastDisputeID(ctx)
	if err != nil {
		return err
	}
	w.wait(20, 60)
	if w.chance(75) {
		return w.do(ctx, domain.RecordCreditDisputeOutcome{DisputeID: disputeID, Outcome: domain.DisputeBlocked})
	}
	return w.do(ctx, domain.RecordCreditDisputeOutcome{DisputeID: disputeID, Outcome: domain.DisputeRefused, Reason: "insufficient evidence (demo)"})
}

func (w *walker) maybeClose(ctx context.Context) error {
	if w.chance(25) {
		w.wait(1, 10)
		if err := w.do(ctx, domain.AddCaseNote{Text: "Follow-up call done; survivor prefers contact through the shelter (demo)."}); err != nil {
			return err
		}
	}
	if !w.chance(12) {
		return nil
	}
	w.wait(5, 30)
	outcome := domain.ClosureJourneyCompleted
	if w.stage == domain.StageReferral {
		outcome = domain.ClosureLostContact
	}
	w.closed = true
	return w.do(ctx, domain.CloseCase{Outcome: outcome})
}

// lastDocumentID returns the id of the document still requested (the app chose it).
func (w *walker) lastDocumentID(ctx context.Context) (string, error) {
	c, err := w.svc.LoadCase(ctx, w.actor, w.caseID)
	if err != nil {
		return "", err
	}
	for id, d := range c.Documents {
		if d.Status == domain.DocumentRequested {
			return id, nil
		}
	}
	return "", fmt.Errorf("case %s has no requested document", w.caseID)
}

// lastDisputeID returns the id of the dispute still filed (the app chose it).
func (w *walker) lastDisputeID(ctx context.Context) (string, error) {
	c, err := w.svc.LoadCase(ctx, w.actor, w.caseID)
	if err != nil {
		return "", err
	}
	for id, d := range c.Disputes {
		if d.Status == domain.DisputeFiled {
			return id, nil
		}
	}
	return "", fmt.Errorf("case %s has no open dispute", w.caseID)
}
