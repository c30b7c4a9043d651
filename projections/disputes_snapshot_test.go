package projections_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// The due-date index is not snapshotted: read models loaded from a snapshot rebuild it
// from the case views, and then follow the log as read models built from it do. The
// due date itself is in the snapshot (CreditDispute.DueAt).
func TestDisputesIndexAfterSnapshotLoad(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.registerShelter(t)
	if _, err := w.svc.RegisterOrganisation(ctx, adminActor, "reg-bureau", "bureau-us", domain.RegisterOrganisation{
		Name: "Bureau", Kind: domain.OrgCreditBureau, Jurisdiction: "US"}); err != nil {
		t.Fatal(err)
	}
	file := func(caseID, disputeID string) {
		w.change(t, caseID, "file-"+caseID+disputeID, domain.FileCreditDispute{DisputeID: disputeID, Bureau: domain.OrgRef{ID: "bureau-us"}, ItemCount: 1})
	}
	var cases []string
	for _, name := range []string{"Ana Plazo Ejemplo", "Bea Plazo Ejemplo"} {
		id := w.refer(t, name, "PLAZO-"+name[:3], "due")
		w.change(t, id, "grant-"+id, domain.GrantConsent{Recipient: domain.OrgRef{ID: "bureau-us"},
			Categories: []domain.DataCategory{domain.DataCredit}, Purposes: []domain.Purpose{domain.PurposeCreditRepair},
			ExpiresAt: w.clock.Now().AddDate(1, 0, 0)})
		file(id, "x")
		cases = append(cases, id)
	}
	dir := t.TempDir()
	first := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	first.stop(t)
	w.clock.Advance(24 * time.Hour)
	file(cases[1], "y")
	c, err := w.svc.LoadCase(ctx, shelterWorker, cases[0])
	if err != nil || len(c.Disputes) != 1 {
		t.Fatalf("case %s: %v %v", cases[0], c.Disputes, err)
	}
	for id := range c.Disputes { // its id is the service's to draw
		if _, err := w.svc.ChangeCase(ctx, app.Actor{ID: "ag", Role: app.RoleBureau, Organisation: "bureau-us", Kind: domain.OrgCreditBureau},
			app.CaseCommand{CommandID: "resolve", CaseID: cases[0], Command: domain.RecordCreditDisputeOutcome{DisputeID: id, Outcome: domain.DisputeBlocked}}); err != nil {
			t.Fatal(err)
		}
	}

	built := newModels(w).run(t, w)
	loaded := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	if _, ok := loaded.snaps.Loaded(); !ok {
		t.Fatal("the snapshot was not loaded")
	}
	for _, k := range []struct {
		org   string
		party projections.DueParty
	}{{"bureau-us", projections.DueForBureau}, {"shelter", projections.DueForOwner}} {
		b, l := built.cases.Disputes().Due(k.org, k.party), loaded.cases.Disputes().Due(k.org, k.party)
		if len(b) != 2 || !reflect.DeepEqual(b, l) {
			t.Errorf("%s: built %+v\nloaded %+v", k.org, b, l)
		}
		for _, d := range b {
			if d.DueAt.IsZero() || d.CaseID != cases[1] {
				t.Errorf("%s: %+v, want case %s's open disputes with a US due date", k.org, d, cases[1])
			}
		}
	}
}
