// Package node assembles one running Waymark: the vault over the key store, the access
// log, the projections fed from the event store, the application service and the HTTP
// handler. It is the one place backends are chosen: Start runs on Backends, behind
// their interfaces, and OpenJetStream (jetstream.go) opens the default ones. The CLI
// and the end-to-end tests build the system the same way through it.
package node

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// Config configures a node.
type Config struct {
	// Backends hold the data (OpenJetStream opens the default ones); the node owns
	// them from Start on.
	Backends Backends
	Keyring  sealing.Keyring
	// Vault, when set, is used instead of a vault over Backends.Keys (replicas in one
	// process share one; the caller closes its key store).
	Vault   *sealing.Vault
	HashKey []byte // keys command-input hashes, command ids and derived ids; the same on every replica, forever
	// MaxConsent is the longest a consent grant may run (default app.DefaultMaxConsent).
	MaxConsent time.Duration
	Clock      app.Clock // default: the system clock
	IDs        app.IDs   // default: UUIDv7
	Logger     *slog.Logger
	API        api.Config // Service, Readiness and Logger are filled in here
	// AuditKey is the public audit key verifyCase checks checkpoints with (nil: the
	// chain alone).
	AuditKey ed25519.PublicKey
	// SnapshotDir, when set, keeps a snapshot of the read models there
	// (<data-dir>/snapshots for the CLI): loaded at start, so that the node applies
	// only the events after it, and written while it runs and when it closes.
	SnapshotDir string
	// SnapshotEvery and SnapshotInterval: how often (projections.SnapshotConfig;
	// zero for its defaults).
	SnapshotEvery    int
	SnapshotInterval time.Duration
}

// Node is one running Waymark.
type Node struct {
	Store       eventstore.Store
	Keys        sealing.KeyStore
	Vault       *sealing.Vault
	AccessLog   *accesslog.Log
	Runner      *projections.Runner
	Cases       *projections.Cases
	Orgs        *projections.Organisations
	Revocations *projections.Revocations
	Commands    *projections.CommandIDs
	Snapshots   *projections.Snapshots // nil without Config.SnapshotDir
	Service     *app.Service
	Handler     http.Handler

	cancel    context.CancelFunc
	done      chan error
	closeOnce sync.Once
	closeErr  error
	stopped   chan struct{} // closed when the projections stop on their own (a failure)
	backends  Backends
}

// Start builds the node on cfg.Backends and starts feeding the projections. The
// projections catch up in the background; Runner.WaitReady tells when they have. Start
// owns the backends from the call on: when it fails, it closes them.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	n := &Node{done: make(chan error, 1), stopped: make(chan struct{}), backends: cfg.Backends}
	if err := n.start(ctx, cfg); err != nil {
		n.closeStores()
		return nil, err
	}
	return n, nil
}

func (n *Node) start(ctx context.Context, cfg Config) (err error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if err := cfg.Backends.check(cfg.Vault); err != nil {
		return err
	}
	n.Store, n.Keys = cfg.Backends.Events, cfg.Backends.Keys
	if n.Vault = cfg.Vault; n.Vault == nil {
		if n.Vault, err = sealing.NewVault(n.Keys, cfg.Keyring); err != nil {
			return fmt.Errorf("open vault: %w", err)
		}
	}
	n.AccessLog = accesslog.New(cfg.Backends.AccessLog)
	n.Cases, n.Orgs, n.Revocations = projections.NewCases(n.Vault), projections.NewOrganisations(), projections.NewRevocations()
	n.Commands = projections.NewCommandIDs(cfg.HashKey)
	n.Runner = projections.NewRunner(n.Store, logger, n.Orgs, n.Cases, n.Revocations, n.Commands)
	if cfg.SnapshotDir != "" {
		n.Snapshots = projections.NewSnapshots(projections.SnapshotConfig{
			Dir: cfg.SnapshotDir, HashKey: cfg.HashKey, Every: cfg.SnapshotEvery, Interval: cfg.SnapshotInterval, Logger: logger,
		}, n.Cases, n.Orgs, n.Revocations, n.Commands)
		if err := n.Runner.UseSnapshots(n.Snapshots); err != nil {
			return err
		}
	}
	n.Service, err = app.New(app.Config{
		Store: n.Store, Runner: n.Runner, Cases: n.Cases, Orgs: n.Orgs, Revocations: n.Revocations, Commands: n.Commands,
		Vault: n.Vault, AccessLog: n.AccessLog, Clock: cfg.Clock, IDs: cfg.IDs, Logger: logger, HashKey: cfg.HashKey,
		MaxConsent: cfg.MaxConsent, AuditKey: cfg.AuditKey,
	})
	if err != nil {
		return err
	}
	apiCfg := cfg.API
	apiCfg.Service, apiCfg.Readiness, apiCfg.Logger = n.Service, n.Runner, logger
	n.Handler = api.NewHandler(apiCfg)

	runCtx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() {
		err := n.Runner.Run(runCtx)
		if err != nil {
			logger.Error("projections stopped", "err", err)
		}
		if runCtx.Err() == nil {
			close(n.stopped) // not asked to stop: the read models are frozen
		}
		n.done <- err
	}()
	return nil
}

// Stopped is closed when the projections stop on their own: reads would then be
// judged on a frozen read model (a withdrawn consent never taking effect), so the
// server must stop serving.
func (n *Node) Stopped() <-chan struct{} { return n.stopped }

// Close stops the projections (which write their last snapshot, with SnapshotDir)
// and closes the stores. Calling it again returns the first call's result.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.cancel()
		runErr := <-n.done
		if errors.Is(runErr, context.Canceled) {
			runErr = nil
		}
		n.closeErr = errors.Join(runErr, n.closeStores())
	})
	return n.closeErr
}

// closeStores stops the access log's batcher (its last rounds go to the sink), then
// closes the backends.
func (n *Node) closeStores() error {
	if n.AccessLog != nil {
		n.AccessLog.Close()
	}
	return n.backends.close()
}
