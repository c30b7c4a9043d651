package node_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// The commands in datadir-v1 were recorded with command-id claim streams, before
// commands carried their type and fingerprint. Their ids stay taken: the read model
// of command ids learns them from the events' metadata. A retry of one on its own
// stream cannot be checked against a fingerprint: it gets the recorded result when
// its caller may act on the stream. A referral then got a random case id, so its
// retry, which now derives the case id from the command id, does not find it: it is
// refused as the id reused — never a second case.
func TestFixtureCommandIDsStayTaken(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixtureDir)); err != nil {
		t.Fatal(err)
	}
	ring, err := sealing.ReadKeyring(filepath.Join(dir, "secrets", "keyring.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := startFixtureNode(t, dir, ring)
	waitReady(t, n)
	if n.Commands.Len() == 0 {
		t.Fatal("the read model of command ids learned nothing from the fixture")
	}
	head, err := n.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cases := n.Cases.Len()

	recorded := func(stream, commandID string) app.Result {
		t.Helper()
		recs, err := n.Store.ReadStream(ctx, stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(recs) - 1; i >= 0; i-- {
			if recs[i].Metadata.CommandID == commandID {
				_, id, _ := eventstore.SplitStreamName(stream)
				return app.Result{ID: id, Version: recs[i].Revision + 1, Position: recs[i].Position}
			}
		}
		t.Fatalf("%s holds no %s", stream, commandID)
		return app.Result{}
	}

	profile := domain.UpdateOrganisationProfile{Services: []domain.Service{domain.ServiceBanking}, Programmes: []domain.Programme{domain.ProgrammeSurvivorInclusion}}
	want := recorded("organisation-fx-bank", "fx-profile")
	if got, err := n.Service.UpdateOrganisation(ctx, fixtureAdmin, "fx-profile", "fx-bank", profile); err != nil || got != want {
		t.Errorf("retry of fx-profile: %+v %v, want %+v", got, err, want)
	}
	erased := fixtureCase(t, n, "fx-refer-erased")
	want = recorded("case-"+erased, "fx-erased-note")
	note := app.CaseCommand{CommandID: "fx-erased-note", CaseID: erased, Command: domain.AddCaseNote{Text: "to be erased"}}
	if got, err := n.Service.ChangeCase(ctx, fixtureWorker, note); err != nil || got != want {
		t.Errorf("retry of fx-erased-note: %+v %v, want %+v", got, err, want)
	}

	live := fixtureCase(t, n, "fx-refer-live")
	for what, try := range map[string]func() error{
		"fx-erased-note on the live case": func() error {
			_, err := n.Service.ChangeCase(ctx, fixtureWorker, app.CaseCommand{CommandID: "fx-erased-note", CaseID: live, Command: domain.AddCaseNote{Text: "x"}})
			return err
		},
		"fx-profile for another organisation": func() error {
			_, err := n.Service.UpdateOrganisation(ctx, fixtureAdmin, "fx-profile", "fx-bureau", profile)
			return err
		},
		"the referral fx-refer-erased again": func() error {
			_, err := n.Service.ReferSurvivor(ctx, fixtureWorker, "fx-refer-erased", domain.ReferSurvivor{
				ReferringOrganisation: domain.OrgRef{ID: "fx-shelter"}, Jurisdiction: "MX",
				Survivor: domain.SurvivorDetails{FullName: "Fixture Survivor Dos"}})
			return err
		},
	} {
		if err := try(); !errors.Is(err, app.ErrCommandReused) {
			t.Errorf("%s: %v, want ErrCommandReused", what, err)
		}
	}
	if after, _ := n.Store.Head(ctx); after != head {
		t.Errorf("retries and reused ids appended: head %s, was %s", after, head)
	}
	if n.Cases.Len() != cases {
		t.Errorf("cases = %d, was %d", n.Cases.Len(), cases)
	}
}
