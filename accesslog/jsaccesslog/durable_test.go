package jsaccesslog_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// recordingDurable passes MakeDurable on to the store and remembers the highest
// sequence made durable.
type recordingDurable struct {
	store *jetstream.Store
	mu    sync.Mutex
	upTo  uint64
	calls int
}

func (d *recordingDurable) MakeDurable(ctx context.Context, stream string, upTo uint64) error {
	if stream != jsaccesslog.StreamName {
		return fmt.Errorf("made %s durable, not the access log", stream)
	}
	if err := d.store.MakeDurable(ctx, stream, upTo); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.upTo, d.calls = max(d.upTo, upTo), d.calls+1
	return nil
}

// With sync=always an entry is reported stored only once made durable, a round of
// entries with one sync.
func TestEntriesAreDurableWhenStored(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := jetstream.Open(t.Context(), jetstream.Config{DataDir: t.TempDir(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	durable := &recordingDurable{store: store}
	sink, err := jsaccesslog.Open(t.Context(), store.Conn(), durable, 1)
	if err != nil {
		t.Fatal(err)
	}
	entries := make([]accesslog.Entry, 20)
	for i := range entries {
		entries[i] = accesslog.Entry{At: time.Date(2026, 5, 1, 12, 0, i, 0, time.UTC), Actor: "u", Role: "caseworker",
			CaseID: fmt.Sprint("case-", i), Groups: []string{"identity"}}
	}
	for i, err := range sink.Publish(t.Context(), entries) {
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	if durable.calls != 1 || durable.upTo != 20 {
		t.Errorf("%d syncs up to %d for a round of 20 entries; want 1 up to 20", durable.calls, durable.upTo)
	}
}
