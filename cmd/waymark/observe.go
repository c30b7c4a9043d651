package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/logging"
	"github.com/waymark-org/waymark/internal/metrics"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/webhooks"
)

// serve's observability: the admin listener (Prometheus /metrics and /debug/pprof)
// and the log format. The admin listener is not the admin socket (package admin),
// through which the CLI's commands reach a running server.

// defaultAdminAddr is loopback: the profiles and metrics are for the operator, and
// binding them elsewhere is a choice to make (--admin-addr).
const defaultAdminAddr = "127.0.0.1:9090"

type observeFlags struct {
	adminAddr *string
	logFormat *string
}

func registerObserveFlags(fs *flag.FlagSet) observeFlags {
	return observeFlags{
		adminAddr: fs.String("admin-addr", defaultAdminAddr, "address of the admin listener: Prometheus /metrics and /debug/pprof ('' or 'off': none); never the API's --http-addr"),
		logFormat: fs.String("log-format", logging.FormatText, "format of the log on stderr: text or json (one object a line)"),
	}
}

// check refuses a log format it does not know and an admin listener on the API's
// address (the profiles would be one mistyped port away from the public).
func (f observeFlags) check(httpAddr string) error {
	if *f.logFormat != logging.FormatText && *f.logFormat != logging.FormatJSON {
		return fmt.Errorf("%w: --log-format %q: want %s or %s", errUsage, *f.logFormat, logging.FormatText, logging.FormatJSON)
	}
	if addr := f.admin(); addr != "" && sameListener(addr, httpAddr) {
		return fmt.Errorf("%w: --admin-addr %s is the API's --http-addr: the admin listener needs an address of its own", errUsage, addr)
	}
	return nil
}

// admin is the admin listener's address, "" for none.
func (f observeFlags) admin() string {
	if *f.adminAddr == "off" {
		return ""
	}
	return *f.adminAddr
}

// sameListener reports whether two listen addresses would take the same port: the
// same port on the same host, or on any host when either is a wildcard.
func sameListener(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil {
		return a == b
	}
	if pa != pb || pa == "0" {
		return false
	}
	wildcard := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wildcard(ha) || wildcard(hb)
}

// logger is serve's logger in the chosen format. main made a text one (rate limited);
// json replaces it with one on the same stderr, rate limited the same way.
func (f observeFlags) logger(given *slog.Logger) *slog.Logger {
	if *f.logFormat == logging.FormatText {
		return given
	}
	h, err := logging.NewHandler(os.Stderr, *f.logFormat, slog.LevelInfo)
	if err != nil { // check refused it already
		return given
	}
	return slog.New(logging.RateLimit(h, logging.RateLimitOptions{}))
}

// adminListener serves the metrics and the profiles; a nil one (--admin-addr off)
// collects nothing.
type adminListener struct {
	metrics *metrics.Registry
	srv     *http.Server
	addr    string
}

// startAdmin binds the admin listener and serves it. serve calls it before the slow
// part of its start (the store, the read models, the demo seed): a port in use fails
// at once, naming the address; and the profiles are there while it starts.
func (f observeFlags) startAdmin(logger *slog.Logger) (*adminListener, error) {
	addr := f.admin()
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin listener (--admin-addr %s): %w", addr, err)
	}
	a := &adminListener{metrics: metrics.New(), addr: ln.Addr().String()}
	a.srv = &http.Server{
		Handler:           a.metrics.AdminHandler(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No WriteTimeout: a CPU profile or a trace streams for the seconds asked.
	}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("admin listener stopped", "addr", a.addr, "err", err)
		}
	}()
	logger.Info("admin listener", "metrics", "http://"+a.addr+"/metrics", "pprof", "http://"+a.addr+"/debug/pprof/")
	return a, nil
}

// stop shuts the admin listener down (the last thing serve does).
func (a *adminListener) stop() {
	if a == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.srv.Shutdown(ctx)
}

// registry is the metrics registry, nil without an admin listener.
func (a *adminListener) registry() *metrics.Registry {
	if a == nil {
		return nil
	}
	return a.metrics
}

// withMetrics gives the node the registry.
func withMetrics(reg *metrics.Registry) func(*node.Config) {
	return func(c *node.Config) { c.Metrics = reg }
}

// webhookObserver counts webhook delivery records by outcome (nil without metrics).
func (a *adminListener) webhookObserver() func(webhooks.Record) {
	if a == nil {
		return nil
	}
	return func(r webhooks.Record) { a.metrics.WebhookDelivery(r.Outcome) }
}

// feedPublished is the analytics feed's Config.Published: it times the feed's publish
// lag (read model "analytics_feed").
func (a *adminListener) feedPublished() func(time.Time) {
	if a == nil {
		return nil
	}
	return a.metrics.ReadModelApplied(readModelFeed)
}

// trackFeed reports how far behind the log the analytics feed is; the position
// follows a republish's new publisher.
func (a *adminListener) trackFeed(store eventstore.Store, feed *analyticsFeed) {
	if a == nil || feed == nil {
		return
	}
	a.metrics.TrackReadModel(readModelFeed, store.Head, func() eventstore.Position { return feed.Publisher().Position() })
}

const readModelFeed = "analytics_feed"

// withMount serves mount's pages beside the API, inside its request log.
func withMount(mount func(http.Handler) http.Handler) func(*node.Config) {
	return func(c *node.Config) { c.Mount = mount }
}
