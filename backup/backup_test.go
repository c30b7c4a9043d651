package backup_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/backup"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/testkit"
)

// A backup of a real embedded store, restored into another data directory, is the
// same store: the same events at the same positions, hashes included. Its manifest
// lists each stream with its figures; a damaged file, a missing manifest and an
// existing target are refused.
func TestBackupRestoresTheSameStore(t *testing.T) {
	ctx := context.Background()
	store := testkit.JetStreamStore(t)
	if _, err := jsaccesslog.Open(ctx, store.Conn(), nil, 1); err != nil { // the access log's stream
		t.Fatal(err)
	}
	for i := range 20 {
		stream := eventstore.StreamName(eventstore.KindCase, fmt.Sprintf("c%d", i%4))
		e := eventstore.EventData{ID: fmt.Sprintf("e%02d", i), Type: "Noted", SchemaVersion: 1,
			Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), Metadata: eventstore.Metadata{Actor: "a", Role: "r"}}
		if _, err := store.Append(ctx, stream, eventstore.Any, e); err != nil {
			t.Fatal(err)
		}
	}
	head, err := store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "b1")
	m, err := backup.Write(ctx, dir, backup.Source{Events: store, By: "test"})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]backup.Stream{}
	for _, s := range m.Streams {
		names[s.Name] = s
	}
	if ev := names[jetstream.DefaultStreamName]; ev.Messages != 20 || ev.LastSeq != 20 || ev.SHA256 == "" ||
		m.IncludesKeys || m.Format != backup.FormatVersion || len(m.Secrets) != 0 {
		t.Fatalf("manifest %+v", m)
	}
	if _, ok := names[jsaccesslog.StreamName]; !ok {
		t.Fatalf("no access log in %+v", m.Streams)
	}
	if _, err := backup.Write(ctx, dir, backup.Source{Events: store}); !errors.Is(err, backup.ErrExists) {
		t.Errorf("a backup over an existing one: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".b1.partial-*")); len(leftovers) > 0 {
		t.Errorf("partial directories left: %v", leftovers)
	}

	b, err := backup.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	cfg := jetstream.Config{DataDir: target, Sync: jetstream.SyncInterval, Logger: testkit.Quiet()}
	if err := jetstream.RestoreEmbedded(ctx, cfg, func(ctx context.Context, nc *nats.Conn) error {
		_, err := b.RestoreStreams(ctx, nc, backup.ServerEvents)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	restored, err := jetstream.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if got, err := restored.Head(ctx); err != nil || got != head {
		t.Fatalf("restored head %v %v, want %v", got, err, head)
	}
	for i := range 4 {
		stream := eventstore.StreamName(eventstore.KindCase, fmt.Sprintf("c%d", i))
		want, _ := store.ReadStream(ctx, stream, 0)
		got, err := restored.ReadStream(ctx, stream, 0)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("stream %s after the restore differs: %v", stream, err)
		}
	}
	if err := jetstream.RestoreEmbedded(ctx, cfg, func(context.Context, *nats.Conn) error { return nil }); err == nil {
		t.Error("a restore into a directory that holds a store")
	}

	// Damage: one byte of the event stream's snapshot.
	file := filepath.Join(dir, filepath.FromSlash(names[jetstream.DefaultStreamName].Path))
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 1
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Open(dir); !errors.Is(err, backup.ErrCorrupt) {
		t.Errorf("a damaged backup opened: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, backup.ManifestName)); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Open(dir); !errors.Is(err, backup.ErrNotBackup) {
		t.Errorf("a backup without its manifest opened: %v", err)
	}
}
