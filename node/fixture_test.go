package node_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// node/testdata/datadir-v1 is the data directory the hardening release wrote, with
// every event type of that release in it, committed so that every later change must
// keep opening it: the events on disk are a contract. It holds only synthetic data,
// and its keyring is a test key that protects nothing real. It is never rewritten.
//
// Event types added later, and types given a new schema version, are kept as stored
// events in codec/testdata/fixture-v<N>.jsonl, which codec's tests decode and fold and
// which together must hold every type at its current version. After adding an event
// type or a version, add it to the fixture journey (fixture_journey_test.go) and write
// the next fixture file: go test ./node -run TestWriteEventFixture -write-event-fixture
var writeEventFixture = flag.Bool("write-event-fixture", false,
	"write codec/testdata/fixture-v<next>.jsonl with the fixture journey's streams that hold an event type or version no earlier fixture has")

const fixtureDir = "testdata/datadir-v1"

// hardeningEventTypes is how many event types the hardening release had: all of them
// are in datadir-v1.
const hardeningEventTypes = 39

var (
	fixtureHashKey = bytes.Repeat([]byte{9}, 32)
	fixtureStart   = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
)

func TestFixtureDataDirectoryOpens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fixtureDir)); err != nil {
		t.Fatalf("copy the fixture: %v (regenerate it with -update-fixture)", err)
	}
	ring, err := sealing.ReadKeyring(filepath.Join(dir, "secrets", "keyring.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := startFixtureNode(t, dir, ring)
	waitReady(t, n)

	// Every event of the hardening release's types decodes, and every stream's hash
	// chain holds.
	seen := map[string]bool{}
	streams := map[string]bool{}
	sub, err := n.Store.Subscribe(ctx, eventstore.Start)
	if err != nil {
		t.Fatal(err)
	}
	head, err := n.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for rec := range sub.Events() {
		streams[rec.Stream] = true
		if kind, _, _ := eventstore.SplitStreamName(rec.Stream); kind != eventstore.KindCommand {
			if _, _, err := codec.Decode(rec); err != nil {
				t.Errorf("decode %s %s: %v", rec.Stream, rec.Type, err)
			}
			seen[rec.Type] = true
		}
		if !rec.Position.Before(head) {
			break
		}
	}
	sub.Close()
	if len(seen) < hardeningEventTypes {
		t.Errorf("the fixture holds %d event types; the hardening release wrote %d", len(seen), hardeningEventTypes)
	}
	for stream := range streams {
		recs, err := n.Store.ReadStream(ctx, stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := eventstore.VerifyChain(stream, recs); err != nil {
			t.Error(err)
		}
	}

	// The read models fold it; the personal data of the live case opens and the erased
	// one's stays erased; the access log reads.
	auditor := app.Actor{ID: "fx-auditor", Role: app.RoleAuditor, Organisation: "fx-coalition", Kind: domain.OrgCoalition}
	reading := app.WithAccessReason(ctx, "fixture compatibility check")
	live, ok := n.Cases.Get(fixtureCase(t, n, "fx-refer-live"))
	if !ok || live.State.Version < 40 || !live.State.Referred {
		t.Fatalf("the live case did not fold: %+v", live)
	}
	opener, err := n.Service.OpenGroup(reading, auditor, live, access.GroupIdentity)
	if err != nil {
		t.Fatal(err)
	}
	var s domain.SurvivorDetails
	if err := opener.Open(ctx, live.Survivor, &s); err != nil || s.FullName != "Fixture Survivor Uno" {
		t.Errorf("the live case's identity: %+v %v", s, err)
	}
	erased, ok := n.Cases.Get(fixtureCase(t, n, "fx-refer-erased"))
	if !ok || !erased.State.Erased {
		t.Fatalf("the erased case: %+v", erased)
	}
	if _, err := n.Service.OpenGroup(reading, auditor, erased, access.GroupIdentity); !errors.Is(err, app.ErrErased) {
		t.Errorf("the erased case opens: %v", err)
	}
	entries, err := n.AccessLog.ForCase(ctx, live.ID)
	if err != nil || len(entries) == 0 {
		t.Errorf("the access log: %d entries, %v", len(entries), err)
	}
}

// fixtureCase finds the case a fixture referral made, by the command id on its first
// event.
func fixtureCase(t *testing.T, n *node.Node, commandID string) string {
	t.Helper()
	for _, v := range n.Cases.List(projections.CaseFilter{}, paging.Window{Size: 100}, eventstore.Start).Cases {
		recs, err := n.Store.ReadStream(context.Background(), eventstore.StreamName(eventstore.KindCase, v.ID), 0)
		if err == nil && recs[0].Metadata.CommandID == commandID {
			return v.ID
		}
	}
	t.Fatalf("no case made by %s", commandID)
	return ""
}

func startFixtureNode(t *testing.T, dir string, ring sealing.Keyring) *node.Node {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	backends, err := node.OpenJetStream(context.Background(), node.JetStreamConfig{
		Store: jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval}, Logger: logger,
	})
	if err != nil {
		t.Fatalf("open the fixture: %v", err)
	}
	n, err := node.Start(context.Background(), node.Config{
		Backends: backends.Backends(),
		Keyring:  ring, HashKey: fixtureHashKey,
		Clock: app.NewFixedClock(fixtureStart), IDs: app.NewSequentialIDs(0xf1),
		Logger: logger,
		API:    api.Config{},
	})
	if err != nil {
		t.Fatalf("open the fixture: %v", err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func waitReady(t *testing.T, n *node.Node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Runner.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	head, err := n.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Runner.WaitFor(ctx, head); err != nil {
		t.Fatal(err)
	}
}
