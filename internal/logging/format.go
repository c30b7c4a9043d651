package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
)

// The formats NewHandler writes (serve --log-format).
const (
	FormatText = "text" // slog's key=value lines, for people reading a terminal
	FormatJSON = "json" // one JSON object a line, for log collectors
)

// ErrFormat is a log format that is neither FormatText nor FormatJSON.
var ErrFormat = errors.New("unknown log format")

// NewHandler returns the handler every record of the process goes through, writing to
// w in format at level and above. Wrap it in RateLimit for the server's logger.
func NewHandler(w io.Writer, format string, level slog.Leveler) (slog.Handler, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case FormatText:
		return slog.NewTextHandler(w, opts), nil
	case FormatJSON:
		return slog.NewJSONHandler(w, opts), nil
	}
	return nil, fmt.Errorf("%w %q: want %s or %s", ErrFormat, format, FormatText, FormatJSON)
}

// unlimitedKey marks a context whose records RateLimit passes whatever their count.
type unlimitedKey struct{}

// unlimited is made once: logging with it costs no allocation.
var unlimited = context.WithValue(context.Background(), unlimitedKey{}, true)

// Unlimited returns the context to log records with that RateLimit must never thin: a
// log meant to have one line per event (the request log: one per HTTP request) would
// otherwise lose all but Burst of them every interval.
func Unlimited() context.Context { return unlimited }

func isUnlimited(ctx context.Context) bool {
	return ctx != nil && ctx.Value(unlimitedKey{}) != nil
}
