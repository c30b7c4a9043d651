package demo_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/testkit"
)

var seedNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func seed(t *testing.T) demo.Summary {
	t.Helper()
	deps := demo.Deps{Store: testkit.Store(t), Vault: testkit.Vault(t), HashKey: bytes.Repeat([]byte{1}, 32), Logger: testkit.Quiet()}
	began := time.Now()
	sum, err := demo.Seed(context.Background(), deps, seedNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d journeys (%d commands) in %s", sum.Cases, sum.Commands, time.Since(began).Round(time.Millisecond))
	t.Logf("summary: %+v", sum)
	return sum
}

// Given an empty store, when the demo is seeded, then every organisation and journey
// is there, at every stage, with the survey's barrier mix and every part of the
// journey used at least once.
func TestSeedWalksJourneysToEveryStage(t *testing.T) {
	sum := seed(t)
	if sum.Organisations != len(demo.Coalition()) || sum.Cases != demo.Journeys || sum.SurveyAnswers != 11 {
		t.Errorf("seeded %d organisations, %d cases and %d survey answers", sum.Organisations, sum.Cases, sum.SurveyAnswers)
	}
	for _, stage := range domain.AllStage() {
		if sum.ByStage[stage] == 0 {
			t.Errorf("no demo journey at stage %s: %v", stage, sum.ByStage)
		}
	}
	if sum.Closed == 0 || sum.Closed == sum.Cases {
		t.Errorf("%d of %d demo journeys are closed; want some", sum.Closed, sum.Cases)
	}
	survey := []domain.Barrier{domain.BarrierUnawareOfProducts, domain.BarrierNoID, domain.BarrierNoIncome, domain.BarrierNoShelterAccess}
	for i := 1; i < len(survey); i++ {
		if sum.Barriers[survey[i-1]] <= sum.Barriers[survey[i]] {
			t.Errorf("barrier %s on %d cases, %s on %d: want the survey's order %v (%v)",
				survey[i-1], sum.Barriers[survey[i-1]], survey[i], sum.Barriers[survey[i]], survey, sum.Barriers)
		}
	}
	for name, n := range map[string]int{
		"reopened case": sum.Reopened, "safe-contact rules": sum.ContactRules, "chosen offer": sum.ChosenOffers,
		"decline of every offer": sum.DeclinedAllOffers, "accepted due-diligence pack": sum.PacksAccepted,
		"rejected due-diligence pack": sum.PacksRejected, "account opened": sum.AccountsOpened,
		"safeguarding concern": sum.SafeguardingConcerns, "resolved safeguarding concern": sum.ConcernsResolved,
		"withdrawn consent": sum.ConsentsWithdrawn, "credit report": sum.CreditReports,
		"itemised dispute": sum.DisputeItems, "blocked item": sum.ItemsBlocked,
		"dispute with a refused item resubmitted": sum.ResubmittedDisputes,
	} {
		if n == 0 {
			t.Errorf("no %s in the demo data", name)
		}
	}
	if sum.ChosenOffers > sum.ShownToBanks || sum.AccountsOpened > sum.ShownToBanks || sum.Disputes > sum.CreditReports+sum.Reopened {
		t.Errorf("journeys out of order: %+v", sum)
	}
}

// Every organisation in the directory is valid, with unique ids; only banks take part
// in programmes, and every programme has a bank.
func TestCoalitionDirectory(t *testing.T) {
	seen := map[string]bool{}
	programmes := map[domain.Programme]bool{}
	jurisdictions := map[string]bool{}
	for _, o := range demo.Coalition() {
		if seen[o.ID] {
			t.Errorf("organisation %s listed twice", o.ID)
		}
		seen[o.ID] = true
		jurisdictions[o.Jurisdiction] = true
		if len(o.Programmes) > 0 && o.Kind != domain.OrgBank {
			t.Errorf("%s takes part in programmes but is a %s", o.ID, o.Kind)
		}
		for _, p := range o.Programmes {
			programmes[p] = true
		}
	}
	for _, id := range []string{demo.ShelterCDMX, demo.BankMX, demo.BureauMX} {
		if !seen[id] {
			t.Errorf("%s is missing from the coalition", id)
		}
	}
	for _, p := range domain.AllProgramme() {
		if !programmes[p] {
			t.Errorf("no bank takes part in %s", p)
		}
	}
	for _, j := range []string{"MX", "US", "GB", "CA", "AT", "AU"} {
		if !jurisdictions[j] {
			t.Errorf("no organisation in %s", j)
		}
	}
}

// Seeded transfers: cases moved and the journey went on with the new owner (a US
// account opened after a return home), and some transfers wait for their recipient.
func TestSeedTransfersCases(t *testing.T) {
	sum := seed(t)
	if sum.Transferred == 0 || sum.TransfersPending == 0 || sum.TransferredAccounts == 0 {
		t.Errorf("transferred %d, pending %d, accounts opened after a move abroad %d: want some of each",
			sum.Transferred, sum.TransfersPending, sum.TransferredAccounts)
	}
}
