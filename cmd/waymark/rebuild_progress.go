package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressView shows how a rebuild goes: a bar on a terminal, log lines otherwise (a
// bar's carriage returns and escape codes would only litter a log file or a pipe).
type progressView interface {
	// update says how many events are applied of how many (an estimate until the end).
	update(events, total int64)
	done()
}

// logEvery spaces the progress log lines.
const logEvery = 2 * time.Second

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

func newProgressView(w io.Writer, tty bool, logger *slog.Logger, what string) progressView {
	if !tty {
		return &progressLog{logger: logger, what: what, began: time.Now()}
	}
	return &progressBar{bar: progressbar.NewOptions64(1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("events"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)}
}

type progressBar struct {
	bar   *progressbar.ProgressBar
	total int64
}

func (p *progressBar) update(events, total int64) {
	total = max(total, events, 1)
	if total != p.total {
		p.bar.ChangeMax64(total)
		p.total = total
	}
	_ = p.bar.Set64(events)
}

func (p *progressBar) done() {
	_ = p.bar.Set64(p.total)
	_ = p.bar.Finish()
}

// progressLog writes a log line every logEvery: events applied, the rate and the time
// left at that rate.
type progressLog struct {
	logger *slog.Logger
	what   string
	began  time.Time
	last   time.Time
	events int64
	total  int64
}

func (p *progressLog) update(events, total int64) {
	p.events, p.total = events, max(total, events)
	if p.total == 0 || time.Since(p.last) < logEvery {
		return
	}
	p.last = time.Now()
	p.log()
}

func (p *progressLog) log() {
	took := time.Since(p.began)
	rate := float64(p.events) / max(took.Seconds(), 1e-3)
	eta := "unknown"
	if rate > 0 {
		eta = time.Duration(float64(p.total-p.events) / rate * float64(time.Second)).Round(time.Second).String()
	}
	p.logger.Info(p.what, "events", p.events, "of", p.total, "events_per_second", int64(rate), "eta", eta)
}

func (p *progressLog) done() {
	p.events = p.total
	p.log()
}

// quieter returns logger without its Info and Debug records: on a terminal the bar says
// how the rebuild goes, and the node's own progress lines would break it up.
func quieter(logger *slog.Logger) *slog.Logger {
	return slog.New(minLevel{Handler: logger.Handler(), min: slog.LevelWarn})
}

// minLevel is a handler that drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(attrs), min: h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}
