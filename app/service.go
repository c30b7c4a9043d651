// Package app is Waymark's application layer: the only package that uses both the
// domain and the event store. One handler per command (load the stream, decide, append
// with the expected revision, honour the command id, authorise), and the queries over
// the projections. Resolvers and the CLI call it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

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
	// HashKey keys the hashes that recognise a retried command's input; it must stay
	// the same across restarts and replicas (at least 32 bytes).
	HashKey []byte
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
}

// DefaultMaxConsent is how long a consent grant may run unless configured: two years.
const DefaultMaxConsent = 2 * 365 * 24 * time.Hour

// Service runs commands and queries.
type Service struct {
	store       eventstore.Store
	runner      *projections.Runner
	cases       *projections.Cases
	orgs        *projections.Organisations
	clock       Clock
	ids         IDs
	logger      *slog.Logger
	readTimeout time.Duration
	hashKey     []byte
	aggregates  *aggregateCache
	vault       *sealing.Vault
	accessLog   AccessLog
	maxConsent  time.Duration
	revocations *projections.Revocations
	decoy       *projections.CaseView // stands in for a missing case (decoy.go)
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
	return &Service{
		store: cfg.Store, runner: cfg.Runner, cases: cfg.Cases, orgs: cfg.Orgs,
		clock: cfg.Clock, ids: cfg.IDs, logger: cfg.Logger, readTimeout: cfg.ReadTimeout,
		hashKey: cfg.HashKey, aggregates: newAggregateCache(cfg.CacheSize),
		vault: cfg.Vault, accessLog: cfg.AccessLog, maxConsent: cfg.MaxConsent, revocations: cfg.Revocations,
		decoy: decoyCase(),
	}, nil
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
	// fingerprint makes the fingerprint of the command's input for a target stream.
	fingerprint fingerprinter
	fold        fold
	// authorize says whether the caller may run the command on the target. It runs
	// before anything about the stream is revealed — except a retry's own result,
	// which only the same caller with the same input (the input hash) ever gets.
	authorize func(a aggregate) error
	// decide returns the events to append (none of them yet encoded).
	decide func(ctx context.Context, a aggregate, now time.Time) ([]domain.Event, error)
	// beforeAppend, if set, runs after the claim and before the events are appended.
	beforeAppend func(ctx context.Context) error
}

// maxRaces bounds how often a command is decided again after another writer got in
// first; past it the caller gets a conflict.
const maxRaces = 8

func (s *Service) execute(ctx context.Context, req request) (_ Result, err error) {
	// Every command's errors leave as app's: the domain's rule errors, the store's and
	// sealing's (a key destroyed by erasure) wrapped into app's kinds.
	defer func() { err = appError(err) }()
	md := s.metadata(ctx, req)
	claimStream := s.commandStream(req.actor.Organisation, req.commandID)
	c, err := s.readClaim(ctx, claimStream, req.commandID)
	if err != nil {
		return Result{}, err
	}
	// Without a claim nobody ever ran this command id, so a cached aggregate will do
	// to decide; with one, the result may be in the stream already: read it. A cached
	// aggregate that rejects the command is read again before the caller is told.
	fresh := c.exists
	claimedHere := false // only a claim this request wrote is ever released
	checked := ""        // the claim fingerprint already found to be this input's
	for race := 0; ; race++ {
		if c.exists && c.accepted.InputHash != "" && c.accepted.InputHash != checked {
			res, done, err := s.checkClaim(ctx, req, c)
			if done || err != nil {
				return res, err
			}
			checked = c.accepted.InputHash
		}
		if c.held {
			req.stream = c.accepted.Stream // a create's retry goes to the first attempt's stream
		}
		a, err := s.load(ctx, req.stream, req.fold, fresh)
		if err != nil {
			return Result{}, err
		}
		if res, ok := a.results[req.commandID]; ok {
			return res, nil // a retry, or another replica finished it
		}
		if err := req.authorize(a); err != nil {
			if !fresh {
				fresh = true
				continue
			}
			s.release(ctx, c, claimedHere, req.commandID, "not allowed", md)
			return Result{}, err
		}
		if req.expected != nil && *req.expected != a.version {
			if !fresh {
				fresh = true
				continue
			}
			s.release(ctx, c, claimedHere, req.commandID, "stale expected version", md)
			return Result{}, &ConflictError{Expected: *req.expected, Actual: a.version}
		}
		events, err := req.decide(ctx, a, md.RecordedAt)
		if err != nil {
			if !fresh {
				fresh = true
				continue
			}
			s.release(ctx, c, claimedHere, req.commandID, "rejected", md)
			return Result{}, err
		}
		if err := s.checkSize(req.stream, events, md); err != nil {
			s.release(ctx, c, claimedHere, req.commandID, "too large", md)
			return Result{}, err
		}
		if !c.held {
			// The fingerprint of a new case's input is keyed with its key: made here,
			// once the command is known to be accepted.
			hash, err := req.fingerprint(ctx, req.stream, a.version == 0)
			if err != nil {
				return Result{}, fmt.Errorf("%s: %w", req.cmdType, err)
			}
			c, err = s.takeClaim(ctx, c, req.commandID, commandAccepted{CommandType: req.cmdType, InputHash: hash, Stream: req.stream}, md)
			if errors.Is(err, eventstore.ErrWrongExpectedRevision) && race < maxRaces {
				if c, err = s.readClaim(ctx, claimStream, req.commandID); err != nil {
					return Result{}, err
				}
				fresh = true
				continue // another replica claimed the id: it is a retry now
			}
			if err != nil {
				return Result{}, err
			}
			claimedHere, checked = true, hash
		}
		// Encoding makes the case key on a referral: only once this request owns the id.
		data, err := s.encode(ctx, req.stream, events, md)
		if err != nil {
			return Result{}, err
		}
		if req.beforeAppend != nil {
			if err := req.beforeAppend(ctx); err != nil {
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
		appended, err := s.store.Append(ctx, req.stream, expected, data...)
		var wrong *eventstore.WrongExpectedRevisionError
		if errors.As(err, &wrong) {
			s.aggregates.forget(req.stream)
			fresh = true
			if req.expected == nil && race < maxRaces {
				continue // someone else wrote first: decide again on the new history
			}
			// The caller expected a version, or we lost too many races. Another
			// request with this very command may have won: then its result is ours.
			again, err := s.load(ctx, req.stream, req.fold, true)
			if err != nil {
				return Result{}, err
			}
			if res, ok := again.results[req.commandID]; ok {
				return res, nil
			}
			s.release(ctx, c, claimedHere, req.commandID, "conflict", md)
			return Result{}, &ConflictError{Expected: a.version, Actual: again.version}
		}
		if errors.Is(err, eventstore.ErrEventTooLarge) {
			s.release(ctx, c, claimedHere, req.commandID, "too large", md)
			return Result{}, tooLarge(err)
		}
		if err != nil {
			return Result{}, fmt.Errorf("%s %s: %w", req.cmdType, req.stream, err)
		}
		_, id, _ := eventstore.SplitStreamName(req.stream)
		res := Result{ID: id, Version: appended.LastRevision + 1, Position: appended.Last()}
		s.appended(a, req.fold, events, req.commandID, res)
		return res, nil
	}
}

// checkClaim compares the input fingerprint a claim recorded with this request's. Other
// input is ErrCommandReused. A fingerprint that can no longer be checked (the case was
// erased, and its key with it) settles nothing but that the id was used: the
// command's recorded result is returned if there is one (done), and the command never
// runs again.
func (s *Service) checkClaim(ctx context.Context, req request, c claim) (res Result, done bool, err error) {
	if c.accepted.CommandType != req.cmdType {
		return Result{}, true, fmt.Errorf("%s: %w", req.commandID, ErrCommandReused)
	}
	hash, err := req.fingerprint(ctx, c.accepted.Stream, false)
	switch {
	case errors.Is(err, sealing.ErrKeyDestroyed):
		// Nothing proves this is the same caller with the same input: the result goes
		// only to a caller allowed to act on the stream.
		a, err := s.load(ctx, c.accepted.Stream, req.fold, true)
		if err != nil {
			return Result{}, true, err
		}
		res, ok := a.results[req.commandID]
		if !ok || req.authorize(a) != nil {
			return Result{}, true, fmt.Errorf("%s: %w", req.commandID, ErrCommandReused)
		}
		return res, true, nil
	case err != nil:
		return Result{}, true, fmt.Errorf("check command %s: %w", req.commandID, err)
	case hash != c.accepted.InputHash:
		return Result{}, true, fmt.Errorf("%s: %w", req.commandID, ErrCommandReused)
	}
	return Result{}, false, nil
}

// release gives up a claim this request wrote, so that a retry can run the command
// afresh. A claim taken over from another request is never released: that request may
// still finish, and its result must stay the id's result.
func (s *Service) release(ctx context.Context, c claim, claimedHere bool, commandID, reason string, md eventstore.Metadata) {
	if claimedHere && c.held {
		s.releaseClaim(ctx, c, commandID, reason, md)
	}
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
