// Package node assembles one running Waymark: the event store, the projections fed
// from it, the application service and the HTTP handler. The CLI and the end-to-end
// tests build the system the same way through it.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/projections"
)

// Config configures a node.
type Config struct {
	Store   jetstream.Config
	HashKey []byte    // keys command-input hashes; the same on every replica, forever
	Clock   app.Clock // default: the system clock
	IDs     app.IDs   // default: UUIDv7
	Logger  *slog.Logger
}

// Node is one running Waymark.
type Node struct {
	Store   *jetstream.Store
	Runner  *projections.Runner
	Cases   *projections.Cases
	Orgs    *projections.Organisations
	Service *app.Service
	Handler http.Handler

	cancel context.CancelFunc
	done   chan error
}

// Start opens the store and starts feeding the projections. The projections catch up
// in the background; Runner.WaitReady tells when they have.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	cfg.Store.Logger = logger
	store, err := jetstream.Open(ctx, cfg.Store)
	if err != nil {
		return nil, fmt.Errorf("open event store: %w", err)
	}
	cases, orgs := projections.NewCases(), projections.NewOrganisations()
	runner := projections.NewRunner(store, logger, orgs, cases)
	svc, err := app.New(app.Config{
		Store: store, Runner: runner, Cases: cases, Orgs: orgs,
		Clock: cfg.Clock, IDs: cfg.IDs, Logger: logger, HashKey: cfg.HashKey,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	n := &Node{
		Store: store, Runner: runner, Cases: cases, Orgs: orgs, Service: svc,
		Handler: api.NewHandler(api.Config{Service: svc, Readiness: runner, Logger: logger}),
		cancel:  cancel, done: make(chan error, 1),
	}
	go func() {
		err := runner.Run(runCtx)
		if err != nil {
			logger.Error("projections stopped", "err", err)
		}
		n.done <- err
	}()
	return n, nil
}

// Close stops the projections and closes the store.
func (n *Node) Close() error {
	n.cancel()
	runErr := <-n.done
	storeErr := n.Store.Close()
	if errors.Is(runErr, context.Canceled) {
		runErr = nil
	}
	return errors.Join(runErr, storeErr)
}
