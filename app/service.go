// Package app is Waymark's application layer: the only package that uses both the
// domain and the event store. One handler per command (load the stream, honour the
// command id, authorise, decide, append with the expected revision), and the queries
// over the projections. Resolvers and the CLI call it.
package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/waymark-org/waymark/calendar"
	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// Config wires a Service.
type Config struct {
	Store  eventstore.Store
	Runner *projections.Runner
	Cases  *projections.Cases
	Orgs   *projections.Organisations
	// Vault seals personal data with per-case keys (required).
	Vault *sealing.Vault
	// AccessLog records every read of personal data before it leaves (required for
	// queries; command-only users such as the demo seeder may leave it nil).
	AccessLog AccessLog
	Clock     Clock
	IDs       IDs
	Logger    *slog.Logger
	// HashKey keys the hashes that recognise a retried command's input and the ids of
	// the streams commands create; it must stay the same across restarts and replicas
	// (at least 32 bytes).
	HashKey []byte
	// Commands is the read model of the command ids in use, fed by Runner (made with
	// the same HashKey); after a start, commands wait for Runner to catch up. Nil: the
	// service keeps one fed by its own commands only, which knows no id used before it
	// started (tests, the demo seeder).
	Commands *projections.CommandIDs
	// CacheSize bounds how many folded streams are kept for deciding commands
	// (default 100,000; negative disables the cache).
	CacheSize int
	// ReadTimeout bounds how long a query waits for a minPosition (default 5s).
	ReadTimeout time.Duration
	// MaxConsent is the longest a consent grant may run (default DefaultMaxConsent):
	// consent is asked again rather than given for ever.
	MaxConsent time.Duration
	// Revocations are the revoked tokens Authenticate refuses (required to serve).
	Revocations *projections.Revocations
	// AuditKey is the public audit key checkpoints are verified with (verifyCase);
	// nil: the chain alone is checked.
	AuditKey ed25519.PublicKey
	// Work is the index of the work queues (myWork, workChanged), fed by Runner; nil:
	// the service has no work queues.
	Work *projections.Work
	// Calendars are the business-day calendars the statutory due dates of bureau block
	// requests are counted in (nil: calendar.Default()).
	Calendars *calendar.Set
	// DashboardMinCell is k, the smallest count the coalition dashboard publishes
	// (default dashboard.DefaultMinCell; never below dashboard.MinCellFloor).
	DashboardMinCell int
	// StalledAfter: an open case without an event for this long counts as stalled
	// (default projections.DefaultStalledAfter, as the work queues).
	StalledAfter time.Duration
	// Erasures records every erasure before the case key goes (erasure_ledger.go);
	// nil: none is recorded (tests, the demo seeder, in-process replicas).
	Erasures sealing.ErasureLedger
	// Metrics counts commands and times appends (metrics.go; nil: nothing).
	Metrics Metrics
}

// DefaultMaxConsent is how long a consent grant may run unless configured: two years.
const DefaultMaxConsent = 2 * 365 * 24 * time.Hour

// Service runs commands and queries.
type Service struct {
	store         eventstore.Store
	runner        *projections.Runner
	cases         *projections.Cases
	orgs          *projections.Organisations
	clock         Clock
	ids           IDs
	logger        *slog.Logger
	readTimeout   time.Duration
	hashKey       []byte
	commands      *projections.CommandIDs // the read model of command ids in use
	commandFeed   *projections.Runner     // what feeds commands (nil: only the service)
	aggregates    *aggregateCache
	noteTexts     *noteTextCache // sealed note texts of recently read cases (notecache.go)
	vault         *sealing.Vault
	accessLog     AccessLog
	maxConsent    time.Duration
	revocations   *projections.Revocations
	decoy         *projections.CaseView // stands in for a missing case (decoy.go)
	auditKey      ed25519.PublicKey
	work          *projections.Work
	deadlines     *deadlines // due dates of bureau block requests (calendar.go)
	publisher     *dashboard.Publisher
	dashboardSubs dashboardSubscriptions
	dashboards    *dashboardCache
	stalledAfter  time.Duration
	erasures      sealing.ErasureLedger
	metrics       Metrics
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if len(cfg.HashKey) < 32 {
		return nil, errors.New("app: HashKey must be at least 32 bytes")
	}
	if cfg.Vault == nil {
		return nil, errors.New("app: a Vault is required: personal data is never stored in plaintext")
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.IDs == nil {
		cfg.IDs = UUIDv7{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 100_000
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 5 * time.Second
	}
	if cfg.MaxConsent == 0 {
		cfg.MaxConsent = DefaultMaxConsent
	}
	if cfg.Revocations == nil {
		cfg.Revocations = projections.NewRevocations()
	}
	if cfg.DashboardMinCell == 0 {
		cfg.DashboardMinCell = dashboard.DefaultMinCell
	}
	publisher, err := dashboard.NewPublisher(cfg.DashboardMinCell)
	if err != nil {
		return nil, fmt.Errorf("app: dashboard: %w", err)
	}
	if cfg.StalledAfter <= 0 {
		cfg.StalledAfter = projections.DefaultStalledAfter
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	commandFeed := cfg.Runner
	if cfg.Commands == nil {
		cfg.Commands, commandFeed = projections.NewCommandIDs(cfg.HashKey), nil
	}
	s := &Service{
		store: cfg.Store, runner: cfg.Runner, cases: cfg.Cases, orgs: cfg.Orgs,
		clock: cfg.Clock, ids: cfg.IDs, logger: cfg.Logger, readTimeout: cfg.ReadTimeout,
		hashKey: cfg.HashKey, commands: cfg.Commands, commandFeed: commandFeed, aggregates: newAggregateCache(cfg.CacheSize),
		noteTexts: newNoteTextCache(noteTextCacheBytes),
		vault:     cfg.Vault, accessLog: cfg.AccessLog, maxConsent: cfg.MaxConsent, revocations: cfg.Revocations,
		decoy: decoyCase(), auditKey: cfg.AuditKey, work: cfg.Work, deadlines: newDeadlines(cfg.Calendars, cfg.Logger),
		publisher: publisher, stalledAfter: cfg.StalledAfter, dashboards: newDashboardCache(), metrics: cfg.Metrics,
		erasures: cfg.Erasures,
	}
	if cfg.AccessLog != nil {
		s.accessLog = retainedLog{AccessLog: cfg.AccessLog, s: s} // without what retention dropped (retention_accesslog.go)
	}
	return s, nil
}

// Result is what a command returns: the aggregate it wrote to, its new version, and
// the global-log position of its last event.
type Result struct {
	ID       string
	Version  uint64
	Position eventstore.Position
}

// request is one command on its way through execute.
type request struct {
	actor     Actor
	commandID string
	cmdType   string
	stream    string
	expected  *uint64 // the caller's expectedVersion, if any
	// fingerprint makes the fingerprint of the command's input for the target stream.
	fingerprint fingerprinter
	fold        fold
	// authorize says whether the caller may run the command on the target. It runs
	// before anything about the stream is revealed — except a retry's own result,
	// which only the same caller with the same input (the fingerprint) ever gets.
	authorize func(a aggregate) error
	// decide returns the events to append (none of them yet encoded).
	decide func(ctx context.Context, a aggregate, now time.Time) ([]domain.Event, error)
	// beforeAppend, if set, runs once the command is accepted, just before its events
	// (encoded, their ids drawn) are appended.
	beforeAppend func(ctx context.Context, data []eventstore.EventData) error
}

// maxRaces bounds how often a command is decided again after another writer got in
// first; past it the caller gets a conflict.
const maxRaces = 8

// execute runs a command: one append, carrying its id and the fingerprint of its input
// (the protocol: idempotency.go).
func (s *Service) execute(ctx context.Context, req request) (_ Result, err error) {
	// Every command's errors leave as app's: the domain's rule errors, the store's and
	// sealing's (a key destroyed by erasure) wrapped into app's kinds.
	defer func() { err = appError(err) }()
	md := s.metadata(ctx, req)
	key := s.commands.Key(req.actor.Organisation, req.commandID)
	// A cached aggregate will do to decide. One that rejects the command, or that does
	// not know an id the read model knows, is read again before the caller is told.
	fresh := false
	for race := 0; ; race++ {
		a, err := s.load(ctx, req.stream, req.fold, fresh)
		if err != nil {
			return Result{}, err
		}
		if done, ok := a.results[key]; ok {
			return s.settle(ctx, req, a, done) // a retry, or another replica finished it
		}
		if err := s.commandIDsReady(ctx); err != nil {
			return Result{}, err
		}
		if s.commands.Used(key) {
			if !fresh {
				fresh = true
				continue
			}
			return Result{}, fmt.Errorf("%s: %w", req.commandID, ErrCommandReused)
		}
		if err := req.authorize(a); err != nil {
			if !fresh {
				fresh = true
				continue
			}
			return Result{}, err
		}
		if req.expected != nil && *req.expected != a.version {
			if !fresh {
				fresh = true
				continue
			}
			return Result{}, &ConflictError{Expected: *req.expected, Actual: a.version}
		}
		events, err := req.decide(ctx, a, md.RecordedAt)
		if err != nil {
			if !fresh {
				fresh = true
				continue
			}
			return Result{}, err
		}
		// Events too large to store are refused by the append itself, which writes
		// nothing. Only where something that cannot be undone comes before it (a new
		// stream's case key, beforeAppend's key destruction) are they sized first.
		if a.version == 0 || req.beforeAppend != nil {
			md.Fingerprint = sizingFingerprint
			if err := s.checkSize(req.stream, events, md); err != nil {
				return Result{}, err
			}
		}
		// Accepted: now, and only now, a referral's case key is made (durable before the
		// event that needs it), and the fingerprint keyed with it.
		if md.Fingerprint, err = req.fingerprint(ctx, req.stream, a.version == 0); err != nil {
			return Result{}, fmt.Errorf("%s: %w", req.cmdType, err)
		}
		data, err := s.encode(ctx, req.stream, events, md)
		if err != nil {
			return Result{}, err
		}
		if req.beforeAppend != nil {
			if err := req.beforeAppend(ctx, data); err != nil {
				return Result{}, fmt.Errorf("%s %s: %w", req.cmdType, req.stream, err)
			}
			// What beforeAppend did (destroying a key) cannot be undone: the command
			// must now be recorded, whatever version the caller expected.
			req.expected = nil
		}
		expected := eventstore.NoStream
		if a.version > 0 {
			expected = eventstore.Exact(a.version - 1)
		}
		started := time.Now()
		appended, err := s.store.Append(ctx, req.stream, expected, data...)
		s.metrics.Appended(time.Since(started))
		var wrong *eventstore.WrongExpectedRevisionError
		if errors.As(err, &wrong) {
			s.metrics.AppendConflict()
			// Someone else wrote first: decide again on the new history — which holds
			// the result if that someone ran this very command — or, with the caller's
			// expected version now stale, report the conflict.
			s.aggregates.forget(req.stream)
			fresh = true
			if race < maxRaces {
				continue
			}
			again, err := s.load(ctx, req.stream, req.fold, true)
			if err != nil {
				return Result{}, err
			}
			if done, ok := again.results[key]; ok {
				return s.settle(ctx, req, again, done)
			}
			return Result{}, &ConflictError{Expected: a.version, Actual: again.version}
		}
		if errors.Is(err, eventstore.ErrEventTooLarge) {
			return Result{}, tooLarge(err)
		}
		if err != nil {
			return Result{}, fmt.Errorf("%s %s: %w", req.cmdType, req.stream, err)
		}
		s.commands.Record(key)
		done := recorded{version: appended.LastRevision + 1, position: appended.Last(), commandType: req.cmdType, fingerprint: md.Fingerprint}
		return s.appended(a, req.fold, events, key, done).result(done), nil
	}
}

// commandIDsReady waits, after a start, until the read model of command ids has caught
// up with the log as it was then: before that, an id used on another stream may not
// be known yet. Past the read timeout the command is ErrNotCaughtUp (retry shortly).
func (s *Service) commandIDsReady(ctx context.Context) error {
	if s.commandFeed == nil || s.commandFeed.Ready() {
		return nil
	}
	wait, cancel := context.WithTimeout(ctx, s.readTimeout)
	defer cancel()
	if err := s.commandFeed.WaitReady(wait); err != nil {
		return fmt.Errorf("the read model of command ids is catching up (%v): %w", err, ErrNotCaughtUp)
	}
	return nil
}

func (s *Service) metadata(ctx context.Context, req request) eventstore.Metadata {
	correlation := CorrelationID(ctx)
	if correlation == "" {
		correlation = req.commandID
	}
	return eventstore.Metadata{
		Actor:         req.actor.ID,
		Role:          string(req.actor.Role),
		Organisation:  req.actor.Organisation,
		CommandID:     req.commandID,
		CorrelationID: correlation,
		CausationID:   req.commandID,
		RecordedAt:    s.clock.Now(),
		CommandType:   req.cmdType,
	}
}

type correlationKey struct{}

// WithCorrelationID returns ctx carrying a correlation id from the caller's request.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationID returns the correlation id of ctx, or "".
func CorrelationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}
