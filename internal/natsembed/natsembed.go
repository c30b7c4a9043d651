// Package natsembed starts the NATS servers Waymark embeds (the event store's and the
// key store's) one way: the server's log sent to slog, a bounded wait until it accepts
// connections, and a shutdown that waits for the server to stop. What each server is
// (accounts, listeners, storage) stays with the package that runs it.
package natsembed

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultReadyTimeout bounds how long Start waits for a server to accept connections.
const DefaultReadyTimeout = 10 * time.Second

// LevelTrace is the slog level of the server's traces (a level below debug, so that
// only a handler asking for it sees them).
const LevelTrace = slog.LevelDebug - 4

// Config is one embedded server.
type Config struct {
	// Options are the server's own; Start does not change them.
	Options *server.Options
	// Logger receives the server's logs, tagged component=Component; default
	// slog.Default().
	Logger    *slog.Logger
	Component string
	// Debug turns the server's debug logs on. Its protocol traces stay off whatever
	// this says: they carry message payloads (events, the access log, wrapped keys).
	Debug bool
	// ReadyTimeout bounds the wait for readiness; default DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// BeforeStart, when set, runs between creating the server and starting it: for
	// what must know the server before its first client can come (a custom
	// authenticator).
	BeforeStart func(*server.Server)
}

// Start creates and starts the server and waits until it accepts connections. A
// server that is not ready in time is shut down and reported.
func Start(cfg Config) (*server.Server, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.Component != "" {
		logger = logger.With("component", cfg.Component)
	}
	timeout := cfg.ReadyTimeout
	if timeout <= 0 {
		timeout = DefaultReadyTimeout
	}
	srv, err := server.NewServer(cfg.Options)
	if err != nil {
		return nil, fmt.Errorf("embedded nats server: %w", err)
	}
	if cfg.BeforeStart != nil {
		cfg.BeforeStart(srv)
	}
	srv.SetLoggerV2(&Logger{Log: logger}, cfg.Debug, false, false)
	srv.Start()
	if !srv.ReadyForConnections(timeout) {
		Shutdown(srv)
		return nil, fmt.Errorf("embedded nats server: not ready after %s", timeout)
	}
	return srv, nil
}

// Shutdown stops srv and waits until it has stopped (its files closed), so that the
// same directory can be opened again at once. A nil srv is nothing to stop.
func Shutdown(srv *server.Server) {
	if srv == nil {
		return
	}
	srv.Shutdown()
	srv.WaitForShutdown()
}
