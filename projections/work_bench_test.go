package projections_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/projections"
)

// BenchmarkWorkQueue measures a queue read (WorkConfig.ItemsFor over the index's
// cases, sorted) for a bank shown half of 2,000 cases and for one of 10 shelters,
// beside a visit of every case, which is what the index saves:
//
//	go test -run x -bench WorkQueue ./projections/
func BenchmarkWorkQueue(b *testing.B) {
	const n, shelters = 2000, 10
	w := newWorld(b)
	ctx := context.Background()
	for i := range shelters {
		id := fmt.Sprint("shelter-", i)
		if _, err := w.svc.RegisterOrganisation(ctx, adminActor, "reg-"+id, id, domain.RegisterOrganisation{
			Name: id, Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bank := range []string{"bank-0", "bank-1"} {
		if _, err := w.svc.RegisterOrganisation(ctx, adminActor, "reg-"+bank, bank, domain.RegisterOrganisation{
			Name: bank, Kind: domain.OrgBank, Jurisdiction: "MX"}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		owner := fmt.Sprint("shelter-", i%shelters)
		worker := app.Actor{ID: "w-" + owner, Role: app.RoleCaseworker, Organisation: owner, Kind: domain.OrgShelter}
		res, err := w.svc.ReferSurvivor(ctx, worker, fmt.Sprint("refer-", i), domain.ReferSurvivor{
			ReferringOrganisation: domain.OrgRef{ID: owner}, Jurisdiction: "MX", Needs: []domain.Need{domain.NeedBankAccount},
			Survivor: domain.SurvivorDetails{FullName: fmt.Sprint("Bench Survivor ", i)}})
		if err != nil {
			b.Fatal(err)
		}
		bank := fmt.Sprint("bank-", i%2)
		for j, cmd := range []domain.Command{
			domain.GrantConsent{Recipient: domain.OrgRef{ID: bank}, Categories: []domain.DataCategory{domain.DataBanking},
				Purposes: []domain.Purpose{domain.PurposeBanking}, ExpiresAt: w.clock.Now().Add(365 * 24 * time.Hour)},
			domain.ReferToBank{Bank: domain.OrgRef{ID: bank}},
		} {
			if _, err := w.svc.ChangeCase(ctx, worker, app.CaseCommand{CommandID: fmt.Sprint("c-", i, "-", j), CaseID: res.ID, Command: cmd}); err != nil {
				b.Fatal(err)
			}
		}
	}
	m, work := withWork(w)
	m.run(b, w)
	now := w.clock.Now()
	for _, q := range []struct {
		name, org string
		want      int
	}{{"bank", "bank-0", n / 2}, {"shelter", "shelter-0", 0}} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if got := len(work.Items(q.org, now, nil)); got != q.want {
					b.Fatalf("%d items, want %d", got, q.want)
				}
			}
		})
	}
	b.Run("every-case", func(b *testing.B) {
		cfg := work.Config()
		for b.Loop() {
			items := 0
			for _, v := range m.cases.List(projections.CaseFilter{}, paging.Window{Size: n}, eventstore.Start).Cases {
				items += len(cfg.ItemsFor(v, "bank-0", now))
			}
			if items != n/2 {
				b.Fatalf("%d items", items)
			}
		}
	})
}
