package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/eventstore/kurrentdb/kurrenttest"
)

// waymark migrate copies a data directory's events to KurrentDB (the double) and says
// it verified them there; run again, it copies nothing.
func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	js, err := jetstream.Open(t.Context(), jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		e := eventstore.EventData{ID: fmt.Sprintf("01900000-0000-7000-8000-%012x", i+1), Type: "CaseNoteAdded", SchemaVersion: 1,
			Data: json.RawMessage(`{"n":1}`), Metadata: eventstore.Metadata{Actor: "u", Role: "caseworker", RecordedAt: time.Unix(int64(i), 0).UTC()}}
		if _, err := js.Append(t.Context(), fmt.Sprintf("case-%d", i%2), eventstore.Any, e); err != nil {
			t.Fatal(err)
		}
	}
	js.Close()
	srv, err := kurrenttest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	args := []string{"--from", "jetstream", "--to", "kurrentdb", "--data-dir", dir, "--kurrentdb-url", srv.URL()}
	var out bytes.Buffer
	if err := migrateCommand(t.Context(), args, &out, &out, quietLogger()); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if got := out.String(); !strings.Contains(got, "5 events in 2 streams (5 copied, 0 already there)") || !strings.Contains(got, "verified on kurrentdb: 2 streams, 5 events") {
		t.Errorf("migrate said:\n%s", got)
	}
	if srv.StreamLen("case-0") != 3 || srv.StreamLen("case-1") != 2 {
		t.Errorf("KurrentDB holds %d and %d events, want 3 and 2", srv.StreamLen("case-0"), srv.StreamLen("case-1"))
	}
	out.Reset()
	if err := migrateCommand(t.Context(), args, &out, &out, quietLogger()); err != nil || !strings.Contains(out.String(), "(0 copied, 5 already there)") {
		t.Errorf("migrate again: %v\n%s", err, out.String())
	}
	// An auditor verifies the events where they now are: waymark verify --store kurrentdb.
	out.Reset()
	if err := verify(t.Context(), []string{"--all", "--data-dir", dir, "--store", "kurrentdb", "--kurrentdb-url", srv.URL()}, &out, quietLogger()); err != nil ||
		!strings.Contains(out.String(), "5 events") {
		t.Errorf("verify --store kurrentdb: %v\n%s", err, out.String())
	}
	// The same under a namespace nothing was migrated to: nothing, so it was KurrentDB
	// that answered above, not the data directory's JetStream (which holds the 5 too).
	out.Reset()
	if err := verify(t.Context(), []string{"--all", "--data-dir", dir, "--store", "kurrentdb", "--kurrentdb-url", srv.URL(), "--kurrentdb-namespace", "other_"}, &out, quietLogger()); err != nil ||
		!strings.Contains(out.String(), "0 streams, 0 events") {
		t.Errorf("verify --store kurrentdb under another namespace: %v\n%s", err, out.String())
	}
	if err := verify(t.Context(), []string{"--all", "--data-dir", dir, "--store", "kurrentdb"}, &out, quietLogger()); err == nil {
		t.Error("verify --store kurrentdb without --kurrentdb-url: no error")
	}
	// A mistyped data directory or connection string is refused before anything is
	// made: no new, empty data directory is left behind.
	missing := filepath.Join(t.TempDir(), "mistyped")
	for name, args := range map[string][]string{
		"no store in the data directory":          {"--from", "jetstream", "--to", "kurrentdb", "--data-dir", missing, "--kurrentdb-url", srv.URL()},
		"a connection string that does not parse": {"--from", "kurrentdb", "--to", "jetstream", "--data-dir", missing, "--kurrentdb-url", "esdb://u:pw@bad host"},
	} {
		err := migrateCommand(t.Context(), args, &out, &out, quietLogger())
		if _, statErr := os.Stat(missing); err == nil || !errors.Is(statErr, fs.ErrNotExist) {
			t.Errorf("%s: %v, and the data directory exists: %v", name, err, statErr == nil)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("%s: the error quotes the connection string: %v", name, err)
		}
	}
	if err := migrateCommand(t.Context(), []string{"--from", "kurrentdb", "--to", "kurrentdb", "--kurrentdb-url", srv.URL()}, &out, &out, quietLogger()); err == nil {
		t.Error("migrate from kurrentdb to kurrentdb: no error")
	}
}
