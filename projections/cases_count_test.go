package projections_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
)

// A list whose total comes from the counters (OwnerSeesAll) answers exactly as one
// that visits every case: the same total, page and next-page flag, for every owner in
// the demo and every combination of the counted filters — on read models built from
// the log, and on ones loaded from a snapshot and caught up after cases moved on.
func TestCountedListEqualsVisitedList(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Store: w.store, Vault: w.vault, HashKey: snapshotHashKey, Logger: testkit.Quiet()},
		time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	w.registerShelter(t)
	dir := t.TempDir()
	first := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	first.stop(t)
	moved := w.refer(t, "Dora Cuenta Ejemplo", "CUENTA-1", "counted")
	w.change(t, moved, "close", domain.CloseCase{Outcome: domain.ClosureSurvivorWithdrew})
	w.refer(t, "Eva Cuenta Ejemplo", "CUENTA-2", "counted too")

	built := newModels(w).run(t, w)
	loaded := newModels(w).withSnapshots(t, projections.SnapshotConfig{Dir: dir}).run(t, w)
	if _, ok := loaded.snaps.Loaded(); !ok {
		t.Fatal("the snapshot was not loaded")
	}
	owners := map[string]bool{}
	for _, v := range built.cases.List(projections.CaseFilter{}, paging.Window{Size: 10_000}, eventstore.Start).Cases {
		owners[v.State.OwnerOrganisation] = true
	}
	if len(owners) < 3 {
		t.Fatalf("only %d owners in the demo", len(owners))
	}
	stages := []domain.Stage{"", domain.StageReferral, domain.StageIDRecovery, domain.StageAccountOpening, domain.StageCreditRepair}
	statuses := []domain.Status{"", domain.StatusOpen, domain.StatusClosed}
	checked := 0
	for name, m := range map[string]*models{"built": built, "loaded": loaded} {
		for owner := range owners {
			for _, stage := range stages {
				for _, status := range statuses {
					for _, jurisdiction := range []string{"", "MX", "US"} {
						for _, size := range []int{0, 3, 1_000} {
							f := projections.CaseFilter{Organisation: owner, Stage: stage, Status: status, Jurisdiction: jurisdiction}
							visited := m.cases.List(f, paging.Window{Size: size}, eventstore.Start)
							f.OwnerSeesAll = true
							counted := m.cases.List(f, paging.Window{Size: size}, eventstore.Start)
							what := fmt.Sprintf("%s: %+v first %d", name, f, size)
							if counted.TotalCount != visited.TotalCount || counted.HasNextPage != visited.HasNextPage || len(counted.Cases) != len(visited.Cases) {
								t.Fatalf("%s: counted %d (next %v, %d cases), visited %d (next %v, %d cases)", what,
									counted.TotalCount, counted.HasNextPage, len(counted.Cases), visited.TotalCount, visited.HasNextPage, len(visited.Cases))
							}
							for i := range counted.Cases {
								if counted.Cases[i] != visited.Cases[i] {
									t.Fatalf("%s: case %d differs", what, i)
								}
							}
							checked += visited.TotalCount
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no list had any case: the test compared nothing")
	}
	built.stop(t)
	loaded.stop(t)
}
