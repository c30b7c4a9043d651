package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
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
)

func serve(ctx context.Context, args []string, logger *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	httpAddr := fs.String("http-addr", "127.0.0.1:8080", "address of the HTTP API")
	natsListen := fs.String("nats-listen", "127.0.0.1:4222", "address the embedded NATS server accepts outside clients on, with credentials ('' for none)")
	withDemo := fs.Bool("demo", false, "create demo keys, seed the demo coalition into an empty store, print a token per demo role (implies --dev)")
	dev := fs.Bool("dev", false, "turn on GraphQL introspection and the GraphiQL page")
	corsOrigins := fs.String("cors-origins", "", "comma-separated browser origins allowed to call the API")
	analyticsUser := fs.String("nats-analytics-user", "", "user of the ANALYTICS account on the embedded server (only the de-identified analytics subjects)")
	analyticsPassword := fs.String("nats-analytics-password", "", "its password or bcrypt hash (prefer WAYMARK_NATS_ANALYTICS_PASSWORD); --demo makes one")
	tokenRate := fs.Float64("token-rate", 20, "requests a second each token may make, sustained (a client over it gets RATE_LIMITED)")
	tokenBurst := fs.Int("token-burst", 0, "requests each token may make at once above --token-rate (default twice the rate)")
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
	if err := parse(fs, args); err != nil {
		return err
	}
	calendars, err := loadCalendars(*calendarsFile, logger)
	if err != nil {
		return err
	}
	if !(*tokenRate > 0) || math.IsInf(*tokenRate, 1) || *tokenBurst < 0 {
		return fmt.Errorf("%w: --token-rate %v, --token-burst %d: want a rate above 0 and a burst of 0 or more", errUsage, *tokenRate, *tokenBurst)
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
	// Work changes reach the organisations' own systems through hooks.Enqueue (nil
	// without --webhooks).
	hooks, stopHooks, err := hookSetup.start(sf.dataDir, logger)
	if err != nil {
		return err
	}
	defer stopHooks()
	if sf.natsURL != "" {
		*natsListen = "" // an external server is reached, not served
	}
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
		RatePerSecond: *tokenRate, RateBurst: *tokenBurst,
	}, withAuditKey(auditKey), withCalendars(calendars), withWork(work), withDashboard(*minCell))
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
			feed, err = startAnalyticsFeed(feedCtx, cfg, logger)
		}
		if err != nil {
			stopFeed()
			return err
		}
		defer func() { stopFeed(); feed.Wait() }() // before the node closes
	}
	adm, err := admin.Listen(locks.Data, analyticsOps{feed: feed, natsUserOps: natsUserOps{nats: backends.Store, retentionOps: retentionOps{retention: keeper, nodeOps: nodeOps{node: n, serverOps: &serverOps{store: n.Store, keysDir: sf.keysDir,
		service:  func() *app.Service { return n.Current().Service },
		rotation: &keyRotation{vault: n.Vault, file: sf.secrets.keyringFile()}, audit: auditing}}}}}, logger) // natsuser.go, analytics_serve.go
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
		if err := seedIfEmpty(ctx, n, sf, logger); err != nil {
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
	go releaseStartupMemory(ctx, n, logger)
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *httpAddr, err)
	}
	srv := api.NewServer(*httpAddr, dashboardweb.Mount(n.Handler)) // the page at /dashboard (dashboardweb/)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	if *withDemo {
		if err := printDemoTokens(sf.secrets, base, min(defaultTokenTTL, *maxLifetime)); err != nil {
			return err
		}
		if *analyticsUser != "" {
			printDemoAnalyticsLogin(*natsListen, *analyticsUser, *analyticsPassword, *publishFeed)
		}
	}
	logger.Info("waymark serving", "graphql", base+"/graphql", "nats", natsAddr(backends.Store, sf), "data_dir", sf.dataDir,
		"admin_socket", adm.Path(), "dev", *dev || *withDemo)

	var failed error
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-n.Stopped():
		failed = errors.New("the read models stopped; refusing to serve from a frozen view")
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
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
	backends, err := node.OpenJetStream(ctx, node.JetStreamConfig{Store: storeCfg, KeysDir: sf.keysDir, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	cfg := node.Config{
		Backends:    backends.Backends(),
		Keyring:     ring,
		HashKey:     key,
		Logger:      logger,
		API:         apiCfg,
		SnapshotDir: filepath.Join(sf.dataDir, "snapshots"),
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	n, err := node.Start(ctx, cfg)
	return n, backends, err
}

func seedIfEmpty(ctx context.Context, n *node.Node, sf storeFlags, logger *slog.Logger) error {
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
	if _, err := demo.Seed(ctx, demo.Deps{Store: n.Store, Vault: n.Vault, HashKey: key, Logger: logger}, time.Now().UTC()); err != nil {
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

// redactURL drops any user or password from a server URL before it is logged.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}
