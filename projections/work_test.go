package projections_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
)

// withWork is newModels with the work index fed after the cases.
func withWork(w *world) (*models, *projections.Work) {
	m := &models{cases: projections.NewCases(w.vault), orgs: projections.NewOrganisations(), revs: projections.NewRevocations(),
		cmds: projections.NewCommandIDs(snapshotHashKey)}
	work := projections.NewWork(m.cases, projections.WorkConfig{})
	m.runner = projections.NewRunner(w.store, testkit.Quiet(), m.orgs, m.cases, m.revs, m.cmds, work)
	return m, work
}

// Given a case shown to a bank and a snapshot written when the server stopped, when
// the server starts again from the snapshot (no event applied after it), then the work
// index is derived again from the loaded case views: the bank's and the shelter's
// queues are as they were, and the next event moves them on.
func TestWorkIndexRebuiltAfterSnapshotLoad(t *testing.T) {
	w := newWorld(t)
	w.registerShelter(t)
	ctx := context.Background()
	if _, err := w.svc.RegisterOrganisation(ctx, adminActor, "reg-bank", "bank", domain.RegisterOrganisation{
		Name: "Bank", Kind: domain.OrgBank, Jurisdiction: "MX"}); err != nil {
		t.Fatal(err)
	}
	id := w.refer(t, "Ilse Marrow", "DOC-1", "first visit")
	w.change(t, id, "grant-bank", domain.GrantConsent{Recipient: domain.OrgRef{ID: "bank"},
		Categories: []domain.DataCategory{domain.DataBanking}, Purposes: []domain.Purpose{domain.PurposeBanking},
		ExpiresAt: w.clock.Now().Add(365 * 24 * time.Hour)})
	w.change(t, id, "show-bank", domain.ReferToBank{Bank: domain.OrgRef{ID: "bank"}})
	later := w.clock.Now().Add(31 * 24 * time.Hour) // the case stalled by then

	dir := t.TempDir()
	before, work := withWork(w)
	before.withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	bankQueue, shelterQueue := work.Items("bank", later, nil), work.Items("shelter", later, nil)
	if len(bankQueue) != 1 || bankQueue[0].Kind != projections.WorkCaseShown || bankQueue[0].CaseID != id {
		t.Fatalf("the bank's queue: %+v", bankQueue)
	}
	if len(shelterQueue) != 1 || shelterQueue[0].Kind != projections.WorkCaseStalled {
		t.Fatalf("the shelter's queue a month on: %+v", shelterQueue)
	}
	before.stop(t) // writes the last snapshot

	after, again := withWork(w)
	after.withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	loaded, ok := after.snaps.Loaded()
	if !ok || loaded.Position != after.runner.Position() {
		t.Fatalf("the start did not come from the snapshot alone: loaded %v at %s, now at %s", ok, loaded.Position, after.runner.Position())
	}
	if got := again.Items("bank", later, nil); !slices.Equal(got, bankQueue) {
		t.Errorf("the bank's queue after the restart: %+v, want %+v", got, bankQueue)
	}
	if got := again.Items("shelter", later, nil); !slices.Equal(got, shelterQueue) {
		t.Errorf("the shelter's queue after the restart: %+v, want %+v", got, shelterQueue)
	}
	if got := again.Items("elsewhere", later, nil); len(got) != 0 {
		t.Errorf("an organisation the case does not concern: %+v", got)
	}

	// The restored index keeps up with new events: the offer takes the case off the
	// bank's queue, and a change published tells so.
	changes, cancel, err := again.Broker().Subscribe("bank")
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	w.clock.Advance(time.Minute)
	if _, err := w.svc.ChangeCase(ctx, bankWorker, caseCommand("offer", id, domain.MakeBankOffer{Bank: domain.OrgRef{ID: "bank"},
		Product: domain.ProductBasicAccount, FeeCurrency: "MXN", FeeAmount: "0", AcceptedDocuments: []domain.DocumentKind{domain.DocINE}})); err != nil {
		t.Fatal(err)
	}
	after.catchUp(t, w)
	if got := again.Items("bank", later, nil); len(got) != 0 {
		t.Errorf("after its offer the bank's queue: %+v", got)
	}
	c := <-changes
	if c.Organisation != "bank" || c.Kind != projections.WorkCaseShown || c.CaseID != id || c.Added {
		t.Errorf("the change published: %+v", c)
	}
}

var bankWorker = app.Actor{ID: "b1", Role: app.RoleBank, Organisation: "bank", Kind: domain.OrgBank}

func caseCommand(commandID, caseID string, cmd domain.Command) app.CaseCommand {
	return app.CaseCommand{CommandID: commandID, CaseID: caseID, Command: cmd}
}
