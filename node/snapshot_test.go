package node_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/sealing"
)

// logBuffer collects a node's log lines (written from several goroutines).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startOn starts a node on the default backends in dir, with snapshots in
// dir/snapshots as the CLI keeps them, logging into logs.
func startOn(t *testing.T, dir string, ring sealing.Keyring, logs *logBuffer) *node.Node {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(logs, nil))
	backends, err := node.OpenJetStream(context.Background(), node.JetStreamConfig{
		Store: jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval}, Logger: logger,
		PrescanKeys: true, // as serve does: the keys the snapshot's load opens are read early
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Start(context.Background(), node.Config{
		Backends: backends.Backends(), Keyring: ring, HashKey: fixtureHashKey,
		Clock: app.NewFixedClock(fixtureStart), Logger: logger, SnapshotDir: filepath.Join(dir, "snapshots"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	waitReady(t, n)
	return n
}

var (
	snapAdmin  = app.Actor{ID: "admin-1", Role: app.RoleAdmin}
	snapWorker = app.Actor{ID: "worker-1", Role: app.RoleCaseworker, Organisation: "shelter", Kind: domain.OrgShelter}
)

// seen is what a caseworker is shown of the case found by name and by document
// number: the case, her identity and her notes, opened.
func seen(t *testing.T, n *node.Node, name, doc string) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	for _, filter := range []app.CaseFilter{{SurvivorName: name}, {DocumentNumber: doc}} {
		page, err := n.Service.Cases(ctx, snapWorker, app.CaseQuery{Filter: filter, Page: app.First(10, "")})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Cases) != 1 {
			t.Fatalf("%+v finds %d cases", filter, len(page.Cases))
		}
		c := page.Cases[0]
		identity, err := c.Identity(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		notes, err := c.Notes(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		journey, err := c.Journey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		shown, err := json.Marshal([]any{c.ID(), c.Position(), identity, notes, journey})
		if err != nil {
			t.Fatal(err)
		}
		out.Write(shown)
	}
	return out.String()
}

// A node restarted on its data directory loads the snapshot it wrote when it closed
// (a log line says so), applies only the events after it, and shows the same cases —
// found by name and by document number through the blind indexes opened again, with
// her identity and notes opening as before. A store that was reset discards it.
func TestRestartLoadsTheSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ring, err := sealing.GenerateKeyring("k1")
	if err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	n := startOn(t, dir, ring, &logs)
	if !strings.Contains(logs.String(), "no snapshot") {
		t.Errorf("the first start did not say it builds from the log:\n%s", logs.String())
	}
	if _, err := n.Service.RegisterOrganisation(ctx, snapAdmin, "reg", "shelter", domain.RegisterOrganisation{
		Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
		t.Fatal(err)
	}
	name, doc := "Renata Reinicio Ejemplo", "RR-445566"
	res, err := n.Service.ReferSurvivor(ctx, snapWorker, "refer-1", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: name},
	})
	if err != nil {
		t.Fatal(err)
	}
	change := func(n *node.Node, commandID string, cmd domain.Command) {
		t.Helper()
		if _, err := n.Service.ChangeCase(ctx, snapWorker, app.CaseCommand{CommandID: commandID, CaseID: res.ID, Command: cmd}); err != nil {
			t.Fatal(err)
		}
	}
	change(n, "doc-1", domain.RequestIDDocument{Kind: domain.DocNationalID, IssuingAuthority: "Registro Civil"})
	c, err := n.Service.LoadCase(ctx, snapWorker, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	for docID := range c.Documents {
		change(n, "doc-2", domain.RecordIDDocumentObtained{DocumentID: docID, DocumentNumber: doc})
	}
	change(n, "note-1", domain.AddCaseNote{Text: "before the restart"})
	waitReady(t, n)
	before := seen(t, n, name, doc)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	written, cp := n.Snapshots.Written()
	if written == 0 || cp.Position != n.Runner.Position() {
		t.Fatalf("%d snapshots written, the last at %s; want one at %s", written, cp.Position, n.Runner.Position())
	}

	logs = logBuffer{}
	n = startOn(t, dir, ring, &logs)
	if at, ok := n.Snapshots.Loaded(); !ok || at != cp {
		t.Fatalf("the restart loaded %v at %+v; want the snapshot at %+v", ok, at, cp)
	}
	if !strings.Contains(logs.String(), "snapshot loaded") {
		t.Errorf("no log line says the snapshot was loaded:\n%s", logs.String())
	}
	if after := seen(t, n, name, doc); after != before {
		t.Errorf("after the restart:\n%s\nbefore:\n%s", after, before)
	}
	change(n, "note-2", domain.AddCaseNote{Text: "after the restart"})
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	// The store reset (its directory gone) and the snapshot kept: discarded.
	if err := os.RemoveAll(filepath.Join(dir, "jetstream")); err != nil {
		t.Fatal(err)
	}
	logs = logBuffer{}
	n = startOn(t, dir, ring, &logs)
	if _, ok := n.Snapshots.Loaded(); ok || n.Cases.Len() != 0 {
		t.Fatalf("a snapshot of the old store was loaded into the new one (%d cases)", n.Cases.Len())
	}
	if !strings.Contains(logs.String(), "snapshot discarded") || strings.Contains(logs.String(), name) {
		t.Errorf("the discard is not logged, or the log names her:\n%s", logs.String())
	}
}

// A key store given the event store's directory is refused before either opens: two
// embedded servers would share one JetStream directory. (The key store opens while
// the event store does only in a directory apart from the data directory's.)
func TestKeyStoreInTheEventStoresDirectoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	_, err := node.OpenJetStream(context.Background(), node.JetStreamConfig{
		Store: jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval}, KeysDir: dir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err == nil || !strings.Contains(err.Error(), "a directory of their own") {
		t.Fatalf("a key store in the event store's directory: %v", err)
	}
	// Nothing was left open: the directory opens again.
	backends, err := node.OpenJetStream(context.Background(), node.JetStreamConfig{
		Store:  jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := backends.Close(); err != nil {
		t.Fatal(err)
	}
}
