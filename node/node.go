// Package node assembles one running Waymark: the event store, the key store and
// vault, the access log, the projections fed from the store, the application service
// and the HTTP handler. The CLI and the end-to-end tests build the system the same way
// through it.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// Config configures a node.
type Config struct {
	Store jetstream.Config
	// KeysDir holds the case-key store, apart from the events (default
	// <Store.DataDir>/keys).
	KeysDir string
	Keyring sealing.Keyring
	// Vault, when set, is used instead of opening the key store in KeysDir (replicas
	// in one process share one; the caller closes it).
	Vault   *sealing.Vault
	HashKey []byte // keys command-input hashes; the same on every replica, forever
	// MaxConsent is the longest a consent grant may run (default app.DefaultMaxConsent).
	MaxConsent time.Duration
	Clock      app.Clock // default: the system clock
	IDs        app.IDs   // default: UUIDv7
	Logger     *slog.Logger
	API        api.Config // Service, Readiness and Logger are filled in here
}

// Node is one running Waymark.
type Node struct {
	Store       *jetstream.Store
	Keys        sealing.KeyStore
	Vault       *sealing.Vault
	AccessLog   *accesslog.Log
	Runner      *projections.Runner
	Cases       *projections.Cases
	Orgs        *projections.Organisations
	Revocations *projections.Revocations
	Service     *app.Service
	Handler     http.Handler

	cancel    context.CancelFunc
	done      chan error
	closeOnce sync.Once
	closeErr  error
	stopped   chan struct{} // closed when the projections stop on their own (a failure)
}

// Start opens the stores and starts feeding the projections. The projections catch
// up in the background; Runner.WaitReady tells when they have.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	n := &Node{done: make(chan error, 1), stopped: make(chan struct{})}
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
	cfg.Store.Logger = logger
	if n.Store, err = jetstream.Open(ctx, cfg.Store); err != nil {
		return fmt.Errorf("open event store: %w", err)
	}
	keysDir := cfg.KeysDir
	if keysDir == "" {
		keysDir = filepath.Join(cfg.Store.DataDir, "keys")
	}
	if n.Vault = cfg.Vault; n.Vault == nil {
		if n.Keys, err = jskeys.Open(ctx, keysDir, logger); err != nil {
			return fmt.Errorf("open key store: %w", err)
		}
		if n.Vault, err = sealing.NewVault(n.Keys, cfg.Keyring); err != nil {
			return fmt.Errorf("open vault: %w", err)
		}
	}
	sink, err := jsaccesslog.Open(ctx, n.Store.Conn())
	if err != nil {
		return err
	}
	n.AccessLog = accesslog.New(sink)
	n.Cases, n.Orgs, n.Revocations = projections.NewCases(n.Vault), projections.NewOrganisations(), projections.NewRevocations()
	n.Runner = projections.NewRunner(n.Store, logger, n.Orgs, n.Cases, n.Revocations)
	n.Service, err = app.New(app.Config{
		Store: n.Store, Runner: n.Runner, Cases: n.Cases, Orgs: n.Orgs, Revocations: n.Revocations,
		Vault: n.Vault, AccessLog: n.AccessLog, Clock: cfg.Clock, IDs: cfg.IDs, Logger: logger, HashKey: cfg.HashKey,
		MaxConsent: cfg.MaxConsent,
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

// Close stops the projections and closes the stores. Calling it again returns the
// first call's result.
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

func (n *Node) closeStores() error {
	var errs []error
	if n.AccessLog != nil {
		n.AccessLog.Close()
	}
	if n.Keys != nil {
		errs = append(errs, n.Keys.Close())
	}
	if n.Store != nil {
		errs = append(errs, n.Store.Close())
	}
	return errors.Join(errs...)
}
