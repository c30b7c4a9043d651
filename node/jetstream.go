package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/sealing/erasurelog"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// JetStreamConfig configures the default backends.
type JetStreamConfig struct {
	// Store is the event store: an embedded NATS server under Store.DataDir, or an
	// external server or cluster (Store.NATSURL).
	Store jetstream.Config
	// KeysDir holds the case-key store, on its own embedded server, apart from the
	// events (default <Store.DataDir>/keys; required with an external server).
	KeysDir string
	// KeysNATS, when set (with Store.NATSURL), keeps the case keys on that cluster
	// instead, in the account KeysNATS logs in to (jskeys.Connect): the key store
	// every replica on the cluster shares. Its URL, TLS and replicas are the event
	// store's.
	KeysNATS *jskeys.NATSConfig
	// NoKeyStore opens no key store: the node is given a Config.Vault instead
	// (replicas in one process share one).
	NoKeyStore bool
	// Logger receives the logs of the three backends and their embedded servers
	// (default: Store.Logger, else slog.Default()).
	Logger *slog.Logger
}

// JetStream is the default backends, opened: the event store; the key store on its
// own embedded server (never the event store's: a backup or a client of the events
// never reaches the keys); the access log as the stream WAYMARK_ACCESS on the event
// store's connection, so it lives beside the events and goes where they go.
type JetStream struct {
	Store     *jetstream.Store
	Keys      *jskeys.Store // nil with NoKeyStore
	AccessLog *jsaccesslog.Sink
	// Erasures is the erasure ledger beside the key store (<keys-dir>/erasures.log),
	// outside the data directory's backups; nil with NoKeyStore.
	Erasures *erasurelog.Log
	// Events, when set (OpenKurrentDB), holds the events instead of Store, which then
	// only carries the NATS connection (the access log, the analytics feed).
	Events eventstore.Store
}

// OpenJetStream opens the default backends. Hand them to Start with Backends, or
// Close them.
func OpenJetStream(ctx context.Context, cfg JetStreamConfig) (_ *JetStream, err error) {
	logger := cfg.Logger
	if logger == nil {
		logger = cfg.Store.Logger
	}
	if logger == nil {
		logger = slog.Default()
	}
	cfg.Store.Logger = logger
	keysDir := cfg.KeysDir
	if keysDir == "" && cfg.Store.DataDir != "" {
		keysDir = filepath.Join(cfg.Store.DataDir, "keys")
	}
	switch {
	case cfg.KeysNATS != nil && cfg.Store.NATSURL == "":
		return nil, errors.New("node: case keys on NATS need an external NATS server (NATS URL)")
	case keysDir == "" && cfg.KeysNATS == nil && !cfg.NoKeyStore:
		return nil, errors.New("node: a key directory is required with an external NATS server")
	}

	j := &JetStream{}
	defer func() {
		if err != nil {
			_ = j.Close()
		}
	}()
	if j.Store, err = jetstream.Open(ctx, cfg.Store); err != nil {
		return nil, fmt.Errorf("open event store: %w", err)
	}
	switch {
	case cfg.NoKeyStore:
	case cfg.KeysNATS != nil:
		kc := *cfg.KeysNATS
		kc.URL, kc.Options, kc.Replicas = cfg.Store.NATSURL, cfg.Store.ExternalOptions(), j.Store.Replicas()
		if j.Keys, err = jskeys.Connect(ctx, kc, logger); err != nil {
			return nil, fmt.Errorf("open key store: %w", err)
		}
	default:
		if j.Keys, err = jskeys.Open(ctx, keysDir, logger); err != nil {
			return nil, fmt.Errorf("open key store: %w", err)
		}
		if j.Erasures, err = erasurelog.Open(erasurelog.Path(keysDir)); err != nil {
			return nil, err
		}
	}
	if j.AccessLog, err = jsaccesslog.Open(ctx, j.Store.Conn(), j.Store, j.Store.Replicas()); err != nil {
		return nil, err
	}
	return j, nil
}

// Backends returns the opened backends for Start, which then owns them.
func (j *JetStream) Backends() Backends {
	b := Backends{Events: j.Store, AccessLog: j.AccessLog}
	if j.Events != nil {
		b.Events, b.Bus = j.Events, j.Store
	}
	if j.Keys != nil {
		b.Keys = j.Keys // never a typed nil in the interface
	}
	if j.Erasures != nil {
		b.Erasures = j.Erasures
	}
	return b
}

// Close closes what is open (the access log needs nothing: it is on the store's
// connection), for a caller that does not hand the backends to Start.
func (j *JetStream) Close() error {
	var errs []error
	if j.Erasures != nil {
		errs = append(errs, j.Erasures.Close())
	}
	if j.Keys != nil {
		errs = append(errs, j.Keys.Close())
	}
	if j.Events != nil {
		errs = append(errs, j.Events.Close())
	}
	if j.Store != nil {
		errs = append(errs, j.Store.Close())
	}
	return errors.Join(errs...)
}
