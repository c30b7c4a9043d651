package node

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/projections"
)

// generation is one set of read models with the runner that feeds them and the
// service and HTTP handler that read them. A node serves from one generation at a
// time (Node.current); a live rebuild makes the next one beside it.
type generation struct {
	runner    *projections.Runner
	cases     *projections.Cases
	orgs      *projections.Organisations
	revs      *projections.Revocations
	cmds      *projections.CommandIDs
	snapshots *projections.Snapshots // nil without Config.SnapshotDir
	service   *app.Service
	handler   http.Handler

	cancel context.CancelFunc
	done   chan error // the runner's result, once
	// inUse is read-held by every request the generation serves: retiring it takes it
	// to wait for them. Websockets do not hold it (a socket lives as long as its
	// client wants); they end when retired is done.
	inUse sync.RWMutex
	// retired ends when the generation is being retired: its websockets close, and
	// their clients reconnect to the current one.
	retired context.Context
	retire  context.CancelFunc
}

// newGeneration builds empty read models and what reads them. fresh: a rebuild, from
// the start of the log whatever the snapshot holds (which it then replaces).
func (n *Node) newGeneration(fresh bool) (*generation, error) {
	cfg := n.cfg
	g := &generation{done: make(chan error, 1)}
	g.retired, g.retire = context.WithCancel(context.Background())
	g.cases, g.orgs, g.revs = projections.NewCases(n.Vault), projections.NewOrganisations(), projections.NewRevocations()
	g.cmds = projections.NewCommandIDs(cfg.HashKey)
	work := projections.NewWork(g.cases, cfg.Work) // after cases, whose views it indexes
	g.runner = projections.NewRunner(n.Store, n.logger, g.orgs, g.cases, g.revs, g.cmds, work)
	work.PublishWhen(g.runner.Ready)
	if cfg.Metrics != nil {
		if err := g.runner.ObserveApplied(cfg.Metrics.ReadModelApplied(readModelProjections)); err != nil {
			return nil, err
		}
	}
	if cfg.SnapshotDir != "" {
		g.snapshots = projections.NewSnapshots(projections.SnapshotConfig{
			Dir: cfg.SnapshotDir, HashKey: cfg.HashKey, Every: cfg.SnapshotEvery, Interval: cfg.SnapshotInterval, Logger: n.logger,
			Prefetch: cfg.SnapshotPrefetch,
		}, g.cases, g.orgs, g.revs, g.cmds)
		use := g.runner.UseSnapshots
		if fresh {
			use = g.runner.WriteSnapshots
		}
		if err := use(g.snapshots); err != nil {
			return nil, err
		}
	}
	var err error
	g.service, err = app.New(app.Config{
		Store: n.Store, Runner: g.runner, Cases: g.cases, Orgs: g.orgs, Revocations: g.revs, Commands: g.cmds,
		Vault: n.Vault, AccessLog: n.AccessLog, Clock: cfg.Clock, IDs: cfg.IDs, Logger: n.logger, HashKey: cfg.HashKey,
		MaxConsent: cfg.MaxConsent, AuditKey: cfg.AuditKey, Calendars: cfg.Calendars, Work: work,
		DashboardMinCell: cfg.DashboardMinCell, StalledAfter: cfg.Work.StalledAfter, Metrics: n.appMetrics(),
		Erasures: n.backends.Erasures,
	})
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	apiCfg := cfg.API
	apiCfg.Service, apiCfg.Readiness, apiCfg.Logger, apiCfg.Metrics = g.service, g.runner, n.logger, n.apiMetrics()
	g.handler = api.NewHandler(apiCfg)
	return g, nil
}

// run starts feeding g. When its projections stop on their own while g is the node's
// current generation, reads would be judged on a frozen read model (a withdrawn
// consent never taking effect): Stopped tells the server to stop serving.
func (n *Node) run(g *generation) {
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	go func() {
		err := g.runner.Run(ctx)
		if err != nil {
			n.logger.Error("projections stopped", "err", err)
		}
		if ctx.Err() == nil && n.current.Load() == g {
			n.stopOnce.Do(func() { close(n.stopped) })
		}
		g.done <- err
	}()
}

// stop stops g's runner and returns its result.
func (g *generation) stop() error {
	g.retire()
	g.cancel()
	err := <-g.done
	g.done <- err // for a second caller
	if b := g.service.WorkBroker(); b != nil {
		b.Close() // its subscribers resubscribe to the current generation's
	}
	return err
}

// serveHTTP serves a request whole from the current generation: the one it finds
// current once it holds it, so a request never starts on one being retired.
func (n *Node) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if isWebsocket(r) {
		n.serveSocket(w, r)
		return
	}
	for {
		g := n.current.Load()
		g.inUse.RLock()
		if n.current.Load() != g {
			g.inUse.RUnlock() // swapped meanwhile: take the new one
			continue
		}
		defer g.inUse.RUnlock()
		g.handler.ServeHTTP(w, r)
		return
	}
}

// Models is what a node currently serves from.
type Models struct {
	Runner      *projections.Runner
	Cases       *projections.Cases
	Orgs        *projections.Organisations
	Revocations *projections.Revocations
	Commands    *projections.CommandIDs
	Snapshots   *projections.Snapshots // nil without Config.SnapshotDir
	Service     *app.Service
}

// Current returns the read models the node serves from now (those it started with
// until a Rebuild replaces them).
func (n *Node) Current() Models {
	g := n.current.Load()
	return Models{Runner: g.runner, Cases: g.cases, Orgs: g.orgs, Revocations: g.revs, Commands: g.cmds,
		Snapshots: g.snapshots, Service: g.service}
}

// serveSocket serves a websocket from the current generation without holding it in
// use: a socket lasts as long as its client keeps it open, and a rebuild's swap must
// not wait for that. The socket's context ends when the generation is retired, which
// closes it; the client reconnects, to the current generation.
func (n *Node) serveSocket(w http.ResponseWriter, r *http.Request) {
	g := n.current.Load()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(g.retired, cancel)
	defer stop()
	g.handler.ServeHTTP(w, r.WithContext(ctx))
}

// isWebsocket reports whether r asks to upgrade to a websocket.
func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
