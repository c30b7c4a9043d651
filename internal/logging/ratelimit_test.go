package logging_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/internal/logging"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newLogger(c *clock) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	h := logging.RateLimit(slog.NewTextHandler(&buf, nil), logging.RateLimitOptions{Burst: 3, Interval: time.Second, Now: c.Now})
	return slog.New(h), &buf
}

func count(buf *bytes.Buffer, s string) int { return strings.Count(buf.String(), s) }

// A message repeated a thousand times passes Burst times, then one summary with the
// count once the window is over; other messages are limited separately.
func TestRateLimitSuppressesRepeatsAndSummarises(t *testing.T) {
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	logger, buf := newLogger(c)
	for range 1000 {
		logger.Error("request failed", "code", "INTERNAL")
	}
	logger.Error("another failure")
	if n := count(buf, `msg="request failed"`); n != 3 {
		t.Fatalf("%d records of a repeated message passed, want the burst of 3:\n%s", n, buf)
	}
	if n := count(buf, `msg="another failure"`); n != 1 {
		t.Fatalf("a different message was suppressed with the first: %d", n)
	}
	if count(buf, "suppressed") != 0 {
		t.Fatalf("a summary before the window ended:\n%s", buf)
	}
	c.add(1100 * time.Millisecond)
	logger.Info("later")
	if !strings.Contains(buf.String(), `msg="log records suppressed" message="request failed" suppressed=997`) {
		t.Fatalf("no summary of the 997 suppressed records:\n%s", buf)
	}
	// A new window: the message passes again.
	logger.Error("request failed")
	if n := count(buf, `msg="request failed"`); n != 4 {
		t.Fatalf("the message did not pass in a new window: %d", n)
	}
}

// Loggers derived with With share the limit: the same message is one message.
func TestRateLimitSharedAcrossDerivedLoggers(t *testing.T) {
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	logger, buf := newLogger(c)
	a, b := logger.With("component", "a"), logger.WithGroup("g")
	for range 10 {
		a.Warn("slow")
		b.Warn("slow")
	}
	if n := count(buf, `msg=slow`); n != 3 {
		t.Fatalf("%d records passed through derived loggers, want 3:\n%s", n, buf)
	}
}

func TestRateLimitConcurrent(t *testing.T) {
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var buf safeBuffer
	logger := slog.New(logging.RateLimit(slog.NewTextHandler(&buf, nil), logging.RateLimitOptions{Burst: 5, Interval: time.Minute, Now: c.Now}))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				logger.ErrorContext(context.Background(), "boom")
			}
		})
	}
	wg.Wait()
	if n := strings.Count(buf.String(), "msg=boom"); n != 5 {
		t.Fatalf("%d records passed from concurrent loggers, want 5", n)
	}
}

type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Records logged with Unlimited's context all pass, and do not use up the window of
// the same message logged without it.
func TestUnlimitedRecordsPass(t *testing.T) {
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	logger, buf := newLogger(c)
	for range 100 {
		logger.InfoContext(logging.Unlimited(), "request")
	}
	for range 10 {
		logger.Info("request")
	}
	if got := count(buf, "msg=request"); got != 100+3 {
		t.Errorf("%d lines of the message, want 100 unlimited and 3 limited:\n%s", got, buf)
	}
}
