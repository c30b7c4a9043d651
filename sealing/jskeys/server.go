package sealing

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// keyServerReadyTimeout bounds how long OpenJetStreamKeyStore waits for its server.
const keyServerReadyTimeout = 10 * time.Second

// startKeyServer runs the key store's own embedded NATS server: JetStream file storage
// under dir (the server adds the "jetstream" directory), every message fsynced before it
// is acknowledged, reachable only in-process: no client port, no monitoring port, no
// cluster. JetStream's own encryption at rest stays off on purpose: with it the server
// skips the overwrite in secure delete (filestore.go removeMsg: "If in encrypted mode
// negate secure rewrite here"); the wrapped keys are already encrypted under the KEK.
func startKeyServer(dir string, logger *slog.Logger) (*server.Server, error) {
	opts := &server.Options{
		ServerName: "waymark-keys",
		JetStream:  true,
		StoreDir:   dir,
		SyncAlways: true,
		NoSigs:     true,
		DontListen: true,
		HTTPPort:   0, // no monitoring endpoint
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("key store: embedded nats server: %w", err)
	}
	srv.SetLoggerV2(&keyServerLogger{log: logger.With("component", "nats-server-keys")}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(keyServerReadyTimeout) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("key store: embedded nats server: not ready after %s", keyServerReadyTimeout)
	}
	return srv, nil
}

// keyServerLogger sends the server's logs to slog (as eventstore/jetstream does). The
// server's debug and trace flags stay off (SetLoggerV2 above): protocol traces can carry
// message payloads, and here those are wrapped keys.
type keyServerLogger struct{ log *slog.Logger }

func (l *keyServerLogger) logf(level slog.Level, format string, v []any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, v...))
}

// Noticef is debug: the start-up banner would drown Waymark's own log.
func (l *keyServerLogger) Noticef(format string, v ...any) { l.logf(slog.LevelDebug, format, v) }
func (l *keyServerLogger) Warnf(format string, v ...any)   { l.logf(slog.LevelWarn, format, v) }
func (l *keyServerLogger) Errorf(format string, v ...any)  { l.logf(slog.LevelError, format, v) }
func (l *keyServerLogger) Debugf(format string, v ...any)  { l.logf(slog.LevelDebug, format, v) }
func (l *keyServerLogger) Tracef(format string, v ...any)  { l.logf(slog.LevelDebug-4, format, v) }

// Fatalf is logged as an error: an embedded server must not exit the process.
func (l *keyServerLogger) Fatalf(format string, v ...any) { l.logf(slog.LevelError, format, v) }
