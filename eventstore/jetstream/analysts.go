package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The analysts' side of the embedded server. AnalyticsAccount has a JetStream of its
// own (analystsLimits) holding one stream, also named feedStream, sourced
// from the feed's stream in AppAccount. Analysts read it there with consumers of
// their own (permissions.go) and never reach AppAccount's JetStream.
//
// Sourcing across accounts: the analysts' stream drives a push consumer on the origin
// from AnalyticsAccount. For a limits-retention origin and a source without a consumer
// block, nats-server (v2.15, stream.go trySetupSourceConsumer) does three things, and
// exactly these cross the account boundary (export in AppAccount, import in
// AnalyticsAccount), nothing else:
//
//   - it creates an ephemeral consumer JS_SRC_<hash> by a request on
//     <api prefix>.CONSUMER.CREATE.<origin> (no filter: the 5-token "legacy
//     ephemeral" subject, the consumer's name in the body): a service export of
//     $JS.API.CONSUMER.CREATE.WAYMARK_ANALYTICS alone, imported as
//     sourcingAPIPrefix.CONSUMER.CREATE.WAYMARK_ANALYTICS. Not $JS.API.> nor even
//     $JS.API.CONSUMER.>: no stream info, no purge, no other stream, no delete (the
//     ephemeral consumer goes by itself 10s after it goes idle);
//   - the consumer delivers messages, idle heartbeats and flow-control requests to
//     sourcingDeliverPrefix.S.<random>: a stream export of sourcingDeliverPrefix.>;
//   - the analysts' stream answers each flow-control request on its reply subject,
//     $JS.FC.WAYMARK_ANALYTICS.<consumer>.<random> (the v1 format, the server's
//     default): a service export of $JS.FC.WAYMARK_ANALYTICS.>.
//
// The consumer-create reply ($JSC.R.<random>) comes back through the service import's
// own reply mapping; the consumer acknowledges nothing (AckNone), so no $JS.ACK
// subject crosses.
//
// Sourcing copies messages, not purges: a journey purged from the origin stays in the
// copy until the purge follows its tombstone, and a recreated origin's messages come
// after the old one's until the old are purged (purgefollower.go).
const (
	// sourcingAPIPrefix is where AnalyticsAccount reaches the one JetStream API
	// subject of AppAccount it imports. It must not collide with $JS.API (the
	// account's own JetStream), and analysts may not publish under it.
	sourcingAPIPrefix = "$JS.WAYMARK.API"
	// sourcingDeliverPrefix is where the sourcing consumer delivers: outside
	// waymark.analytics.> so that core subscribers of the feed do not get every
	// message twice.
	sourcingDeliverPrefix = "waymark.sourcing.analytics"

	// AnalystsUser is Waymark's own user in AnalyticsAccount: an in-process
	// connection only (never over TCP), which creates the analysts' stream and
	// follows the tombstones. Its password is drawn at every start.
	AnalystsUser = "waymark-analysts"

	// TombstoneConsumer is the durable consumer on the analysts' stream through
	// which Waymark makes the origin's purges follow (purgefollower.go); analysts may
	// not touch it.
	TombstoneConsumer = "WAYMARK_PURGES"

	// analystsMaxConsumers bounds the consumers on the analysts' stream (analysts'
	// own and TombstoneConsumer): every consumer costs the server memory and work.
	analystsMaxConsumers = 256
)

// analystsLimits are AnalyticsAccount's JetStream limits: the one stream (a second
// is refused, to anyone), file storage only (its copy lives under the data dir,
// jetstream/ANALYTICS), bounded consumers. Storage is not capped: the copy holds the
// whole feed, as the origin does.
func analystsLimits() map[string]server.JetStreamAccountLimits {
	return map[string]server.JetStreamAccountLimits{"": {
		MaxMemory:     0,
		MaxStore:      -1,
		MaxStreams:    1,
		MaxConsumers:  analystsMaxConsumers,
		MaxAckPending: -1,
	}}
}

// addSourcingImports sets up the exports of AppAccount and imports of
// AnalyticsAccount the sourcing needs (see sourcingAPIPrefix).
func addSourcingImports(app, analysts *server.Account) error {
	create := jetstream.DefaultAPIPrefix + "CONSUMER.CREATE." + feedStream
	flow := "$JS.FC." + feedStream + ".>"
	deliver := sourcingDeliverPrefix + ".>"
	to := []*server.Account{analysts}
	for _, err := range []error{
		app.AddServiceExport(create, to),
		analysts.AddServiceImport(app, sourcingAPIPrefix+".CONSUMER.CREATE."+feedStream, create),
		app.AddServiceExport(flow, to),
		analysts.AddServiceImport(app, flow, flow),
		app.AddStreamExport(deliver, to),
		analysts.AddStreamImport(app, deliver, ""),
	} {
		if err != nil {
			return fmt.Errorf("analysts' stream sourcing: %w", err)
		}
	}
	return nil
}

// OriginStreamConfig is the feed's stream in AppAccount as the store creates it when
// it is missing, so that the analysts' copy can source it from the start: the
// publisher's configuration (analyticsfeed.StreamConfig) without its metadata, which
// the publisher adds when it adopts the empty stream (TestOriginIsThePublishersStream
// in analyticsfeed keeps the two equal).
func OriginStreamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              feedStream,
		Description:       "Waymark's de-identified analytics feed (CloudEvents; see asyncapi.yaml)",
		Subjects:          []string{feedSubjects},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		Discard:           jetstream.DiscardOld,
		MaxAge:            0,
		MaxMsgs:           -1,
		MaxBytes:          -1,
		MaxMsgsPerSubject: -1,
		Duplicates:        2 * time.Minute,
		AllowDirect:       true,
		DenyDelete:        true,
		DenyPurge:         false,
		Replicas:          replicas,
	}
}

// AnalystsStreamConfig is the analysts' stream in AnalyticsAccount: no subjects of
// its own (nobody can publish into it), sourced from the origin in AppAccount,
// readable by direct get; only Waymark purges it (purgefollower.go).
func AnalystsStreamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        feedStream,
		Description: "Waymark's de-identified analytics feed, for analysts: sourced from Waymark's account",
		Sources: []*jetstream.StreamSource{{
			Name:     feedStream,
			External: &jetstream.ExternalStream{APIPrefix: sourcingAPIPrefix, DeliverPrefix: sourcingDeliverPrefix},
		}},
		Storage:      jetstream.FileStorage,
		Retention:    jetstream.LimitsPolicy,
		Discard:      jetstream.DiscardOld,
		MaxMsgs:      -1,
		MaxBytes:     -1,
		MaxConsumers: analystsMaxConsumers,
		AllowDirect:  true,
		DenyDelete:   true,
		Replicas:     replicas,
	}
}

// Analysts is Waymark's side of AnalyticsAccount: a connection there, the analysts'
// stream and the purge follower (purgefollower.go).
type Analysts struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	stop   context.CancelFunc
	done   chan struct{}
}

// openAnalysts makes sure the origin stream exists in AppAccount (appJS), connects to
// srv in-process as AnalystsUser and starts the analysts' side there.
func openAnalysts(ctx context.Context, srv *server.Server, appJS jetstream.JetStream, password string, log *slog.Logger) (*Analysts, error) {
	if err := EnsureOrigin(ctx, appJS, 1); err != nil {
		return nil, err
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv), nats.UserInfo(AnalystsUser, password), nats.Name("waymark-analysts"))
	if err != nil {
		return nil, fmt.Errorf("connect to account %s: %w", AnalyticsAccount, err)
	}
	a, err := StartAnalysts(ctx, nc, 1, log)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return a, nil
}

// connectAnalysts makes sure the origin stream exists in the app account (appJS),
// connects to cfg.NATSURL as Waymark's user in the analysts' account and starts the
// analysts' side there.
func connectAnalysts(ctx context.Context, cfg Config, appJS jetstream.JetStream, log *slog.Logger) (*Analysts, error) {
	if err := EnsureOrigin(ctx, appJS, cfg.Replicas); err != nil {
		return nil, err
	}
	opts := append([]nats.Option{nats.Name("waymark-analysts"), nats.MaxReconnects(-1)}, cfg.externalOptions()...)
	if cfg.AnalystsNATSCredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.AnalystsNATSCredsFile))
	} else {
		opts = append(opts, nats.UserInfo(cfg.AnalystsNATSUser, cfg.AnalystsNATSPassword))
	}
	nc, err := nats.Connect(cfg.NATSURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to the analysts' account: %w", err)
	}
	a, err := StartAnalysts(ctx, nc, cfg.Replicas, log)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return a, nil
}

// StartAnalysts creates or updates the analysts' stream (AnalystsStreamConfig) through
// nc, a connection of Waymark's own in the analysts' account, and follows it to make
// the feed's purges follow (purgefollower.go) until Close. The embedded server does
// it at Open; on an external server, give it a connection as the analysts' account's
// Waymark user (README: the server's configuration). A stream it creates has replicas
// copies; an existing one keeps its own. Close closes nc.
func StartAnalysts(ctx context.Context, nc *nats.Conn, replicas int, log *slog.Logger) (*Analysts, error) {
	a := &Analysts{nc: nc, done: make(chan struct{})}
	cfg := AnalystsStreamConfig(replicas)
	var err error
	if a.js, err = jetstream.New(nc); err == nil {
		// Keep the origin's identity the purge follower recorded.
		if st, err := a.js.Stream(ctx, cfg.Name); err == nil {
			if id := st.CachedInfo().Config.Metadata[originIdentKey]; id != "" {
				cfg.Metadata = map[string]string{originIdentKey: id}
			}
			cfg.Replicas = st.CachedInfo().Config.Replicas // an update never rescales it
		}
		a.stream, err = a.js.CreateOrUpdateStream(ctx, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("the analysts' stream %s: %w", feedStream, err)
	}
	f := &purgeFollower{js: a.js, stream: a.stream, log: log.With("component", "analysts-stream"), ident: cfg.Metadata[originIdentKey]}
	cons, err := f.consumer(ctx)
	if err != nil {
		return nil, err
	}
	followCtx, stop := context.WithCancel(context.Background())
	a.stop = stop
	go func() {
		defer close(a.done)
		f.run(followCtx, cons)
	}()
	return a, nil
}

// Stream is the analysts' stream.
func (a *Analysts) Stream() jetstream.Stream { return a.stream }

// Close stops the follower (a purge under way ends first) and closes the connection.
func (a *Analysts) Close() {
	if a == nil {
		return
	}
	a.stop()
	select {
	case <-a.done:
	case <-time.After(drainTimeout):
	}
	a.nc.Close()
}

// EnsureOrigin creates the feed's stream in AppAccount when it does not exist yet,
// with replicas copies, and leaves an existing one as its publisher configured it.
func EnsureOrigin(ctx context.Context, js jetstream.JetStream, replicas int) error {
	_, err := js.Stream(ctx, feedStream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, OriginStreamConfig(replicas))
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			err = nil // made meanwhile by the publisher
		}
	}
	if err != nil {
		return fmt.Errorf("the feed's stream %s: %w", feedStream, err)
	}
	return nil
}

// AnalystsStream is the analysts' stream, in AnalyticsAccount, through Waymark's
// connection there (nil when the store uses an external server).
func (s *Store) AnalystsStream() jetstream.Stream {
	if s.analysts == nil {
		return nil
	}
	return s.analysts.Stream()
}
