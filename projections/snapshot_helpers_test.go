package projections_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// The snapshot tests run on the embedded JetStream store (positions, heads and hashes
// as the default store gives them), with a vault that really seals, and write through
// the application layer, as a server does.

var snapshotHashKey = bytes.Repeat([]byte{7}, 32)

// world is a store, a vault and the application writing to them.
type world struct {
	store *jetstream.Store
	vault *sealing.Vault
	svc   *app.Service
	clock *app.FixedClock
}

var (
	shelterWorker = app.Actor{ID: "w1", Role: app.RoleCaseworker, Organisation: "shelter", Kind: domain.OrgShelter}
	adminActor    = app.Actor{ID: "a1", Role: app.RoleAdmin}
)

func newWorld(t testing.TB) *world { return newWorldWith(t, testkit.Vault(t)) }

func newWorldWith(t testing.TB, vault *sealing.Vault) *world {
	t.Helper()
	w := &world{store: testkit.JetStreamStore(t), vault: vault, clock: app.NewFixedClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))}
	svc, err := app.New(app.Config{Store: w.store, Vault: w.vault, Clock: w.clock, Logger: testkit.Quiet(), HashKey: snapshotHashKey})
	if err != nil {
		t.Fatal(err)
	}
	w.svc = svc
	return w
}

func (w *world) registerShelter(t testing.TB) {
	t.Helper()
	if _, err := w.svc.RegisterOrganisation(context.Background(), adminActor, "reg-shelter", "shelter", domain.RegisterOrganisation{
		Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
		t.Fatal(err)
	}
}

// refer opens a case for name, with a document numbered doc and a note.
func (w *world) refer(t testing.TB, name, doc, note string) string {
	t.Helper()
	ctx := context.Background()
	id := strings.ReplaceAll(name, " ", "-")
	res, err := w.svc.ReferSurvivor(ctx, shelterWorker, "refer-"+id, domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Needs: []domain.Need{domain.NeedBankAccount}, Barriers: []domain.Barrier{domain.BarrierNoID},
		Survivor: domain.SurvivorDetails{FullName: name},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.change(t, res.ID, "doc-"+id, domain.RequestIDDocument{DocumentID: "d1", Kind: domain.DocNationalID, IssuingAuthority: "Registro Civil"})
	c, err := w.svc.LoadCase(ctx, shelterWorker, res.ID)
	if err != nil || len(c.Documents) != 1 {
		t.Fatalf("the requested document: %v, %v", c.Documents, err)
	}
	for docID := range c.Documents { // its id is the service's to draw
		w.change(t, res.ID, "got-"+id, domain.RecordIDDocumentObtained{DocumentID: docID, DocumentNumber: doc})
	}
	w.change(t, res.ID, "note-"+id, domain.AddCaseNote{NoteID: "n1", Text: note})
	return res.ID
}

func (w *world) change(t testing.TB, caseID, commandID string, cmd domain.Command) eventstore.Position {
	t.Helper()
	w.clock.Advance(time.Minute)
	res, err := w.svc.ChangeCase(context.Background(), shelterWorker, app.CaseCommand{CommandID: commandID, CaseID: caseID, Command: cmd})
	if err != nil {
		t.Fatalf("%T on %s: %v", cmd, caseID, err)
	}
	return res.Position
}

// models are fresh read models fed by a runner.
type models struct {
	cases  *projections.Cases
	orgs   *projections.Organisations
	revs   *projections.Revocations
	cmds   *projections.CommandIDs
	runner *projections.Runner
	snaps  *projections.Snapshots // nil: built from the log
	cancel context.CancelFunc
	done   chan error
}

func newModels(w *world) *models {
	m := &models{cases: projections.NewCases(w.vault), orgs: projections.NewOrganisations(), revs: projections.NewRevocations(),
		cmds: projections.NewCommandIDs(snapshotHashKey)}
	m.runner = projections.NewRunner(w.store, testkit.Quiet(), m.orgs, m.cases, m.revs, m.cmds)
	return m
}

// withSnapshots has the runner load and write snapshots in dir.
func (m *models) withSnapshots(t testing.TB, cfg projections.SnapshotConfig) *models {
	t.Helper()
	if cfg.HashKey == nil {
		cfg.HashKey = snapshotHashKey
	}
	if cfg.Logger == nil {
		cfg.Logger = testkit.Quiet()
	}
	m.snaps = projections.NewSnapshots(cfg, m.cases, m.orgs, m.revs, m.cmds)
	if err := m.runner.UseSnapshots(m.snaps); err != nil {
		t.Fatal(err)
	}
	return m
}

// run starts the runner and waits until it has applied the store's head.
func (m *models) run(t testing.TB, w *world) *models {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan error, 1)
	go func() { m.done <- m.runner.Run(ctx) }()
	t.Cleanup(func() { m.stop(t) })
	m.catchUp(t, w)
	return m
}

func (m *models) catchUp(t testing.TB, w *world) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := m.runner.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	head, err := w.store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.runner.WaitFor(ctx, head); err != nil {
		t.Fatal(err)
	}
}

// found returns how many of m's cases the blind-index token of value (of kind, drawn
// with w's vault) finds.
func (m *models) found(w *world, kind, value string) int {
	filter := projections.CaseFilter{BlindIndex: []string{w.vault.BlindIndex(kind, value)}}
	return len(m.cases.List(filter, paging.Window{Size: 10}, eventstore.Start).Cases)
}

// stop stops the runner (which writes its last snapshot) and waits for it.
func (m *models) stop(t testing.TB) {
	t.Helper()
	if m.done == nil {
		return
	}
	m.cancel()
	if err := <-m.done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("runner: %v", err)
	}
	m.done = nil
}

// sameModels fails unless a and b hold the same read models, compared through what
// they show: every case view's exported fields, the directory, the command ids.
func sameModels(t *testing.T, a, b *models) {
	t.Helper()
	all := func(m *models) []*projections.CaseView {
		return m.cases.List(projections.CaseFilter{}, paging.Window{Size: 1 << 30}, eventstore.Start).Cases
	}
	ac, bc := all(a), all(b)
	if len(ac) != len(bc) {
		t.Fatalf("%d cases and %d", len(ac), len(bc))
	}
	for i := range ac {
		if diff := viewDiff(ac[i], bc[i]); diff != "" {
			t.Errorf("case %d (%s): %s", i, ac[i].ID, diff)
		}
	}
	if ao, bo := a.orgs.List("", ""), b.orgs.List("", ""); !reflect.DeepEqual(ao, bo) {
		t.Errorf("directories differ:\n%+v\n%+v", ao, bo)
	}
	if a.cmds.Len() != b.cmds.Len() {
		t.Errorf("%d command ids and %d", a.cmds.Len(), b.cmds.Len())
	}
	if da, db := dashboardOf(t, a), dashboardOf(t, b); !reflect.DeepEqual(da, db) {
		t.Errorf("dashboards differ:\n%+v\n%+v", da, db)
	}
}

// dashboardOf is what the dashboard read model publishes for the demo's pilot over
// the demo's year and the next, and how many changes it counted.
func dashboardOf(t *testing.T, m *models) []any {
	t.Helper()
	p, err := dashboard.NewPublisher(dashboard.DefaultMinCell)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, j := range []string{"MX", "US"} {
		q := dashboard.Query{Filter: dashboard.Filter{Jurisdiction: j, From: dashboard.Month{Year: 2025, Month: time.July}, To: dashboard.Month{Year: 2026, Month: time.December}},
			Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
		var v dashboard.View
		m.cases.Dashboard().Read(func(f *dashboard.Figures) { v, err = p.Publish(f, q) })
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return append(out, m.cases.Dashboard().Changes())
}

// viewDiff names the exported fields in which two views differ.
func viewDiff(a, b *projections.CaseView) string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	var diff string
	for i := range va.NumField() {
		f := va.Type().Field(i)
		if f.IsExported() && !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			diff += fmt.Sprintf("%s: %+v != %+v; ", f.Name, va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	return diff
}
