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
	"sync/atomic"
	"time"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/calendar"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/metrics"
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
	// Calendars count the due dates of bureau block requests (nil: calendar.Default()).
	Calendars *calendar.Set
	// SnapshotDir, when set, keeps a snapshot of the read models there
	// (<data-dir>/snapshots for the CLI): loaded at start, so that the node applies
	// only the events after it, and written while it runs and when it closes.
	SnapshotDir string
	// SnapshotEvery and SnapshotInterval: how often (projections.SnapshotConfig;
	// zero for its defaults).
	SnapshotEvery    int
	SnapshotInterval time.Duration
	// SnapshotPrefetch, when it reads SnapshotDir's snapshot with HashKey, is what the
	// node's first load takes instead of reading the file: started before the stores
	// are opened, it reads and decodes the file meanwhile (projections.PrefetchSnapshot).
	SnapshotPrefetch *projections.SnapshotPrefetch
	// Work says when time makes work in the queues (a consent about to expire, a
	// stalled case); zero for projections' defaults.
	Work projections.WorkConfig
	// DashboardMinCell is the coalition dashboard's k (app.Config; zero: the default).
	DashboardMinCell int
	// Metrics, when set, gets the node's metrics: commands and appends, rate-limit
	// refusals and GraphQL timings, access-log rounds, and how late and how far behind
	// the read models are (read model "projections"). Nil: none.
	Metrics *metrics.Registry
	// Mount adds what the public listener serves beside the API (serve: the dashboard
	// page, dashboardweb.Mount). It goes inside the request log, so those requests are
	// logged like the API's. Nil: the API alone.
	Mount func(http.Handler) http.Handler
}

// Node is one running Waymark.
//
// Its read models, and the service and HTTP handler that read them, form one
// generation; a live rebuild (Rebuild, rebuild.go) builds the next beside it and swaps
// it in with one atomic pointer store. Every request goes through Handler, which
// serves it whole from the generation current when it arrived.
type Node struct {
	Store     eventstore.Store
	Keys      sealing.KeyStore
	Vault     *sealing.Vault
	AccessLog *accesslog.Log
	// Runner, Cases, Orgs, Revocations, Commands, Snapshots and Service are the read
	// models the node started with, and what reads them. After a Rebuild they are
	// retired: Current returns the ones in use.
	Runner      *projections.Runner
	Cases       *projections.Cases
	Orgs        *projections.Organisations
	Revocations *projections.Revocations
	Commands    *projections.CommandIDs
	Snapshots   *projections.Snapshots // nil without Config.SnapshotDir
	Service     *app.Service
	// Handler serves HTTP from the current generation, across rebuilds, with a line in
	// the request log for every request (api.LogRequests).
	Handler http.Handler

	cfg       Config
	logger    *slog.Logger
	current   atomic.Pointer[generation]
	life      context.Context // ends when Close begins: stops a rebuild under way
	endLife   context.CancelFunc
	rebuildMu sync.Mutex // held by a rebuild for as long as it runs; Close waits for it
	rebuild   atomic.Pointer[rebuildRun]
	closeOnce sync.Once
	closeErr  error
	stopOnce  sync.Once
	stopped   chan struct{} // closed when the current projections stop on their own (a failure)
	backends  Backends
}

// Start builds the node on cfg.Backends and starts feeding the projections. The
// projections catch up in the background; Runner.WaitReady tells when they have. Start
// owns the backends from the call on: when it fails, it closes them.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	n := &Node{stopped: make(chan struct{}), backends: cfg.Backends}
	n.life, n.endLife = context.WithCancel(context.Background())
	if err := n.start(ctx, cfg); err != nil {
		n.endLife()
		n.closeStores()
		return nil, err
	}
	return n, nil
}

func (n *Node) start(ctx context.Context, cfg Config) (err error) {
	n.logger = cfg.Logger
	if n.logger == nil {
		n.logger = slog.Default()
	}
	if err := cfg.Backends.check(cfg.Vault); err != nil {
		return err
	}
	n.cfg = cfg
	n.Store, n.Keys = cfg.Backends.Events, cfg.Backends.Keys
	if n.Vault = cfg.Vault; n.Vault == nil {
		if n.Vault, err = sealing.NewVault(n.Keys, cfg.Keyring); err != nil {
			return fmt.Errorf("open vault: %w", err)
		}
	}
	n.AccessLog = accesslog.NewWithMetrics(cfg.Backends.AccessLog, n.accessLogMetrics())
	g, err := n.newGeneration(false)
	n.cfg.SnapshotPrefetch = nil // the first generation's alone: a rebuild's reads the log
	if err != nil {
		return err
	}
	n.Runner, n.Cases, n.Orgs, n.Revocations, n.Commands = g.runner, g.cases, g.orgs, g.revs, g.cmds
	n.Snapshots, n.Service = g.snapshots, g.service
	n.Handler = n.publicHandler()
	n.current.Store(g)
	if cfg.Metrics != nil {
		cfg.Metrics.TrackReadModel(readModelProjections, n.Store.Head, func() eventstore.Position { return n.current.Load().runner.Position() })
	}
	n.run(g)
	return nil
}

// Stopped is closed when the projections stop on their own: reads would then be
// judged on a frozen read model (a withdrawn consent never taking effect), so the
// server must stop serving.
func (n *Node) Stopped() <-chan struct{} { return n.stopped }

// Close stops a rebuild under way and the projections (which write their last
// snapshot, with SnapshotDir) and closes the stores. Calling it again returns the first
// call's result.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.endLife()        // a rebuild under way stops, or finishes its swap
		n.rebuildMu.Lock() // and is over: the current generation is the last
		defer n.rebuildMu.Unlock()
		runErr := n.current.Load().stop()
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
