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

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
)

// Config wires a Service.
type Config struct {
	Store  eventstore.Store
	Runner *projections.Runner
	Cases  *projections.Cases
	Orgs   *projections.Organisations
	Clock  Clock
	IDs    IDs
	Logger *slog.Logger
	// HashKey keys the hashes that recognise a retried command's input; it must stay
	// the same across restarts and replicas (at least 32 bytes).
	HashKey []byte
	// ReadTimeout bounds how long a query waits for a minPosition (default 5s).
	ReadTimeout time.Duration
}

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
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if len(cfg.HashKey) < 32 {
		return nil, errors.New("app: HashKey must be at least 32 bytes")
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
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 5 * time.Second
	}
	return &Service{
		store: cfg.Store, runner: cfg.Runner, cases: cfg.Cases, orgs: cfg.Orgs,
		clock: cfg.Clock, ids: cfg.IDs, logger: cfg.Logger, readTimeout: cfg.ReadTimeout,
		hashKey: cfg.HashKey,
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
	hash      string
	// authorize is given the target stream's events and says whether the caller may
	// run the command on it, before anything about the stream is revealed.
	authorize func(history []eventstore.RecordedEvent) error
	// decide is given the target stream's events (none for a new stream) and returns
	// the events to append, already encoded.
	decide func(ctx context.Context, history []eventstore.RecordedEvent, md eventstore.Metadata) ([]eventstore.EventData, error)
}

// maxRaces bounds how often a command is decided again after another writer got in
// first; past it the caller gets a conflict.
const maxRaces = 8

func (s *Service) execute(ctx context.Context, req request) (Result, error) {
	md := s.metadata(ctx, req)
	c, err := s.readClaim(ctx, req.commandID)
	if err != nil {
		return Result{}, err
	}
	for race := 0; ; race++ {
		if c.held {
			if c.accepted.InputHash != req.hash {
				return Result{}, fmt.Errorf("%s: %w", req.commandID, ErrCommandReused)
			}
			req.stream = c.accepted.Stream // a create's retry goes to the first attempt's stream
		}
		history, err := s.readHistory(ctx, req.stream)
		if err != nil {
			return Result{}, err
		}
		if res, ok := resultOf(history, req.stream, req.commandID); ok {
			return res, nil // a retry, or another replica finished it
		}
		if err := req.authorize(history); err != nil {
			s.release(ctx, c, req, "not allowed", md)
			return Result{}, err
		}
		version := uint64(len(history))
		if req.expected != nil && *req.expected != version {
			s.release(ctx, c, req, "stale expected version", md)
			return Result{}, &ConflictError{Expected: *req.expected, Actual: version}
		}
		events, err := req.decide(ctx, history, md)
		if err != nil {
			s.release(ctx, c, req, "rejected", md)
			return Result{}, err
		}
		if !c.held {
			c, err = s.takeClaim(ctx, c, req.commandID, commandAccepted{CommandType: req.cmdType, InputHash: req.hash, Stream: req.stream}, md)
			if errors.Is(err, eventstore.ErrWrongExpectedRevision) && race < maxRaces {
				if c, err = s.readClaim(ctx, req.commandID); err != nil {
					return Result{}, err
				}
				continue // another replica claimed the id: it is a retry now
			}
			if err != nil {
				return Result{}, err
			}
		}
		expected := eventstore.NoStream
		if version > 0 {
			expected = eventstore.Exact(version - 1)
		}
		res, err := s.store.Append(ctx, req.stream, expected, events...)
		var wrong *eventstore.WrongExpectedRevisionError
		if errors.As(err, &wrong) {
			if req.expected != nil || race >= maxRaces {
				actual := uint64(0)
				if wrong.ActualExists {
					actual = wrong.Actual + 1
				}
				s.release(ctx, c, req, "conflict", md)
				return Result{}, &ConflictError{Expected: version, Actual: actual}
			}
			continue // someone else wrote first: decide again on the new history
		}
		if err != nil {
			return Result{}, fmt.Errorf("%s %s: %w", req.cmdType, req.stream, err)
		}
		_, id, _ := eventstore.SplitStreamName(req.stream)
		return Result{ID: id, Version: res.LastRevision + 1, Position: res.Last()}, nil
	}
}

// release gives up a claim this request holds; a request that never claimed has
// written nothing and has nothing to release.
func (s *Service) release(ctx context.Context, c claim, req request, reason string, md eventstore.Metadata) {
	if c.held && c.accepted.InputHash == req.hash {
		s.releaseClaim(ctx, c, req.commandID, reason, md)
	}
}

func (s *Service) readHistory(ctx context.Context, stream string) ([]eventstore.RecordedEvent, error) {
	history, err := s.store.ReadStream(ctx, stream, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	return history, nil
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
