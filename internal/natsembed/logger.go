package natsembed

import (
	"context"
	"fmt"
	"log/slog"
)

// Logger sends an embedded server's logs to slog (the server's Logger interface).
type Logger struct{ Log *slog.Logger }

func (l *Logger) logf(level slog.Level, format string, v []any) {
	if !l.Log.Enabled(context.Background(), level) {
		return // the formatting is the cost: skip it for dropped levels
	}
	l.Log.Log(context.Background(), level, fmt.Sprintf(format, v...))
}

// Noticef is debug: the server's start-up banner would drown Waymark's own log, which
// says where the server listens.
func (l *Logger) Noticef(format string, v ...any) { l.logf(slog.LevelDebug, format, v) }

func (l *Logger) Warnf(format string, v ...any)  { l.logf(slog.LevelWarn, format, v) }
func (l *Logger) Errorf(format string, v ...any) { l.logf(slog.LevelError, format, v) }
func (l *Logger) Debugf(format string, v ...any) { l.logf(slog.LevelDebug, format, v) }
func (l *Logger) Tracef(format string, v ...any) { l.logf(LevelTrace, format, v) }

// Fatalf is logged as an error: an embedded server must not exit the process. A fatal
// error at start (say, the port is taken) leaves the server not ready, and Start fails.
func (l *Logger) Fatalf(format string, v ...any) { l.logf(slog.LevelError, format, v) }
