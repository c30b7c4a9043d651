package demo_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
)

// Given the seeded demo, when every bank and every bureau of the coalition reads its
// work queue (only the cases it may see, as myWork decides), then none of them has
// an empty one; and some support organisation has a transfer offered to it.
func TestEveryDemoBankAndBureauHasWork(t *testing.T) {
	store, vault := testkit.Store(t), testkit.Vault(t)
	deps := demo.Deps{Store: store, Vault: vault, HashKey: bytes.Repeat([]byte{1}, 32), Logger: testkit.Quiet()}
	if _, err := demo.Seed(context.Background(), deps, seedNow); err != nil {
		t.Fatal(err)
	}
	cases := projections.NewCases(vault)
	work := projections.NewWork(cases, projections.WorkConfig{})
	runner := projections.NewRunner(store, testkit.Quiet(), cases, work)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wait, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	if err := runner.WaitReady(wait); err != nil {
		t.Fatal(err)
	}
	transfers := 0
	for _, org := range demo.Coalition() {
		role := access.RoleBank
		switch org.Kind {
		case domain.OrgBank:
		case domain.OrgCreditBureau:
			role = access.RoleBureau
		case domain.OrgShelter, domain.OrgNGO:
			// Support organisations: the transfers the demo leaves pending wait for them.
			actor := access.Actor{ID: "demo-" + org.ID, Role: access.RoleCaseworker, Organisation: org.ID, Kind: org.Kind}
			for _, item := range work.Items(org.ID, seedNow, func(v *projections.CaseView) bool { return access.VisibleCase(actor, &v.State, seedNow) }) {
				if item.Kind == projections.WorkTransferOffered {
					transfers++
				}
			}
			continue
		default:
			continue
		}
		actor := access.Actor{ID: "demo-" + org.ID, Role: role, Organisation: org.ID, Kind: org.Kind}
		items := work.Items(org.ID, seedNow, func(v *projections.CaseView) bool { return access.VisibleCase(actor, &v.State, seedNow) })
		kinds := map[projections.WorkKind]int{}
		for _, item := range items {
			kinds[item.Kind]++
		}
		t.Logf("%s (%s): %d items %v", org.ID, org.Kind, len(items), kinds)
		if len(items) == 0 {
			t.Errorf("%s (%s) has no work in the demo", org.ID, org.Kind)
		}
	}
	if transfers == 0 {
		t.Error("no transfer waits for a support organisation in the demo")
	}
	t.Logf("%d transfers offered wait for support organisations", transfers)
}
