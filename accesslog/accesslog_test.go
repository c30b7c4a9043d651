package accesslog_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

func open(t *testing.T) (*accesslog.Log, *jetstream.Store) {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Sync: jetstream.SyncInterval, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	log, err := accesslog.Open(context.Background(), store.Conn(), logger)
	if err != nil {
		t.Fatal(err)
	}
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
