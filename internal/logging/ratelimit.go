// Package logging holds slog handlers the server's logger is built from.
package logging

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Defaults for RateLimit: a failure that repeats for every request of a busy server
// shows a few times, then once per interval as a count.
const (
	DefaultBurst    = 5
	DefaultInterval = 10 * time.Second
	// maxKeys bounds how many distinct messages are tracked; past it the oldest
	// window is forgotten (its suppressed count is reported first).
	maxKeys = 1024
)

// RateLimitOptions configures RateLimit. Zero values take the defaults.
type RateLimitOptions struct {
	// Burst is how many records of one message pass in one interval.
	Burst int
	// Interval is the length of a window.
	Interval time.Duration
	// Now is the clock (tests); time.Now by default.
	Now func() time.Time
}

// RateLimit wraps next so that each distinct message (level and text) passes at most
// Burst times per Interval. Records past that are dropped and counted; once the
// window is over, one summary record says how many were suppressed. One failing
// dependency then costs a few log lines per interval instead of one per request — a
// log flood hides everything else and fills disks.
//
// The summary is written when the next record of any message arrives after the window
// ended (the handler has no timer of its own), so a burst that stops for good reports
// its count with the next record the server logs.
//
// Records logged with a context from Unlimited pass untouched and uncounted.
func RateLimit(next slog.Handler, opts RateLimitOptions) slog.Handler {
	if opts.Burst <= 0 {
		opts.Burst = DefaultBurst
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &rateLimited{next: next, state: &limiterState{opts: opts, windows: map[windowKey]*window{}}}
}

type windowKey struct {
	level slog.Level
	msg   string
}

type window struct {
	start      time.Time
	passed     int
	suppressed int
}

// limiterState is shared by a handler and every handler derived from it (WithAttrs,
// WithGroup), so that a message is limited however its logger was built.
type limiterState struct {
	opts    RateLimitOptions
	mu      sync.Mutex
	windows map[windowKey]*window
}

type rateLimited struct {
	next  slog.Handler
	state *limiterState
}

func (h *rateLimited) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *rateLimited) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &rateLimited{next: h.next.WithAttrs(attrs), state: h.state}
}

func (h *rateLimited) WithGroup(name string) slog.Handler {
	return &rateLimited{next: h.next.WithGroup(name), state: h.state}
}

// summary is a count of suppressed records of one message, to be logged.
type summary struct {
	key        windowKey
	suppressed int
	since      time.Time
}

func (h *rateLimited) Handle(ctx context.Context, r slog.Record) error {
	if isUnlimited(ctx) {
		return h.next.Handle(ctx, r)
	}
	now := h.state.opts.Now()
	pass, summaries := h.state.admit(windowKey{level: r.Level, msg: r.Message}, now)
	for _, s := range summaries {
		rec := slog.NewRecord(r.Time, s.key.level, "log records suppressed", 0)
		rec.AddAttrs(slog.String("message", s.key.msg), slog.Int("suppressed", s.suppressed),
			slog.Duration("over", now.Sub(s.since).Round(time.Millisecond)))
		if err := h.next.Handle(ctx, rec); err != nil {
			return err
		}
	}
	if !pass {
		return nil
	}
	return h.next.Handle(ctx, r)
}

// admit counts a record of key and says whether it passes, with the summaries of
// windows that ended (key's own first, if it had suppressed records).
func (s *limiterState) admit(key windowKey, at time.Time) (bool, []summary) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []summary
	for k, w := range s.windows {
		if at.Sub(w.start) < s.opts.Interval {
			continue
		}
		if w.suppressed > 0 {
			out = append(out, summary{key: k, suppressed: w.suppressed, since: w.start})
		}
		delete(s.windows, k)
	}
	w, ok := s.windows[key]
	if !ok {
		if len(s.windows) >= maxKeys {
			out = append(out, s.evictOldest()...)
		}
		w = &window{start: at}
		s.windows[key] = w
	}
	if w.passed < s.opts.Burst {
		w.passed++
		return true, out
	}
	w.suppressed++
	return false, out
}

func (s *limiterState) evictOldest() []summary {
	var oldest windowKey
	var first *window
	for k, w := range s.windows {
		if first == nil || w.start.Before(first.start) {
			oldest, first = k, w
		}
	}
	if first == nil {
		return nil
	}
	delete(s.windows, oldest)
	if first.suppressed == 0 {
		return nil
	}
	return []summary{{key: oldest, suppressed: first.suppressed, since: first.start}}
}
