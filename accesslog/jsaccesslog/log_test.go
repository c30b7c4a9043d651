package jsaccesslog_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/jsstream"
)

// open opens the log on the JetStream sink, on a store of its own (the access log
// shares the event store's connection, as a node does).
func open(t *testing.T) (*accesslog.Log, *jetstream.Store) {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Sync: jetstream.SyncInterval, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := jsaccesslog.Open(context.Background(), store.Conn(), store, 1)
	if err != nil {
		t.Fatal(err)
	}
	log := accesslog.New(sink)
	t.Cleanup(func() { log.Close(); store.Close() })
	return log, store
}

func TestRecordThenReadPerCase(t *testing.T) {
	log, _ := open(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := log.Record(ctx, accesslog.Entry{
				At: at.Add(time.Duration(i) * time.Second), Actor: fmt.Sprintf("u%d", i), Role: "caseworker",
				CaseID: []string{"case-a", "case-b"}[i%2], Groups: []string{"identity"},
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	a, err := log.ForCase(ctx, "case-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 20 {
		t.Fatalf("case-a has %d entries, want 20", len(a))
	}
	for i := 1; i < len(a); i++ {
		if a[i].At.Before(a[i-1].At) || a[i].CaseID != "case-a" {
			t.Fatalf("entries out of order or of another case: %+v", a[i])
		}
	}
	if none, err := log.ForCase(ctx, "case-z"); err != nil || len(none) != 0 {
		t.Errorf("unknown case: %v %v", none, err)
	}
}

func TestRecordFailsClosed(t *testing.T) {
	log, store := open(t)
	ctx := context.Background()
	if err := log.Record(ctx, accesslog.Entry{Actor: "u"}); !errors.Is(err, accesslog.ErrInvalidEntry) {
		t.Errorf("entry without a case: %v", err)
	}
	if err := log.Record(ctx, accesslog.Entry{Actor: "u", CaseID: "a.b"}); !errors.Is(err, accesslog.ErrInvalidEntry) {
		t.Errorf("case id with a dot: %v", err)
	}
	// With the server gone, recording fails: the caller must not return the data.
	store.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := log.Record(ctx, accesslog.Entry{Actor: "u", CaseID: "c", Groups: []string{"identity"}}); err == nil {
		t.Error("recording succeeded with the store closed")
	}
}

// The stream is the one data directories already hold: WAYMARK_ACCESS, a subject per
// case, history that cannot be deleted or purged.
func TestStreamIsAppendOnly(t *testing.T) {
	_, store := open(t)
	ctx := context.Background()
	js, err := natsjs.New(store.Conn())
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, jsaccesslog.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	cfg := st.CachedInfo().Config
	if cfg.Name != "WAYMARK_ACCESS" || !slices.Equal(cfg.Subjects, []string{"waymark.access.>"}) ||
		!cfg.DenyDelete || !cfg.DenyPurge || cfg.Storage != natsjs.FileStorage || cfg.Duplicates != jsstream.NoDedupe {
		t.Errorf("stream config = %+v", cfg)
	}
	if err := st.Purge(ctx); err == nil {
		t.Error("the access log was purged")
	}
}
