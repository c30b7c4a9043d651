package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	js "github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/retention"
)

// retentionPolicies: personal data 6 years after closure, the access log 7 years.
var retentionPolicies = retention.Policies{Default: retention.Policy{ErasePersonalAfterClosedYears: 6, DropAccessLogAfterYears: 7}}

// The retention runner, on a real embedded JetStream with a fixed clock: a case
// closed 7 years ago is erased through the erasure command (reason retention_policy,
// recorded as done by the retention policy); a case closed recently, an open one and
// one closed long ago but reopened are not. The dry run before it lists exactly that
// and changes nothing (the store's head stays). The access log's entries older than 7
// years are dropped from what queries return, and the signed checkpoints still verify.
func TestRetentionErasesCasesClosedLongAgo(t *testing.T) {
	ctx := context.Background()
	clock := app.NewFixedClock(time.Date(2019, 1, 10, 9, 0, 0, 0, time.UTC))
	backends, err := node.OpenJetStream(ctx, node.JetStreamConfig{Store: js.Config{DataDir: t.TempDir(), Sync: js.SyncInterval, Logger: testkit.Quiet()}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Start(ctx, node.Config{Backends: backends.Backends(), Keyring: testkit.Keyring(t), HashKey: key,
		Clock: clock, IDs: app.NewSequentialIDs(9), Logger: testkit.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	svc := n.Service

	admin := app.Actor{ID: "a", Role: app.RoleAdmin}
	if _, err := svc.RegisterOrganisation(ctx, admin, "org", "shelter", domain.RegisterOrganisation{
		Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "GB"}); err != nil {
		t.Fatal(err)
	}
	w := app.Actor{ID: "w", Role: app.RoleCaseworker, Organisation: "shelter", Kind: domain.OrgShelter}
	refer := func(name string) string {
		res, err := svc.ReferSurvivor(ctx, w, "refer-"+name, domain.ReferSurvivor{ReferringOrganisation: domain.OrgRef{ID: "shelter"},
			Jurisdiction: "GB", Survivor: domain.SurvivorDetails{FullName: "Person " + name}})
		if err != nil {
			t.Fatal(err)
		}
		return res.ID
	}
	change := func(caseID, commandID string, cmd domain.Command) {
		t.Helper()
		if _, err := svc.ChangeCase(ctx, w, app.CaseCommand{CommandID: commandID, CaseID: caseID, Command: cmd}); err != nil {
			t.Fatalf("%s: %v", commandID, err)
		}
	}
	old, recent, open, reopened := refer("old"), refer("recent"), refer("open"), refer("reopened")
	change(old, "close-old", domain.CloseCase{Outcome: domain.ClosureJourneyCompleted})
	change(reopened, "close-reopened", domain.CloseCase{Outcome: domain.ClosureLostContact})
	// A read of the open case's personal data, 2019: past the access log's 7 years by 2026.
	if err := n.AccessLog.Record(ctx, accesslog.Entry{At: clock.Now(), Actor: "w", Role: "caseworker", Organisation: "shelter", CaseID: open, Groups: []string{"identity"}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(400 * 24 * time.Hour) // 2020
	change(reopened, "reopen", domain.ReopenCase{ReasonCode: domain.ReopenSurvivorReturned})
	clock.Advance(5 * 365 * 24 * time.Hour) // 2025
	change(recent, "close-recent", domain.CloseCase{Outcome: domain.ClosureJourneyCompleted})
	if err := n.AccessLog.Record(ctx, accesslog.Entry{At: clock.Now(), Actor: "w", Role: "caseworker", Organisation: "shelter", CaseID: open, Groups: []string{"identity"}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(360 * 24 * time.Hour) // February 2026: "old" closed 7 years ago
	head := waitHead(t, n)

	// A checkpoint over everything, signed before anything is dropped.
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer := &audit.Signer{Store: n.Store, AccessLog: backends.AccessLog, KeyID: "test", Key: priv, Now: clock.Now}
	if _, _, err := signer.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	head = waitHead(t, n)

	r := &app.Retention{Service: func() *app.Service { return n.Current().Service }, Policies: retentionPolicies, Logger: testkit.Quiet()}
	// The dry run: what would happen, nothing done.
	plan, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Erase) != 1 || plan.Erase[0].CaseID != old || plan.Erase[0].Jurisdiction != "GB" || plan.MoreDue != 0 || plan.AccessLogDropped != 1 {
		t.Fatalf("plan = %+v, want case %s to erase and one access-log entry to drop", plan, old)
	}
	if now, _ := n.Store.Head(ctx); now != head {
		t.Fatalf("the dry run wrote: head %s → %s", head, now)
	}
	auditor := app.Actor{ID: "aud", Role: app.RoleAuditor, Organisation: "coalition", Kind: domain.OrgCoalition}
	if page, err := svc.AccessLog(ctx, auditor, open, app.AccessLogFilter{}, app.First(10, "")); err != nil || page.TotalCount != 2 {
		t.Fatalf("access log before the run: %d entries, %v; want both", page.TotalCount, err)
	}

	// The runner: its first run erases the old case.
	runs := make(chan app.RetentionReport, 1)
	r.Observe = func(rep app.RetentionReport, err error) {
		if err != nil {
			t.Errorf("retention run: %v", err)
		}
		runs <- rep
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.Run(runCtx, 0, time.Hour); close(done) }()
	rep := <-runs
	stop()
	<-done
	if len(rep.Erased) != 1 || rep.Erased[0].CaseID != old || len(rep.Skipped) != 0 {
		t.Fatalf("run = %+v", rep)
	}
	events, err := n.Store.ReadStream(ctx, eventstore.StreamName(eventstore.KindCase, old), 0)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	var erased domain.SurvivorDataErased
	if err := json.Unmarshal(last.Data, &erased); err != nil || last.Type != "SurvivorDataErased" || erased.ReasonCode != domain.ErasureRetentionPolicy {
		t.Fatalf("last event of the old case: %s %s (%v)", last.Type, last.Data, err)
	}
	if md := last.Metadata; md.Actor != app.RetentionActorID || md.Role != app.SystemRole || md.Organisation != "" || md.CommandType != "EraseSurvivorData" {
		t.Fatalf("the erasure is recorded as done by %q (%s, %q), want the retention policy", md.Actor, md.Role, md.Organisation)
	}
	if err := svc.WaitFor(ctx, last.Position.String()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{recent, open, reopened} {
		if v, _ := n.Current().Cases.Get(id); v.State.Erased {
			t.Errorf("case %s was erased", id)
		}
	}
	c, err := svc.Case(ctx, w, old, "")
	if err != nil {
		t.Fatal(err)
	}
	if id, err := c.Identity(ctx, true); err != nil || !id.Erased || id.FullName != "" {
		t.Fatalf("the old case's identity after the run: %+v, %v", id, err)
	}

	// The access log: the 2019 read is no longer returned, the 2025 one is.
	page, err := svc.AccessLog(ctx, auditor, open, app.AccessLogFilter{}, app.First(10, ""))
	if err != nil || page.TotalCount != 1 || page.Entries[0].At.Year() != 2025 {
		t.Fatalf("access log after the run: %+v, %v; want the 2025 read only", page.Entries, err)
	}
	// ... while the stored log keeps every entry the checkpoints cover: it verifies.
	if _, _, err := signer.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	cps, err := audit.StoredCheckpoints(ctx, n.Store)
	if err != nil {
		t.Fatal(err)
	}
	report, err := audit.VerifyAll(ctx, n.Store, backends.AccessLog, cps, pub)
	if err != nil {
		t.Fatalf("verification after pruning: %v", err)
	}
	if report.AccessEntries < 2 || report.Checkpoints != 2 {
		t.Fatalf("verified %+v", report)
	}

	// Again: nothing left to do, nothing written.
	head = waitHead(t, n)
	again, err := r.Apply(ctx)
	if err != nil || len(again.Erased) != 0 || again.AccessLogDropped != 0 {
		t.Fatalf("second run: %+v, %v", again, err)
	}
	if now, _ := n.Store.Head(ctx); now != head {
		t.Fatalf("a second run wrote: head %s → %s", head, now)
	}
	// The retention erasure's command id is honoured: run again on the old judgement,
	// it returns the recorded result and appends nothing.
	res, err := svc.ApplyRetention(ctx, retention.Policies{Default: retention.Policy{ErasePersonalAfterClosedYears: 6}}, 0)
	if err != nil || len(res.Erased) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if !slices.ContainsFunc(plan.Erase, func(c app.RetentionCase) bool { return app.RetentionCommandID(c) == "retention-"+old+"-default-6y" }) {
		t.Fatalf("command id %q", app.RetentionCommandID(plan.Erase[0]))
	}
}

// waitHead waits until the read models show everything stored and returns the head.
func waitHead(t *testing.T, n *node.Node) eventstore.Position {
	t.Helper()
	head, err := n.Store.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Runner.WaitFor(context.Background(), head); err != nil {
		t.Fatal(err)
	}
	return head
}
