package jetstream

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// serverReadyTimeout bounds how long Open waits for the embedded server.
const serverReadyTimeout = 10 * time.Second

// startServer runs an embedded NATS server with JetStream file storage under
// cfg.DataDir/jetstream (the server adds the "jetstream" directory itself).
func startServer(cfg Config) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "waymark",
		JetStream:  true,
		StoreDir:   cfg.DataDir,
		SyncAlways: cfg.Sync == SyncAlways,
		NoSigs:     true,
		DontListen: cfg.ListenAddr == "",
	}
	if cfg.ListenAddr != "" {
		host, port, err := splitListenAddr(cfg.ListenAddr)
		if err != nil {
			return nil, err
		}
		opts.Host, opts.Port = host, port
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats server: %w", err)
	}
	srv.SetLoggerV2(&serverLogger{log: cfg.Logger.With("component", "nats-server")}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(serverReadyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("embedded nats server: not ready after %s", serverReadyTimeout)
	}
	return srv, nil
}

// serverLogger sends the server's logs to slog.
type serverLogger struct{ log *slog.Logger }

func (l *serverLogger) logf(level slog.Level, format string, v []any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, v...))
}

// Noticef is debug: the server's start-up banner would drown Waymark's own log, which
// says where the server listens.
func (l *serverLogger) Noticef(format string, v ...any) { l.logf(slog.LevelDebug, format, v) }
func (l *serverLogger) Warnf(format string, v ...any)   { l.logf(slog.LevelWarn, format, v) }
func (l *serverLogger) Errorf(format string, v ...any)  { l.logf(slog.LevelError, format, v) }
func (l *serverLogger) Debugf(format string, v ...any)  { l.logf(slog.LevelDebug, format, v) }
func (l *serverLogger) Tracef(format string, v ...any)  { l.logf(slog.LevelDebug-4, format, v) }

// Fatalf is logged as an error: an embedded server must not exit the process. A fatal
// error at start (say, the port is taken) leaves the server not ready, and Open fails.
func (l *serverLogger) Fatalf(format string, v ...any) { l.logf(slog.LevelError, format, v) }
