package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/dashboardweb"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/projections"
)

func serve(ctx context.Context, args []string, std stdio, logger *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	sf.events.register(fs) // kurrentdb.go
	httpAddr := fs.String("http-addr", "127.0.0.1:8080", "address of the HTTP API")
	natsListen := fs.String("nats-listen", "127.0.0.1:4222", "address the embedded NATS server accepts outside clients on, with credentials ('' for none)")
	withDemo := fs.Bool("demo", false, "create demo keys, seed the demo coalition into an empty store, print a token per demo role (implies --dev)")
	dev := fs.Bool("dev", false, "turn on GraphQL introspection and the GraphiQL page")
	corsOrigins := fs.String("cors-origins", "", "comma-separated browser origins allowed to call the API")
	analyticsUser := fs.String("nats-analytics-user", "", "user of the ANALYTICS account on the embedded server (only the de-identified analytics subjects)")
	analyticsPassword := fs.String("nats-analytics-password", "", "its password or bcrypt hash (prefer WAYMARK_NATS_ANALYTICS_PASSWORD); --demo makes one")
	rateLimits := registerRateLimitFlag(fs) // ratelimit_flags.go
	publishFeed := fs.Bool("analytics-feed", true, "publish the de-identified analytics feed (one server per store: turn it off on the others)")
	heapProfile := fs.String("heap-profile", "", "write a heap profile (what is live, what was allocated where) to this file at shutdown (go tool pprof reads it)")
	cpuProfile := fs.String("cpu-profile", "", "write a CPU profile of serving, from when start-up ends until shutdown, to this file (go tool pprof reads it)")
	maxLifetime := maxLifetimeFlag(fs)
	auditFlags := registerAuditFlags(fs)               // checkpoint_serve.go
	calendarsFile := registerCalendarsFlag(fs)         // calendars.go
	retentionFlags := registerRetentionFlags(fs, true) // retention_serve.go
	hookFlags := registerWebhookFlags(fs)              // webhooks_serve.go
	work := registerWorkFlags(fs)                      // work.go
	minCell := registerDashboardFlags(fs)              // dashboard_flags.go
	observe := registerObserveFlags(fs)                // observe.go
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := sf.events.check(); err != nil {
		return err
	}
	if err := observe.check(*httpAddr); err != nil {
		return err
	}
	logger = observe.logger(logger)
	calendars, err := loadCalendars(*calendarsFile, logger)
	if err != nil {
		return err
	}
	if err := checkMaxLifetime(*maxLifetime); err != nil {
		return err
	}
	if err := work.check(); err != nil {
		return err
	}
	if err := checkMinCell(*minCell); err != nil {
		return err
	}
	policies, err := retentionFlags.load() // a malformed policy file stops the start with its sentence
	if err != nil {
		return err
	}
	hookSetup, err := hookFlags.load() // so does a webhook configuration it cannot use
	if err != nil {
		return err
	}
	sf = sf.resolved()
	// Before anything else: a second server on this directory would corrupt it.
	locks, err := lockStore("serve", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	defer locks.Release()
	adminHTTP, err := observe.startAdmin(logger) // now: a port in use fails at once
	if err != nil {
		return err
	}
	defer adminHTTP.stop()
	// Then the ports, before anything slow: one in use fails the start at once, and the
	// HTTP port answers (not ready) while the rest starts (startup.go).
	if sf.natsURL != "" {
		*natsListen = "" // an external server is reached, not served
	}
	if *natsListen != "" {
		if err := checkFree("nats-listen", *natsListen); err != nil {
			return err
		}
	}
	web, err := listenFront(*httpAddr)
	if err != nil {
		return err
	}
	logger.Info("listening; /readyz answers 200 once started", "http", web.base())
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := web.shutdown(shutdownCtx); err != nil {
			logger.Error("http shutdown", "err", err)
		}
	}()
	// Work changes reach the organisations' own systems through hooks.Enqueue (nil
	// without --webhooks).
	hooks, stopHooks, err := hookSetup.start(sf.dataDir, logger, adminHTTP.webhookObserver())
	if err != nil {
		return err
	}
	defer stopHooks()
	if *withDemo && *natsListen != "" && *analyticsUser == "" {
		*analyticsUser, *analyticsPassword = "analytics", rand.Text()
	}
	if *withDemo {
		made, err := sf.secrets.generate()
		if err != nil {
			return fmt.Errorf("demo keys: %w", err)
		}
		for _, path := range made {
			logger.Info("demo secret created", "path", path)
		}
	}
	verifier, err := sf.secrets.verifier(*maxLifetime)
	if err != nil {
		return err
	}
	auditKey, err := auditFlags.load(sf.secrets, logger)
	if err != nil {
		return err
	}
	storeCfg := sf.storeConfig(*natsListen)
	storeCfg.AnalyticsUser, storeCfg.AnalyticsPassword = *analyticsUser, *analyticsPassword
	n, backends, err := startNode(ctx, sf, storeCfg, logger, api.Config{
		Verifier: verifier, Dev: *dev || *withDemo, CORSOrigins: splitList(*corsOrigins),
		RateLimits: rateLimits.limits,
	}, withAuditKey(auditKey), withCalendars(calendars), withWork(work), withDashboard(*minCell),
		withMetrics(adminHTTP.registry()), withMount(dashboardweb.Mount)) // the page at /dashboard (dashboardweb/)
	if err != nil {
		return err
	}
	defer func() {
		if err := n.Close(); err != nil {
			logger.Error("close", "err", err)
		}
	}()
	auditing := startAuditing(n, backends, auditKey, *auditFlags.interval, logger)
	defer auditing.close() // before the node closes: a last checkpoint, if anything changed
	keeper, stopRetention := startRetention(n, retentionFlags, policies, logger)
	defer stopRetention() // before the node closes: a run under way ends first
	if hooks != nil {
		// The work queues' changes to the webhooks (webhooks_feed.go), stopped before the node closes.
		feedCtx, stopFeed := context.WithCancel(ctx)
		defer stopFeed()
		go feedWebhooks(feedCtx, func() *app.Service { return n.Current().Service }, hooks, logger)
	}
	var feed *analyticsFeed // analytics_serve.go
	if *publishFeed {
		feedCtx, stopFeed := context.WithCancel(context.Background())
		cfg, err := analyticsFeedConfig(feedCtx, sf, n.Store, backends.Store, logger)
		if err == nil {
			cfg.Published = adminHTTP.feedPublished()
			feed, err = startAnalyticsFeed(feedCtx, cfg, logger)
		}
		if err != nil {
			stopFeed()
			return err
		}
		defer func() { stopFeed(); feed.Wait() }() // before the node closes
		adminHTTP.trackFeed(n.Store, feed)
	}
	backups := serverBackups(backends, feed, sf, *auditFlags.key, fmt.Sprintf("the server owning %s (PID %d)", sf.dataDir, os.Getpid())) // adminops_backup.go
	adm, err := admin.Listen(locks.Data, backupOps{backups: backups, analyticsOps: analyticsOps{feed: feed, natsUserOps: natsUserOps{nats: backends.Store, retentionOps: retentionOps{retention: keeper, nodeOps: nodeOps{node: n, serverOps: &serverOps{store: n.Store, keysDir: sf.keysDir,
		service:  func() *app.Service { return n.Current().Service },
		rotation: &keyRotation{vault: n.Vault, file: sf.secrets.keyringFile()}, audit: auditing}}}}}}, logger) // natsuser.go, analytics_serve.go
	if err != nil {
		return err
	}
	go func() {
		if err := adm.Serve(); err != nil {
			logger.Error("admin socket stopped", "err", err)
		}
	}()
	defer func() { // before the node closes: the operations use its stores
		closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := adm.Close(closeCtx); err != nil {
			logger.Error("close the admin socket", "err", err)
		}
	}()
	if *withDemo {
		web.setStatus("seeding demo data")
		if err := seedIfEmpty(ctx, n, sf, std.err, logger); err != nil {
			return err
		}
	}

	if *cpuProfile != "" { // from here: what serving costs, not start-up or the demo seed
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *heapProfile != "" {
		write, err := heapProfileAtExit(*heapProfile)
		if err != nil {
			return err
		}
		defer write()
	}
	// Start-up's garbage is not handed back to the OS once ready (debug.FreeOSMemory):
	// a serving heap grows back to twice its live size within seconds, and faulting
	// those pages in again under the first requests starved them (waymark bench, the
	// first 10 s of case(id) at 1,000/s on 100,000 cases: p99 25.5 and 264 ms with it,
	// 14.8 and 17.2 ms without). An idle server holds more for it (6.8–7.3 rather than
	// 4.7 KiB a case there); the runtime's scavenger returns what the heap's goal
	// leaves unused.
	base := web.base()
	if *withDemo { // before serving: a request that waited for the start finds them printed
		if err := printDemoTokens(std.out, sf.secrets, base, min(defaultTokenTTL, *maxLifetime)); err != nil {
			return err
		}
		if *analyticsUser != "" {
			printDemoAnalyticsLogin(std.out, *natsListen, *analyticsUser, *analyticsPassword, *publishFeed)
		}
	}
	web.serve(n.Handler) // the dashboard page is mounted in it (withMount)
	logger.Info("waymark serving", "graphql", base+"/graphql", "nats", natsAddr(backends.Store, sf), "data_dir", sf.dataDir,
		"admin_socket", adm.Path(), "dev", *dev || *withDemo)

	var failed error
	select {
	case err := <-web.errc:
		return fmt.Errorf("http server: %w", err)
	case <-n.Stopped():
		failed = errors.New("the read models stopped; refusing to serve from a frozen view")
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := web.shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return failed
}

// startNode starts a node on the JetStream backends the flags describe (node owns them
// and closes them with itself); the backends are returned for what only JetStream has.
func startNode(ctx context.Context, sf storeFlags, storeCfg jetstream.Config, logger *slog.Logger, apiCfg api.Config, opts ...func(*node.Config)) (*node.Node, *node.JetStream, error) {
	key, err := loadCommandKey(sf.secrets.commandKey)
	if err != nil {
		return nil, nil, err
	}
	ring, err := sf.secrets.keyring()
	if err != nil {
		return nil, nil, err
	}
	// The read models' snapshot is read and decoded while the stores open: on a large
	// log, JetStream recovering its stream and the snapshot's decoding each take
	// seconds, and only checking the snapshot's checkpoint needs the store. So is
	// every case key, once the key store is open: the snapshot's load opens the blind
	// indexes with them, and so does a long catch-up (a start without a snapshot
	// rebuilds the read models from the log); a small key store is read in no time.
	snapshotDir := filepath.Join(sf.dataDir, "snapshots")
	prefetch := projections.PrefetchSnapshot(ctx, projections.SnapshotConfig{Dir: snapshotDir, HashKey: key})
	backends, err := openBackends(ctx, sf, node.JetStreamConfig{Store: storeCfg, KeysDir: sf.keysDir, KeysNATS: sf.keysNATS(), Logger: logger,
		PrescanKeys: true}, logger)
	if err != nil {
		return nil, nil, err
	}
	cfg := node.Config{
		Backends:         backends.Backends(),
		Keyring:          ring,
		HashKey:          key,
		Logger:           logger,
		API:              apiCfg,
		SnapshotDir:      snapshotDir,
		SnapshotPrefetch: prefetch,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	n, err := node.Start(ctx, cfg)
	return n, backends, err
}

func seedIfEmpty(ctx context.Context, n *node.Node, sf storeFlags, progress io.Writer, logger *slog.Logger) error {
	head, err := n.Store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read store head: %w", err)
	}
	if !head.IsStart() {
		logger.Info("store is not empty; demo data not seeded")
		return nil
	}
	key, err := loadCommandKey(sf.secrets.commandKey)
	if err != nil {
		return err
	}
	deps := demo.Deps{Store: n.Store, Vault: n.Vault, HashKey: key, Logger: logger, Progress: seedProgress(progress)}
	if _, err := demo.Seed(ctx, deps, time.Now().UTC()); err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	// Serve only once the read models show the demo data.
	if head, err = n.Store.Head(ctx); err != nil {
		return fmt.Errorf("read store head: %w", err)
	}
	return n.Runner.WaitFor(ctx, head)
}

func natsAddr(store *jetstream.Store, sf storeFlags) string {
	if sf.natsURL != "" {
		return redactURL(sf.natsURL)
	}
	if srv := store.Server(); srv != nil && srv.Addr() != nil {
		return "nats://" + srv.Addr().String()
	}
	return "in-process only"
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// redactURL drops any user or password from a server URL, or from each of a
// comma-separated list of them (a cluster), before it is logged.
func redactURL(raw string) string {
	urls := strings.Split(raw, ",")
	for i, s := range urls {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			urls[i] = "(unparsable URL)"
			continue
		}
		u.User = nil
		urls[i] = u.String()
	}
	return strings.Join(urls, ",")
}
