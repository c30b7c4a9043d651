// Package jetstream is the event store on NATS JetStream: one stream for all events,
// one subject per event-store stream (waymark.events.<stream>), one message per Append
// holding all its events, optimistic concurrency through the server's expected last
// subject sequence, reads by batched direct get and the global log through an ordered
// consumer. By default it embeds a NATS server (file storage under the data dir,
// reached in-process, its client port open only to clients with credentials: see
// AppAccount); with Config.NATSURL it uses an external server or cluster.
package jetstream

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/jsbatch"
	"github.com/waymark-org/waymark/internal/jsstream"
	"github.com/waymark-org/waymark/internal/jssync"
	"github.com/waymark-org/waymark/internal/natsembed"
	"github.com/waymark-org/waymark/internal/natserr"
)

// drainTimeout bounds how long Close waits for the connection to drain.
const drainTimeout = 10 * time.Second

// Store is the JetStream event store. It is safe for concurrent use.
type Store struct {
	cfg    Config
	log    *slog.Logger
	srv    *server.Server // nil when external
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	ncDone chan struct{} // closed when nc is closed

	direct *directGets // batched direct gets over one reply subscription
	// replicated: the event stream has more than one replica, whose followers may
	// answer direct gets behind its leader (leaderread.go).
	replicated bool
	// leaderReads counts stream reads that went to the leader (read.go): for tests.
	leaderReads atomic.Uint64
	heads       *headCache // stream heads for Append, from appends and reads
	// durable makes writes durable and holds reads back until they are (see
	// durability.go); nil where the server does it (an external server) or nobody
	// does (sync=interval).
	durable durability
	// commit gathers concurrent appends into rounds made durable together
	// (internal/jsbatch); nil when every append is published on its own.
	commit *jsbatch.Committer

	// analysts is Waymark's side of AnalyticsAccount (analysts.go) and auth the
	// embedded server's users (users.go); both nil on an external server.
	analysts *Analysts
	auth     *clientAuth
	usersMu  sync.Mutex // serialises changes to the users file and auth's users

	// ctx ends when Close starts; subscriptions end with it.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool           // under mu: set when Close starts
	subs   sync.WaitGroup // running subscriptions

	closeOnce sync.Once
	closeErr  error

	// beforePublish, when set (tests only), runs between taking a stream's head (read
	// or cached) and publishing an append, to let a test slip a conflicting write in.
	beforePublish func()
	// headReads counts the heads Append read from the server (tests).
	headReads atomic.Uint64
}

var _ eventstore.Store = (*Store)(nil)

// Open starts (or connects to) NATS, makes sure the event stream exists and returns
// the store. Close it to stop the embedded server.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, log: cfg.Logger, ncDone: make(chan struct{}), heads: newHeadCache(headCacheSize)}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	opts := []nats.Option{
		nats.Name("waymark"),
		nats.ClosedHandler(func(*nats.Conn) { close(s.ncDone) }),
	}
	url := cfg.NATSURL
	if url == "" {
		if cfg.AppPassword == "" {
			cfg.AppPassword = rand.Text() // 26 base32 characters: 130 random bits
			s.cfg.AppPassword = cfg.AppPassword
		}
		cfg.analystsPassword = rand.Text() // never leaves this process
		s.cfg.analystsPassword = cfg.analystsPassword
		if s.srv, s.auth, err = startEmbedded(cfg); err != nil {
			return nil, err
		}
		opts = append(opts, nats.InProcessServer(s.srv), nats.UserInfo(AppUser, cfg.AppPassword))
	} else {
		opts = append(append(opts, nats.MaxReconnects(-1)), cfg.externalOptions()...)
		switch {
		case cfg.NATSCredsFile != "":
			opts = append(opts, nats.UserCredentials(cfg.NATSCredsFile))
		case cfg.NATSUser != "":
			opts = append(opts, nats.UserInfo(cfg.NATSUser, cfg.NATSPassword))
		}
	}
	if s.nc, err = nats.Connect(url, opts...); err != nil {
		s.shutdownServer()
		return nil, fmt.Errorf("jetstream event store: connect: %w", err)
	}
	if s.js, err = jetstream.New(s.nc); err == nil {
		s.stream, err = s.ensureStream(ctx)
	}
	if err == nil {
		s.replicated = s.stream.CachedInfo().Config.Replicas > 1
		batchWait := s.js.Options().DefaultTimeout
		if s.replicated {
			batchWait = min(batchWait, replicatedBatchWait)
		}
		s.direct, err = newDirectGets(s.nc, jetstream.DefaultAPIPrefix+"DIRECT.GET."+cfg.StreamName, cfg.StreamName, batchWait)
	}
	if err == nil {
		err = s.setUpDurability(ctx)
	}
	switch {
	case err != nil:
	case s.srv != nil:
		s.analysts, err = openAnalysts(ctx, s.srv, s.js, cfg.analystsPassword, s.log)
	case cfg.AnalystsNATSUser != "" || cfg.AnalystsNATSCredsFile != "":
		s.analysts, err = connectAnalysts(ctx, cfg, s.js, s.log)
	}
	if err != nil {
		s.nc.Close()
		s.shutdownServer()
		return nil, fmt.Errorf("jetstream event store: %w", err)
	}
	return s, nil
}

// setUpDurability decides who makes appends durable and how they are grouped:
//   - the embedded server with sync=always: this store, by group commit of its own
//     (durability.go), answering replicas too;
//   - a replica on another Waymark's embedded server: that owner, asked per round;
//   - an external server: the server (sync_always or replication, the operator's
//     choice); concurrent appends go out as atomic batches where the stream allows
//     them, which a server that fsyncs every message stores with one fsync;
//   - the embedded server with sync=interval: nobody, each append on its own.
func (s *Store) setUpDurability(ctx context.Context) error {
	switch {
	case s.srv != nil && s.cfg.Sync == SyncAlways:
		d := &localDurability{jsDir: s.srv.JetStreamConfig().StoreDir, account: AppAccount,
			head: s.lastSeq, syncers: map[string]*jssync.Syncer{}}
		if _, err := d.syncer(ctx, s.cfg.StreamName); err != nil {
			return err
		}
		if err := d.serve(s.nc); err != nil {
			return fmt.Errorf("answer replicas: %w", err)
		}
		s.durable = d
	case s.srv == nil:
		d, err := probeOwner(ctx, s.nc, s.cfg.StreamName)
		if err != nil {
			return err
		}
		if d != nil {
			s.durable = d
		}
	}
	switch {
	case s.durable != nil:
		s.commit = jsbatch.New(s.nc, s.js, jsbatch.Options{Sync: func(ctx context.Context, upTo uint64) error {
			return s.durable.commit(ctx, s.cfg.StreamName, upTo)
		}})
	case s.srv == nil && s.stream.CachedInfo().Config.AllowAtomicPublish:
		s.commit = jsbatch.New(s.nc, s.js, jsbatch.Options{})
	}
	return nil
}

// MakeDurable makes the writes to stream (a stream on this store's server, such as
// the access log) acknowledged so far durable, up to sequence upTo: its writers call
// it before saying a write happened. Nothing to do where the server makes writes
// durable itself, or where nobody does (sync=interval).
func (s *Store) MakeDurable(ctx context.Context, stream string, upTo uint64) error {
	if s.durable == nil {
		return nil
	}
	if err := s.durable.commit(ctx, stream, upTo); err != nil {
		return s.opErr("make "+stream+" durable", err)
	}
	return nil
}

// waitDurable holds a read back until the message at seq is durable.
func (s *Store) waitDurable(ctx context.Context, seq uint64) error {
	if s.durable == nil || seq == 0 {
		return nil
	}
	return s.durable.wait(ctx, s.cfg.StreamName, seq)
}

// lastSeq is the last sequence of a stream on this store's server.
func (s *Store) lastSeq(ctx context.Context, stream string) (uint64, error) {
	st, err := s.js.Stream(ctx, stream)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", stream, err)
	}
	return st.CachedInfo().State.LastSeq, nil
}

// Server returns the embedded server (nil when connected to an external one).
func (s *Store) Server() *server.Server { return s.srv }

// ReplicaCredentials returns the user and password with which another Waymark joins
// this store's embedded server over TCP (Config.NATSURL set to Server().ClientURL(),
// Config.NATSUser and NATSPassword to these): Waymark's own user, in AppAccount. The
// password is Config.AppPassword or the one drawn at Open, and changes at every start
// unless configured. Both are empty when the store uses an external server. Keep the
// password out of logs.
func (s *Store) ReplicaCredentials() (user, password string) {
	if s.srv == nil {
		return "", ""
	}
	return AppUser, s.cfg.AppPassword
}

// Replicas is how many copies of a stream Waymark creates on this store's server
// (Config.Replicas): what the streams beside the events' (the access log's, the
// analytics feed's, the key store's) are created with too.
func (s *Store) Replicas() int { return s.cfg.Replicas }

// Conn returns the store's NATS connection, for reuse (e.g. by the event bus). It is
// closed by Close.
func (s *Store) Conn() *nats.Conn { return s.nc }

// streamConfig is the event stream: append-only history, readable by direct get.
func (s *Store) streamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              s.cfg.StreamName,
		Description:       "Waymark events: one subject per event-store stream",
		Subjects:          []string{subjectPrefix + ">"},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		Discard:           jetstream.DiscardOld,
		MaxMsgs:           -1,
		MaxBytes:          -1,
		MaxMsgsPerSubject: -1,
		Duplicates:        jsstream.NoDedupe,
		AllowDirect:       true,
		// Atomic batches are how concurrent appends share one fsync on a server that
		// fsyncs every message (internal/jsbatch); the embedded server syncs by group
		// commit of its own instead (durability.go).
		AllowAtomicPublish: true,
		DenyDelete:         true,
		DenyPurge:          true,
		Replicas:           s.cfg.Replicas,
	}
}

// ensureStream creates or updates the stream on the embedded server. On an external
// server an existing stream is used as configured (its replicas are the operator's
// choice) after checking what the store relies on.
func (s *Store) ensureStream(ctx context.Context) (jetstream.Stream, error) {
	want := s.streamConfig()
	if s.srv != nil {
		st, err := s.js.CreateOrUpdateStream(ctx, want)
		if err != nil {
			return nil, fmt.Errorf("create stream %s: %w", want.Name, err)
		}
		return st, nil
	}
	st, err := s.js.Stream(ctx, want.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s.log.Info("creating event stream", "stream", want.Name, "replicas", want.Replicas)
		st, err = s.js.CreateStream(ctx, want)
	}
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", want.Name, err)
	}
	got := st.CachedInfo().Config
	switch {
	case !slices.Contains(got.Subjects, subjectPrefix+">"):
		return nil, fmt.Errorf("stream %s: subjects %v do not include %s>", got.Name, got.Subjects, subjectPrefix)
	case !got.AllowDirect:
		return nil, fmt.Errorf("stream %s: allow_direct is off; reads need direct get", got.Name)
	}
	if !got.DenyDelete || !got.DenyPurge {
		s.log.Warn("event stream allows deleting or purging messages; history should be append-only",
			"stream", got.Name, "deny_delete", got.DenyDelete, "deny_purge", got.DenyPurge)
	}
	if got.Replicas != want.Replicas {
		s.log.Warn("event stream exists with other replicas than asked for; kept as it is",
			"stream", got.Name, "replicas", got.Replicas, "asked", want.Replicas)
	}
	if got.Replicas < 2 {
		s.log.Warn("event stream has fewer than 2 replicas: a single disk loss loses events",
			"stream", got.Name, "replicas", got.Replicas)
	}
	return st, nil
}

// Head returns the position of the last event of the global log.
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	if s.isClosed() {
		return eventstore.Start, fmt.Errorf("head: %w", eventstore.ErrClosed)
	}
	info, err := s.stream.Info(ctx)
	if err != nil {
		return eventstore.Start, s.opErr("head", err)
	}
	last := info.State.LastSeq
	if last == 0 {
		return eventstore.Start, nil
	}
	if err := s.waitDurable(ctx, last); err != nil {
		return eventstore.Start, s.opErr("head", err)
	}
	msg, err := s.getMsg(ctx, last) // the leader's, as Info is: a follower may not have it yet
	if err != nil {
		return eventstore.Start, s.opErr(fmt.Sprintf("head: message %d", last), err)
	}
	h, err := parseMsgHead(msg.Header)
	if err != nil {
		return eventstore.Start, fmt.Errorf("head: message %d: %w", last, err)
	}
	return eventstore.NewPosition(last, h.count()-1), nil
}

// Close ends subscriptions and reads in flight (they fail with ErrClosed), drains the
// connection (and with it the direct get reply subscription) and stops the embedded
// server. It is safe to call more than once and from several goroutines.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true // no new subscriptions from here on
		s.mu.Unlock()
		s.cancel()
		s.subs.Wait()
		if s.commit != nil {
			s.commit.Close()
		}
		s.analysts.Close()

		if err := s.nc.Drain(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			s.closeErr = fmt.Errorf("close jetstream event store: drain: %w", err)
		}
		select {
		case <-s.ncDone:
		case <-time.After(drainTimeout):
			s.nc.Close()
		}
		s.shutdownServer()
	})
	return s.closeErr
}

func (s *Store) shutdownServer() { natsembed.Shutdown(s.srv) }

func (s *Store) isClosed() bool { return s.ctx.Err() != nil }

// opErr wraps err from a NATS call with op, as ErrClosed when the store closed under it.
func (s *Store) opErr(op string, err error) error {
	if s.isClosed() && !errors.Is(err, eventstore.ErrClosed) {
		return fmt.Errorf("%s: %w (%v)", op, eventstore.ErrClosed, err)
	}
	if natserr.Transient(err) && !errors.Is(err, eventstore.ErrUnavailable) {
		return fmt.Errorf("%s: %w: %w", op, eventstore.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
