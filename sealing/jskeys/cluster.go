package jskeys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
)

// NATSConfig is the key store on an external NATS server or cluster: the key stream
// in an account of its own, which holds nothing else (Connect refuses an account
// with other streams, as Open refuses a shared directory), so that no user of the
// events' account reaches a key. Every Waymark replica on that cluster connects to
// the same account and so shares the keys.
type NATSConfig struct {
	// URL is the server or cluster (comma-separated URLs), the event store's.
	URL string
	// User and Password, or CredsFile, log in to the keys' account.
	User, Password, CredsFile string
	// Options are further connection options: the event store's TLS.
	Options []nats.Option
	// Replicas is how many copies of the key stream the cluster keeps when Connect
	// creates it (default 1); an existing stream keeps its own.
	Replicas int
}

// Connect opens the key store on a NATS cluster. What the embedded server does
// itself is the cluster's configuration there: writes are as durable as its nodes'
// sync setting and the stream's replicas make them. A secure erase overwrites the key
// in the stream's blocks on every replica; the raft log each replica appended it to
// first keeps it until the server compacts that log (after its next snapshot of the
// stream), which the embedded server, with no raft log, does not have.
func Connect(ctx context.Context, cfg NATSConfig, logger *slog.Logger) (*Store, error) {
	switch {
	case cfg.URL == "":
		return nil, errors.New("sealing: key store: a NATS URL is required")
	case cfg.User == "" && cfg.CredsFile == "":
		return nil, errors.New("sealing: key store: a NATS user or credentials file for the keys' own account is required")
	case cfg.User != "" && cfg.CredsFile != "":
		return nil, errors.New("sealing: key store: a NATS user and a credentials file: give one")
	case (cfg.User == "") != (cfg.Password == ""):
		return nil, errors.New("sealing: key store: NATS user and password go together")
	}
	if logger == nil {
		logger = slog.Default()
	}
	opts := append([]nats.Option{nats.Name("waymark-keys"), nats.MaxReconnects(-1)}, cfg.Options...)
	if cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredsFile))
	} else {
		opts = append(opts, nats.UserInfo(cfg.User, cfg.Password))
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("sealing: key store on NATS: connect: %w", err)
	}
	s := &Store{log: logger, replicas: max(cfg.Replicas, 1)}
	if err := s.init(ctx, nc); err != nil {
		s.shutdown()
		return nil, fmt.Errorf("sealing: key store on NATS: %w", err)
	}
	return s, nil
}

// leaderWait bounds how long Connect waits for the key stream's leader, and
// leaderPoll how often it asks.
const (
	leaderWait = 10 * time.Second
	leaderPoll = 50 * time.Millisecond
)

// waitForLeader waits until the replicated key stream has elected a leader: a stream
// just created on a cluster answers no write until it has (the first key's Create
// failed as unavailable on a loaded machine). It gives up after leaderWait or when ctx
// ends, with a log line: writes then say unavailable, as they would a moment later.
func (s *Store) waitForLeader(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, leaderWait)
	defer cancel()
	for {
		ask, done := context.WithTimeout(ctx, time.Second) // an info without a leader may go unanswered
		info, err := s.stream.Info(ask)
		done()
		if err == nil && info.Cluster != nil && info.Cluster.Leader != "" {
			return
		}
		select {
		case <-ctx.Done():
			s.log.Warn("sealing: key store: the key stream has no leader yet", "stream", keyStreamName, "waited", leaderWait)
			return
		case <-time.After(leaderPoll):
		}
	}
}
