package node_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/node"
)

// The fixture's actors. Every name in the fixture is invented.
var (
	fixtureAdmin  = app.Actor{ID: "fx-admin", Role: app.RoleAdmin}
	fixtureWorker = app.Actor{ID: "fx-worker", Role: app.RoleCaseworker, Organisation: "fx-shelter", Kind: domain.OrgShelter}
	fixtureBank   = app.Actor{ID: "fx-banker", Role: app.RoleBank, Organisation: "fx-bank", Kind: domain.OrgBank}
	fixtureBureau = app.Actor{ID: "fx-bureau-agent", Role: app.RoleBureau, Organisation: "fx-bureau", Kind: domain.OrgCreditBureau}
)

// runFixtureJourney records at least one event of every type through the real
// commands: the directory (with a profile update, a deactivation, a reactivation and a
// survey answer), two revocations, a case that goes through the whole journey, closes
// and reopens, and a case whose survivor is erased.
func runFixtureJourney(t *testing.T, n *node.Node) {
	t.Helper()
	ctx := context.Background()
	svc := n.Service
	step := 0
	must := func(res app.Result, err error) app.Result {
		t.Helper()
		step++
		if err != nil {
			t.Fatalf("fixture step %d: %v", step, err)
		}
		return res
	}
	for _, o := range []struct {
		id   string
		kind domain.OrganisationKind
	}{
		{"fx-shelter", domain.OrgShelter}, {"fx-bank", domain.OrgBank}, {"fx-bank-2", domain.OrgBank},
		{"fx-bureau", domain.OrgCreditBureau}, {"fx-id-office", domain.OrgIDOffice}, {"fx-coalition", domain.OrgCoalition},
	} {
		must(svc.RegisterOrganisation(ctx, fixtureAdmin, "fx-org-"+o.id, o.id, domain.RegisterOrganisation{
			Name: "Fixture " + o.id, Kind: o.kind, Jurisdiction: "MX"}))
	}
	must(svc.UpdateOrganisation(ctx, fixtureAdmin, "fx-profile", "fx-bank", domain.UpdateOrganisationProfile{
		Services: []domain.Service{domain.ServiceBanking}, Programmes: []domain.Programme{domain.ProgrammeSurvivorInclusion}}))
	must(svc.DeactivateOrganisation(ctx, fixtureAdmin, "fx-off", "fx-bank-2"))
	must(svc.ReactivateOrganisation(ctx, fixtureAdmin, "fx-on", "fx-bank-2"))
	must(svc.AnswerBaselineSurvey(ctx, fixtureWorker, "fx-survey", "fx-shelter", domain.AnswerBaselineSurvey{
		Round: 2026, Services: []domain.Service{domain.ServiceShelter, domain.ServiceLegalAid}, Capacity: 24, SurvivorsPerYear: 80,
		Barriers: []domain.Barrier{domain.BarrierNoID, domain.BarrierUnawareOfProducts},
		Needs:    []domain.SurveyNeed{domain.SurveyNeedFinancialTraining, domain.SurveyNeedMoneyToOpenAccount}}))
	must(svc.RevokeToken(ctx, fixtureAdmin, "fx-revoke-token", "FIXTURETOKENID"))
	must(svc.RevokeSubject(ctx, fixtureAdmin, "fx-revoke-subject", "fx-departed-user"))

	live := must(svc.ReferSurvivor(ctx, fixtureWorker, "fx-refer-live", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "fx-shelter"}, Jurisdiction: "MX",
		Needs: []domain.Need{domain.NeedBankAccount, domain.NeedIDDocument}, Barriers: []domain.Barrier{domain.BarrierNoID},
		Survivor: domain.SurvivorDetails{FullName: "Fixture Survivor Uno", Aliases: []string{"Uno"}, DateOfBirth: "1995-02-03",
			Phone: "+52 55 0000 0001", Email: "uno@example.org", Address: "Calle Ficticia 1\nCDMX"},
	})).ID
	as := func(actor app.Actor, cmd domain.Command) {
		t.Helper()
		must(svc.ChangeCase(ctx, actor, app.CaseCommand{CommandID: fmt.Sprintf("fx-%d", step), CaseID: live, Command: cmd}))
	}
	state := func() domain.Case {
		t.Helper()
		c, err := svc.LoadCase(ctx, fixtureWorker, live)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	expires := fixtureStart.AddDate(1, 0, 0)
	for _, to := range []string{"fx-bank", "fx-bank-2"} {
		as(fixtureWorker, domain.GrantConsent{Recipient: domain.OrgRef{ID: to}, Categories: []domain.DataCategory{domain.DataBanking},
			Purposes: []domain.Purpose{domain.PurposeBanking}, ExpiresAt: expires})
	}
	as(fixtureWorker, domain.GrantConsent{Recipient: domain.OrgRef{ID: "fx-bureau"}, Categories: []domain.DataCategory{domain.DataCredit},
		Purposes: []domain.Purpose{domain.PurposeCreditRepair}, ExpiresAt: expires})
	as(fixtureWorker, domain.RequestIDDocument{Kind: domain.DocCURP, IssuingOrganisation: domain.OrgRef{ID: "fx-id-office"}})
	as(fixtureWorker, domain.RecordIDDocumentObtained{DocumentID: firstKey(state().Documents, func(d domain.IDDocument) bool { return d.Kind == domain.DocCURP }), DocumentNumber: "FIXT000000HDFXXX01"})
	as(fixtureWorker, domain.RequestIDDocument{Kind: domain.DocBirthCertificate, IssuingAuthority: "Registro Civil Ficticio"})
	as(fixtureWorker, domain.RecordIDDocumentRefused{DocumentID: firstKey(state().Documents, func(d domain.IDDocument) bool { return d.Status == domain.DocumentRequested }),
		ReasonCode: domain.RefusalMissingSupportingDocuments, Reason: "no record in the registry (fixture)"})
	for _, bank := range []string{"fx-bank", "fx-bank-2"} {
		as(fixtureWorker, domain.ReferToBank{Bank: domain.OrgRef{ID: bank}})
	}
	as(fixtureBank, domain.MakeBankOffer{Bank: domain.OrgRef{ID: "fx-bank"}, Product: domain.ProductBasicAccount, FeeCurrency: "MXN", FeeAmount: "0",
		AcceptedDocuments: []domain.DocumentKind{domain.DocCURP}, AcceptsAlternativePack: true})
	as(fixtureWorker, domain.DeclineAllOffers{ReasonCode: domain.DeclineNotReady, Reason: "she wants to wait (fixture)"})
	offer := firstKey(state().Offers, func(domain.BankOffer) bool { return true })
	as(fixtureWorker, domain.RecordSurvivorChoice{OfferID: offer})
	as(fixtureWorker, domain.ProvideDueDiligencePack{Bank: domain.OrgRef{ID: "fx-bank"}, SignedLetter: true, AccompaniedVisit: true, StaffName: "Fixture Staff"})
	pending := func() string {
		return firstKey(state().Packs, func(p domain.DueDiligencePack) bool { return p.Decision == domain.PackPending })
	}
	as(fixtureBank, domain.RecordDueDiligenceDecision{PackID: pending(), ReasonCode: domain.PackInsufficientEvidence, Reason: "unsigned (fixture)"})
	as(fixtureWorker, domain.ProvideDueDiligencePack{Bank: domain.OrgRef{ID: "fx-bank"}, SignedLetter: true})
	as(fixtureBank, domain.RecordDueDiligenceDecision{PackID: pending(), Accepted: true})
	as(fixtureWorker, domain.SubmitAccountApplication{Bank: domain.OrgRef{ID: "fx-bank"}, Product: domain.ProductBasicAccount})
	as(fixtureBank, domain.RecordAccountDeclined{Bank: domain.OrgRef{ID: "fx-bank"}, ReasonCode: domain.AccountInsufficientDocumentation, Reason: "address (fixture)"})
	as(fixtureWorker, domain.SubmitAccountApplication{Bank: domain.OrgRef{ID: "fx-bank"}, Product: domain.ProductBasicAccount})
	as(fixtureBank, domain.RecordAccountOpened{Bank: domain.OrgRef{ID: "fx-bank"}, Product: domain.ProductBasicAccount})
	as(fixtureBank, domain.RaiseSafeguardingConcern{Bank: domain.OrgRef{ID: "fx-bank"}, Category: domain.ConcernCoercion, Details: "seen at the branch (fixture)"})
	concern := firstKey(state().Concerns, func(domain.SafeguardingConcern) bool { return true })
	as(fixtureWorker, domain.AcknowledgeSafeguardingConcern{ConcernID: concern})
	as(fixtureBank, domain.ResolveSafeguardingConcern{ConcernID: concern, Resolution: domain.ResolutionSurvivorSafe, Text: "resolved (fixture)"})
	as(fixtureWorker, domain.SetSafeContactRules{Allowed: []domain.ContactChannel{domain.ChannelThroughShelter}, Notes: "only through the shelter (fixture)"})
	as(fixtureWorker, domain.RecordCreditReportObtained{Bureau: domain.OrgRef{ID: "fx-bureau"}})
	as(fixtureWorker, domain.FileCreditDispute{Bureau: domain.OrgRef{ID: "fx-bureau"},
		Items:    []domain.DisputeItem{{ItemID: "fx-item-1", Kind: domain.ItemDebt, Creditor: "Fixture Lender"}, {ItemID: "fx-item-2", Kind: domain.ItemAccount}},
		Evidence: []domain.EvidenceKind{domain.EvidenceProofOfIdentity, domain.EvidenceTraffickingDetermination}})
	itemised := firstKey(state().Disputes, func(d domain.CreditDispute) bool { return len(d.Items) > 0 })
	as(fixtureBureau, domain.RecordDisputeItemOutcome{DisputeID: itemised, ItemID: "fx-item-1", Outcome: domain.ItemBlocked})
	as(fixtureBureau, domain.RecordDisputeItemOutcome{DisputeID: itemised, ItemID: "fx-item-2", Outcome: domain.ItemRefused,
		ReasonCode: domain.DisputeInsufficientEvidence, Reason: "no letter (fixture)"})
	as(fixtureWorker, domain.ResubmitCreditDispute{DisputeID: itemised, ItemIDs: []string{"fx-item-2"}, Evidence: []domain.EvidenceKind{domain.EvidencePoliceReport}})
	as(fixtureWorker, domain.FileCreditDispute{Bureau: domain.OrgRef{ID: "fx-bureau"}, ItemCount: 2})
	whole := firstKey(state().Disputes, func(d domain.CreditDispute) bool { return len(d.Items) == 0 })
	as(fixtureBureau, domain.RecordCreditDisputeOutcome{DisputeID: whole, Outcome: domain.DisputeRefused, ReasonCode: domain.DisputeItemNotFound, Reason: "not found (fixture)"})
	as(fixtureWorker, domain.IdentifyBarrier{Barrier: domain.BarrierNoIncome})
	as(fixtureWorker, domain.ResolveBarrier{Barrier: domain.BarrierNoID})
	as(fixtureWorker, domain.IdentifyNeed{Need: domain.NeedFinancialTraining})
	as(fixtureWorker, domain.MeetNeed{Need: domain.NeedBankAccount})
	as(fixtureWorker, domain.AddCaseNote{Text: "Fixture note.\nSecond line."})
	as(fixtureWorker, domain.CloseCase{Outcome: domain.ClosureJourneyCompleted, Reason: "done (fixture)"})
	as(fixtureWorker, domain.ReopenCase{ReasonCode: domain.ReopenNewNeed, Reason: "a new debt (fixture)"})
	as(fixtureWorker, domain.RecordSubjectAccessRequest{IdentityCheckedInPerson: true, FreeWillCheckedInPerson: true})
	bank2Grant := firstKey(state().Grants, func(g domain.ConsentGrant) bool { return g.Recipient == "fx-bank-2" })
	as(fixtureWorker, domain.WithdrawConsent{GrantID: bank2Grant})

	erased := must(svc.ReferSurvivor(ctx, fixtureWorker, "fx-refer-erased", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "fx-shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Fixture Survivor Dos"},
	})).ID
	must(svc.ChangeCase(ctx, fixtureWorker, app.CaseCommand{CommandID: "fx-erased-note", CaseID: erased, Command: domain.AddCaseNote{Text: "to be erased"}}))
	must(svc.ChangeCase(ctx, fixtureWorker, app.CaseCommand{CommandID: "fx-erase", CaseID: erased,
		Command: domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest}}))

	transferFixture(t, n, must)

	// One read of personal data, so the access log has an entry.
	waitReady(t, n)
	v, _ := n.Cases.Get(live)
	if _, err := svc.OpenGroup(ctx, fixtureWorker, v, access.GroupIdentity); err != nil {
		t.Fatal(err)
	}
}

// firstKey returns the smallest key of m whose value matches (map order never shows).
func firstKey[V any](m map[string]V, match func(V) bool) string {
	best := ""
	for k, v := range m {
		if match(v) && (best == "" || k < best) {
			best = k
		}
	}
	return best
}

// transferFixture: a case whose first transfer (to an NGO in the same country) is
// declined, whose second is cancelled, and whose third, across the border, is
// accepted.
func transferFixture(t *testing.T, n *node.Node, must func(app.Result, error) app.Result) {
	t.Helper()
	ctx := context.Background()
	svc := n.Service
	for _, o := range []struct{ id, jurisdiction string }{{"fx-ngo-mx", "MX"}, {"fx-ngo-us", "US"}} {
		must(svc.RegisterOrganisation(ctx, fixtureAdmin, "fx-org-"+o.id, o.id, domain.RegisterOrganisation{
			Name: "Fixture " + o.id, Kind: domain.OrgNGO, Jurisdiction: o.jurisdiction}))
	}
	moved := must(svc.ReferSurvivor(ctx, fixtureWorker, "fx-refer-moved", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "fx-shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Fixture Survivor Tres"},
	})).ID
	step := 0
	as := func(actor app.Actor, cmd domain.Command) {
		t.Helper()
		step++
		must(svc.ChangeCase(ctx, actor, app.CaseCommand{CommandID: fmt.Sprintf("fx-moved-%d", step), CaseID: moved, Command: cmd}))
	}
	pending := func() string {
		t.Helper()
		c, err := svc.LoadCase(ctx, fixtureWorker, moved)
		if err != nil || c.PendingTransfer == nil {
			t.Fatalf("no pending transfer: %v", err)
		}
		return c.PendingTransfer.ID
	}
	mx := app.Actor{ID: "fx-ngo-mx-worker", Role: app.RoleCaseworker, Organisation: "fx-ngo-mx", Kind: domain.OrgNGO}
	us := app.Actor{ID: "fx-ngo-us-worker", Role: app.RoleCaseworker, Organisation: "fx-ngo-us", Kind: domain.OrgNGO}
	for _, to := range []string{"fx-ngo-mx", "fx-ngo-us"} {
		as(fixtureWorker, domain.GrantConsent{Recipient: domain.OrgRef{ID: to}, Categories: []domain.DataCategory{domain.DataIdentity, domain.DataNotes},
			Purposes: []domain.Purpose{domain.PurposeBanking}, ExpiresAt: fixtureStart.AddDate(1, 0, 0)})
	}
	as(fixtureWorker, domain.RequestCaseTransfer{Recipient: domain.OrgRef{ID: "fx-ngo-mx"}, ReasonCode: domain.TransferSurvivorRelocated, Reason: "she moved (fixture)"})
	as(mx, domain.DeclineCaseTransfer{TransferID: pending(), ReasonCode: domain.TransferDeclineNoCapacity, Reason: "no place (fixture)"})
	as(fixtureWorker, domain.RequestCaseTransfer{Recipient: domain.OrgRef{ID: "fx-ngo-mx"}, ReasonCode: domain.TransferOther})
	as(fixtureWorker, domain.CancelCaseTransfer{TransferID: pending()})
	as(fixtureWorker, domain.RequestCaseTransfer{Recipient: domain.OrgRef{ID: "fx-ngo-us"}, ReasonCode: domain.TransferReturningHome})
	as(us, domain.AcceptCaseTransfer{TransferID: pending()})
}
