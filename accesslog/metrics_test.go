package accesslog_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/accesslog"
)

// roundCounts is an accesslog.Metrics that adds up what it is told.
type roundCounts struct {
	mu                     sync.Mutex
	rounds, entries, fails int
}

func (c *roundCounts) AccessLogRound(entries, failed int, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rounds++
	c.entries += entries
	c.fails += failed
}

// Every round is reported with its entries and its failures.
func TestRoundsAreReported(t *testing.T) {
	sink := &memSink{t: t}
	counts := &roundCounts{}
	l := accesslog.NewWithMetrics(sink, counts)
	defer l.Close()
	ctx := context.Background()
	if err := l.Record(ctx, entries("u", "case-1", 3, "")...); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(ctx, entries("u", "case-2", 2, "fail")...); err == nil {
		t.Fatal("a refused entry: no error")
	}
	counts.mu.Lock()
	defer counts.mu.Unlock()
	if counts.rounds != 2 || counts.entries != 5 || counts.fails != 2 {
		t.Errorf("reported %d rounds, %d entries, %d failed; want 2, 5, 2", counts.rounds, counts.entries, counts.fails)
	}
}
