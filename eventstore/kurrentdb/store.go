// Package kurrentdb keeps Waymark's events in KurrentDB (formerly EventStoreDB), through
// the official Go client (github.com/EventStore/EventStore-Client-Go/v4). It implements
// the eventstore.Store contract and passes eventstore/storetest, like the JetStream
// store.
//
// Mapping:
//   - A Waymark stream "<kind>-<id>" is the KurrentDB stream of the same name (with
//     Config.Namespace in front, when several deployments share one server).
//   - Each event is one KurrentDB event: its id is the Waymark event id (a UUID), its
//     type the Waymark type, content type JSON, and its data the exact bytes
//     eventstore.EncodeRecord makes: the bytes the event's hash covers, the same bytes
//     the JetStream store keeps, so that verify and the auditors read the same chain
//     on either store and a migration copies bytes, not meanings.
//   - KurrentDB's stream revisions are Waymark's revisions (both 0-based), and an
//     append is one KurrentDB append: atomic, all or nothing.
//   - A Position is KurrentDB's (commit, prepare) pair, compared in that order, with
//     the gaps KurrentDB's log has.
//   - Subscribe is a catch-up subscription to $all, filtered on the server to the
//     prefixes of Waymark's stream kinds (eventstore.Kinds), so the server never sends
//     another application's or the system's events.
//
// Every event's bytes are chained to the previous event's hash, so an append must know
// the stream's head: it reads it (or takes it from a cache of heads it wrote), checks
// the caller's expectation against it and appends with that exact revision as
// KurrentDB's expected revision, so the server writes only if the head is still the
// same. A lost race is read again and retried when the caller's expectation still
// holds (Any, StreamExists), as the JetStream store does.
//
// Group commit: the JetStream store batches concurrent appends into one durable write
// (eventstore/jetstream/groupcommit). KurrentDB needs no client-side equivalent: its
// writer already flushes concurrent appends together (one fsync for the batch it has),
// so appends from many goroutines share disk flushes on the server.
package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/waymark-org/waymark/eventstore"
)

// DefaultMaxAppendBytes bounds one append's stored bytes: KurrentDB's default
// MaxAppendSize (1 MiB), less room for the type, id and system metadata the server
// counts with the data.
const DefaultMaxAppendBytes = 1<<20 - 4096

// DefaultRetryFor is how long an operation keeps retrying transient failures (the
// server unreachable, a leader election) before it fails.
const DefaultRetryFor = 30 * time.Second

// Config configures the store.
type Config struct {
	// URL is the KurrentDB connection string: esdb://[user:password@]host:port[,...]
	// [?tls=false&tlsCAFile=...]; esdb+discover:// for DNS discovery of a cluster.
	// TLS and credentials come from it, as the client library reads it.
	URL string
	// Namespace is put in front of every stream name in KurrentDB (letters, digits, '_',
	// '.' and '-'; e.g. "waymark1_"), so that several deployments, or test runs, share
	// one server without seeing each other's events. Empty: streams are named exactly
	// as Waymark names them.
	Namespace string
	// MaxAppendBytes bounds the stored bytes of one append (0: DefaultMaxAppendBytes).
	// Set it to the server's MaxAppendSize less 4 KiB when the server's differs.
	MaxAppendBytes int
	// RetryFor bounds the retries of transient failures (0: DefaultRetryFor).
	RetryFor time.Duration
	// Logger receives reconnections and the client library's warnings (default
	// slog.Default()).
	Logger *slog.Logger
}

// Store is the KurrentDB event store. It is safe for concurrent use.
type Store struct {
	cfg      Config
	esdbCfg  *esdb.Configuration
	logger   *slog.Logger
	prefixes []string // the server-side filter: Namespace + kind + "-"
	heads    *headCache

	mu     sync.Mutex // guards client and closed
	client *esdb.Client
	closed bool

	// ctx ends when Close starts; subscriptions and retries end with it.
	ctx    context.Context
	cancel context.CancelFunc
	subs   sync.WaitGroup
}

var (
	_ eventstore.Store       = (*Store)(nil)
	_ eventstore.SizeChecker = (*Store)(nil)
)

// CheckConfig refuses a configuration Open would refuse before connecting (no
// connection string, one that does not parse, a bad namespace), so that a command can
// refuse it before it touches anything else.
func CheckConfig(cfg Config) error {
	_, err := parseConfig(cfg)
	return err
}

func parseConfig(cfg Config) (*esdb.Configuration, error) {
	if cfg.URL == "" {
		return nil, errors.New("kurrentdb: a connection string (esdb://...) is required")
	}
	if err := validNamespace(cfg.Namespace); err != nil {
		return nil, err
	}
	esdbCfg, err := esdb.ParseConnectionString(cfg.URL)
	if err != nil {
		// The client's message may quote the string, password included: say less.
		return nil, errors.New("kurrentdb: the connection string is not a valid esdb:// URL (see the KurrentDB client documentation)")
	}
	return esdbCfg, nil
}

// Open connects to KurrentDB and checks that it answers (retrying for RetryFor).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	esdbCfg, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.MaxAppendBytes <= 0 {
		cfg.MaxAppendBytes = DefaultMaxAppendBytes
	}
	if cfg.RetryFor <= 0 {
		cfg.RetryFor = DefaultRetryFor
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	esdbCfg.Logger = clientLogging(cfg.Logger)
	if !strings.Contains(strings.ToLower(cfg.URL), "maxdiscoverattempts=") {
		// The library gives a connection up for good after MaxDiscoverAttempts failed
		// rediscoveries (10: about a second against a server that refuses), and calls
		// queued meanwhile never return (see attempt). Rediscover for as long as the
		// store retries instead, so that a restart within RetryFor is only a pause.
		esdbCfg.MaxDiscoverAttempts = max(10, int(cfg.RetryFor/(time.Duration(esdbCfg.DiscoveryInterval)*time.Millisecond)))
	}
	if esdbCfg.DisableTLS && esdbCfg.Username != "" {
		// The client library sends credentials only over TLS: with tls=false they are
		// dropped without a word, and a server that requires them refuses every call.
		cfg.Logger.Warn("kurrentdb: the connection string has a user and password but tls=false; the client sends credentials only over TLS, so they are not sent", "user", esdbCfg.Username)
	}
	if err := checkTLS(ctx, esdbCfg); err != nil {
		return nil, fmt.Errorf("kurrentdb: %w", err)
	}
	s := &Store{cfg: cfg, esdbCfg: esdbCfg, logger: cfg.Logger, heads: newHeadCache()}
	for _, kind := range eventstore.Kinds() {
		s.prefixes = append(s.prefixes, cfg.Namespace+kind+"-")
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if s.client, err = esdb.NewClient(esdbCfg); err != nil {
		s.cancel()
		return nil, fmt.Errorf("kurrentdb: %w", err)
	}
	if _, err := s.Head(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("kurrentdb: reach the server: %w", err)
	}
	return s, nil
}

func validNamespace(ns string) error {
	for _, r := range ns {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') || len(ns) > 64 {
			return fmt.Errorf("kurrentdb: namespace %q: use at most 64 letters, digits, '_', '.' or '-'", ns)
		}
	}
	if strings.HasPrefix(ns, "$") {
		return fmt.Errorf("kurrentdb: namespace %q: '$' streams are KurrentDB's own", ns)
	}
	return nil
}

// streamID is stream's name in KurrentDB.
func (s *Store) streamID(stream string) string { return s.cfg.Namespace + stream }

// ours reports whether a KurrentDB stream is one of this store's: what the server-side
// filter lets through, checked again where the client cannot filter (reading $all).
func (s *Store) ours(streamID string) bool {
	for _, p := range s.prefixes {
		if strings.HasPrefix(streamID, p) {
			return true
		}
	}
	return false
}

// checkStream validates a stream name for an operation: a Waymark name of a known
// kind (a stream of another kind would be written but never reach a subscription).
func checkStream(stream string) error {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return err
	}
	kind, _, _ := eventstore.SplitStreamName(stream)
	for _, k := range eventstore.Kinds() {
		if kind == k {
			return nil
		}
	}
	return fmt.Errorf("%w: %q is of no kind Waymark keeps (eventstore.Kinds)", eventstore.ErrInvalidStreamName, stream)
}

// Close ends the subscriptions and the connection; every call afterwards fails with
// ErrClosed. It is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.subs.Wait()
		return nil
	}
	s.closed = true
	client := s.client
	s.mu.Unlock()
	s.cancel()
	s.subs.Wait()
	if client != nil {
		return client.Close()
	}
	return nil
}

func (s *Store) isClosed() bool { return s.ctx.Err() != nil }

// conn returns the client, or a new one when the library has given the last one up
// (after failing to rediscover the server it closes itself for good).
func (s *Store) conn() (*esdb.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	return s.client, nil
}

// renew replaces a client that closed itself, unless another caller already did.
func (s *Store) renew(old *esdb.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.client != old {
		return
	}
	c, err := esdb.NewClient(s.esdbCfg)
	if err != nil {
		s.logger.Warn("kurrentdb: reconnect", "err", err)
		return
	}
	// The old client is dropped, not closed: it closed itself, and closing it again
	// would make any call still queued on it panic (see attempt).
	s.client = c
	s.logger.Info("kurrentdb: reconnecting with a new client")
}

// clientLogging passes the client library's warnings and errors to logger; its debug
// and info lines (each discovery attempt) are noise at Waymark's level.
func clientLogging(logger *slog.Logger) esdb.LoggingFunc {
	return func(level esdb.LogLevel, format string, args ...any) {
		switch level {
		case esdb.LogWarn:
			logger.Warn("kurrentdb client: " + fmt.Sprintf(format, args...))
		case esdb.LogError:
			// The library logs every failed call as an error, transient ones included;
			// the store retries them and logs what matters itself.
			logger.Debug("kurrentdb client: " + fmt.Sprintf(format, args...))
		}
	}
}
