package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/analyticsfeed"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	jetstreamstore "github.com/waymark-org/waymark/eventstore/jetstream"
)

// analyticsFeedConfig is the publisher's configuration on a store: the analytics key
// from its file, JetStream in Waymark's own account, and the coalition's directory
// deciding which grants put a case in the feed.
func analyticsFeedConfig(ctx context.Context, sf storeFlags, store eventstore.Store, nats *jetstreamstore.Store, logger *slog.Logger) (analyticsfeed.Config, error) {
	key, err := loadAnalyticsKey(sf.secrets.analyticsKey)
	if err != nil {
		return analyticsfeed.Config{}, err
	}
	p, err := analytics.NewPseudonymizer(key)
	if err != nil {
		return analyticsfeed.Config{}, fmt.Errorf("analytics key %s: %w", sf.secrets.analyticsKey, err)
	}
	js, err := jetstream.New(nats.Conn())
	if err != nil {
		return analyticsfeed.Config{}, fmt.Errorf("analytics feed: %w", err)
	}
	dir := &coalitionDirectory{ctx: ctx, store: store, logger: logger, kinds: map[string]domain.OrganisationKind{}}
	return analyticsfeed.Config{Store: store, JS: js, Pseudonymizer: p, IsAnalyticsRecipient: dir.isCoalition,
		Replicas: nats.Replicas(), Logger: logger.With("component", "analytics-feed")}, nil
}

// coalitionDirectory answers the publisher's question "does a grant to this
// organisation put the case in the feed?": yes for a registered organisation of kind
// COALITION. It reads the organisation's own stream, as token issue does, and keeps
// the answer: an organisation's kind never changes.
type coalitionDirectory struct {
	ctx    context.Context // the publisher's: a look-up retries until it ends
	store  eventstore.Store
	logger *slog.Logger

	mu    sync.Mutex
	kinds map[string]domain.OrganisationKind
}

// isCoalition never guesses: a store that fails is asked again (the feed waits)
// rather than a case being left out of it.
func (d *coalitionDirectory) isCoalition(org string) bool {
	d.mu.Lock()
	kind, known := d.kinds[org]
	d.mu.Unlock()
	if known {
		return kind == domain.OrgCoalition
	}
	backoff := 100 * time.Millisecond
	for {
		o, err := lookupOrganisation(d.ctx, d.store, org)
		switch {
		case err == nil:
			d.mu.Lock()
			d.kinds[org] = domain.OrganisationKind(o.Kind)
			d.mu.Unlock()
			return o.Kind == string(domain.OrgCoalition)
		case errors.Is(err, domain.ErrUnknownOrganisation), d.ctx.Err() != nil:
			return false
		}
		d.logger.Warn("analytics feed: organisation look-up failed; trying again", "err", err, "retry_in", backoff.String())
		select {
		case <-d.ctx.Done():
			return false
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// analyticsFeed runs the publisher for serve. A publisher that stops on a key
// mismatch leaves the API serving (the log is fine; only the feed waits): waymark
// republish resets the feed and starts a publisher again.
type analyticsFeed struct {
	cfg    analyticsfeed.Config
	ctx    context.Context
	logger *slog.Logger

	republishing sync.Mutex // one republish at a time
	mu           sync.Mutex
	pub          *analyticsfeed.Publisher
	done         chan struct{}      // closed when pub's Run returns
	stopPub      context.CancelFunc // ends pub's Run alone (Paused)
	closing      bool               // Wait was called: no publisher starts any more
	wg           sync.WaitGroup
}

// errFeedClosing refuses a republish that comes while the server shuts down.
var errFeedClosing = fmt.Errorf("%w: the server is shutting down; run waymark republish again once it has stopped (or on its next start)", admin.ErrRefused)

// startAnalyticsFeed publishes until ctx ends (the same context as cfg's directory,
// analyticsFeedConfig); Wait then waits for the publisher to stop. End ctx before the
// node closes.
func startAnalyticsFeed(ctx context.Context, cfg analyticsfeed.Config, logger *slog.Logger) (*analyticsFeed, error) {
	f := &analyticsFeed{cfg: cfg, ctx: ctx, logger: logger}
	if err := f.start(); err != nil {
		return nil, err
	}
	logger.Info("analytics feed publishing", "stream", analytics.StreamName,
		"key_fingerprint", analyticsfeed.KeyFingerprint(cfg.Pseudonymizer))
	return f, nil
}

// Wait waits for the publisher to stop once the context ended. No publisher starts
// after it was called (a republish is refused then).
func (f *analyticsFeed) Wait() {
	f.mu.Lock()
	f.closing = true
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *analyticsFeed) start() error {
	pub, err := analyticsfeed.New(f.cfg)
	if err != nil {
		return err
	}
	done := make(chan struct{})
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing || f.ctx.Err() != nil {
		return errFeedClosing
	}
	runCtx, stop := context.WithCancel(f.ctx)
	f.pub, f.done, f.stopPub = pub, done, stop
	f.wg.Add(1) // under mu, before Wait can begin: never an Add racing a Wait
	go func() {
		defer f.wg.Done()
		defer close(done)
		defer stop()
		if err := pub.Run(runCtx); err != nil {
			f.logger.Error("the analytics feed stopped; the API goes on serving", "err", err)
		}
	}()
	return nil
}

// Publisher is the current publisher (tests wait on it).
func (f *analyticsFeed) Publisher() *analyticsfeed.Publisher {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pub
}

// Paused runs fn with the publisher stopped, then starts a new one if one was
// running: a backup takes the feed and its registry at one point. Stopping is a
// crash as far as the feed is concerned, and the new publisher resumes from the
// stream and the registry as after any restart (analyticsfeed's doc). No republish
// runs meanwhile.
func (f *analyticsFeed) Paused(fn func() error) error {
	f.republishing.Lock()
	defer f.republishing.Unlock()
	f.mu.Lock()
	done, stop := f.done, f.stopPub
	f.mu.Unlock()
	running := false
	select {
	case <-done:
	default:
		running = true
		stop()
		<-done // Run returns as soon as its context ends
	}
	err := fn()
	if running {
		if serr := f.start(); serr != nil && !errors.Is(serr, errFeedClosing) {
			err = errors.Join(err, fmt.Errorf("start the analytics feed again: %w", serr))
		}
	}
	return err
}

// Republish publishes the feed again after from: by the running publisher, or, when
// it stopped (a key mismatch), by a reset here and a new publisher.
func (f *analyticsFeed) Republish(ctx context.Context, from eventstore.Position) error {
	f.republishing.Lock()
	defer f.republishing.Unlock()
	f.mu.Lock()
	pub, done, closing := f.pub, f.done, f.closing
	f.mu.Unlock()
	if closing || f.ctx.Err() != nil {
		return errFeedClosing
	}
	select {
	case <-done:
	default:
		// Running: it does it, unless it stops meanwhile (then done ends the wait).
		askCtx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-done:
				cancel()
			case <-askCtx.Done():
			}
		}()
		err := pub.Republish(askCtx, from)
		cancel()
		select {
		case <-done:
			if err == nil {
				return nil // reset, then stopped: the server is shutting down
			}
		default:
			return err
		}
		if f.ctx.Err() != nil {
			return errFeedClosing
		}
	}
	// The reset runs on the feed's context too, so shutdown ends it.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-f.ctx.Done():
			stop()
		case <-ctx.Done():
		}
	}()
	if err := analyticsfeed.Republish(ctx, f.cfg, from); err != nil {
		return err
	}
	return f.start()
}

// analyticsOps adds the feed's republish to what a serving waymark does on its admin
// socket (nil feed: this server does not publish it).
type analyticsOps struct {
	natsUserOps
	feed *analyticsFeed
}

var _ admin.AnalyticsRepublisher = analyticsOps{}

func (o analyticsOps) RepublishAnalytics(ctx context.Context, req admin.AnalyticsRepublishRequest) (admin.AnalyticsRepublished, error) {
	if o.feed == nil {
		return admin.AnalyticsRepublished{}, fmt.Errorf("%w: this server does not publish the analytics feed (--analytics-feed=false)", admin.ErrRefused)
	}
	from, err := parseRepublishFrom(req.From)
	if err != nil {
		return admin.AnalyticsRepublished{}, fmt.Errorf("%w: %v", admin.ErrRefused, err)
	}
	head, err := o.feed.cfg.Store.Head(ctx)
	if err != nil {
		return admin.AnalyticsRepublished{}, fmt.Errorf("read the log's head: %w", err)
	}
	if err := o.feed.Republish(ctx, from); err != nil {
		if errors.Is(err, analyticsfeed.ErrBeyondHead) {
			err = fmt.Errorf("%w: %v", admin.ErrRefused, err)
		}
		return admin.AnalyticsRepublished{}, err
	}
	res := admin.AnalyticsRepublished{From: from.String(), Head: head.String()}
	if from.IsStart() {
		res.From = "start"
	}
	return res, nil
}

// parseRepublishFrom reads a republish's --from: "start", or a log position as the
// feed's Waymark-Position header gives it.
func parseRepublishFrom(s string) (eventstore.Position, error) {
	if strings.TrimSpace(s) == "start" {
		return eventstore.Start, nil
	}
	p, err := eventstore.ParsePosition(strings.TrimSpace(s))
	if err != nil {
		return eventstore.Start, fmt.Errorf("--from %q: want start or a log position like 1042-0 (a message's Waymark-Position)", s)
	}
	return p, nil
}

// printDemoAnalyticsLogin prints serve --demo's analyst login and how to read the
// feed with it.
func printDemoAnalyticsLogin(out io.Writer, addr, user, password string, publishing bool) {
	fmt.Fprintf(out, "Analytics feed, de-identified (NATS account ANALYTICS): nats://%s user %q password %q\n", addr, user, password)
	if !publishing {
		fmt.Fprintf(out, "  (not published by this server: --analytics-feed=false)\n\n")
		return
	}
	fmt.Fprintf(out, "  WAYMARK_NATS_PASSWORD=%s go run ./cmd/waymark tail --all --nats-url nats://%s --nats-user %s\n", password, addr, user)
	fmt.Fprintf(out, "  JetStream stream %s; a client's inbox prefix must be %s\n\n", analytics.StreamName, jetstreamstore.AnalystInboxPrefix(user))
}
