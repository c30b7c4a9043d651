package jsaccesslog_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// openDurable opens the log on a store that fsyncs every message, as a server does by
// default (--sync always): acks come at the disk's pace.
func openDurable(t *testing.T) *accesslog.Log {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Sync: jetstream.SyncAlways, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := jsaccesslog.Open(context.Background(), store.Conn(), store, 1)
	if err != nil {
		t.Fatal(err)
	}
	log := accesslog.New(sink)
	t.Cleanup(func() { log.Close(); store.Close() })
	return log
}

func entries(actor, caseID string, n int, reason string) []accesslog.Entry {
	out := make([]accesslog.Entry, n)
	for i := range out {
		out[i] = accesslog.Entry{At: time.Date(2026, 5, 1, 12, 0, 0, i, time.UTC), Actor: actor, Role: "caseworker",
			CaseID: caseID, Groups: []string{"identity"}, Reason: reason}
	}
	return out
}

// Far more entries at once than nats.go lets be outstanding (4,000 by default) are
// all stored: the log makes callers wait rather than fail them.
func TestManyEntriesAtOnceAreAllStored(t *testing.T) {
	log := openDurable(t)
	ctx := context.Background()
	const callers, each = 30, 250 // 7,500 entries
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Go(func() {
			if err := log.Record(ctx, entries(fmt.Sprintf("u%d", i), fmt.Sprintf("case-%d", i%4), each, "")...); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a caller failed: %v", err)
	}
	total := 0
	for c := range 4 {
		got, err := log.ForCase(ctx, fmt.Sprintf("case-%d", c))
		if err != nil {
			t.Fatal(err)
		}
		total += len(got)
	}
	if total != callers*each {
		t.Errorf("%d entries stored, want %d", total, callers*each)
	}
}

// An entry that cannot be stored (larger than the server's max payload) fails its own
// call only; the calls whose entries shared its round with it succeed.
func TestOneFailingEntryFailsOnlyItsCall(t *testing.T) {
	log, _ := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	// A first large call keeps a round busy, so that the next calls share one.
	wg.Go(func() {
		if err := log.Record(ctx, entries("filler", "case-f", 2000, "")...); err != nil {
			t.Errorf("filler: %v", err)
		}
	})
	time.Sleep(time.Millisecond)
	var badErr error
	wg.Go(func() { badErr = log.Record(ctx, entries("bad", "case-x", 1, strings.Repeat("r", 2<<20))...) })
	good := make([]error, 20)
	for i := range good {
		wg.Go(func() { good[i] = log.Record(ctx, entries(fmt.Sprintf("g%d", i), "case-g", 10, "")...) })
	}
	wg.Wait()
	if badErr == nil {
		t.Errorf("an entry over the max payload was stored")
	}
	for i, err := range good {
		if err != nil {
			t.Errorf("caller %d failed with another caller's entry: %v", i, err)
		}
	}
	got, err := log.ForCase(ctx, "case-g")
	if err != nil || len(got) != 200 {
		t.Errorf("case-g has %d entries (%v), want 200", len(got), err)
	}
}

// A caller whose context ends while the log is busy gets its context's error; it
// does not hang.
func TestRecordRespectsContext(t *testing.T) {
	log, _ := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := log.Record(ctx, entries("u", "case-c", 1, "")...); err == nil {
		t.Log("stored before the cancelled context was noticed (allowed)")
	} else if err != context.Canceled {
		t.Errorf("cancelled caller: %v, want context.Canceled", err)
	}
}
