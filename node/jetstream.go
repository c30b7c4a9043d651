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
	"github.com/waymark-org/waymark/sealing"
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
	// PrescanKeys starts reading every case key as soon as the key store is open
	// (jskeys.Store.Prescan): a start that loads a snapshot needs them all, and so
	// does one that catches up from far behind (a rebuild); the read then runs while
	// the event store opens.
	PrescanKeys bool
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
	case cfg.KeysNATS == nil && !cfg.NoKeyStore && sameDir(keysDir, cfg.Store.DataDir):
		// Two embedded servers would share one JetStream directory.
		return nil, fmt.Errorf("node: the key directory %s is the data directory: the case keys need a directory of their own", keysDir)
	}

	j := &JetStream{}
	defer func() {
		if err != nil {
			_ = j.Close()
		}
	}()
	// An embedded key store in a directory of its own opens while the event store does
	// (whose recovery of a large log takes seconds). One that could share the event
	// store's directory opens after it, and refuses a directory holding its streams.
	embeddedKeys := !cfg.NoKeyStore && cfg.KeysNATS == nil
	var keys chan error
	if embeddedKeys && keysApart(keysDir, cfg.Store.DataDir) {
		keys = make(chan error, 1)
		go func() { keys <- j.openEmbeddedKeys(ctx, keysDir, cfg.PrescanKeys, logger) }()
	}
	j.Store, err = jetstream.Open(ctx, cfg.Store)
	if err != nil {
		err = fmt.Errorf("open event store: %w", err)
	}
	switch {
	case keys != nil:
		if kerr := <-keys; err == nil {
			err = kerr
		}
	case embeddedKeys && err == nil:
		err = j.openEmbeddedKeys(ctx, keysDir, cfg.PrescanKeys, logger)
	}
	if err != nil {
		return nil, err
	}
	if cfg.KeysNATS != nil {
		kc := *cfg.KeysNATS
		kc.URL, kc.Options, kc.Replicas = cfg.Store.NATSURL, cfg.Store.ExternalOptions(), j.Store.Replicas()
		if j.Keys, err = jskeys.Connect(ctx, kc, logger); err != nil {
			return nil, fmt.Errorf("open key store: %w", err)
		}
		if cfg.PrescanKeys {
			j.Keys.Prescan()
		}
	}
	if j.AccessLog, err = jsaccesslog.Open(ctx, j.Store.Conn(), j.Store, j.Store.Replicas()); err != nil {
		return nil, err
	}
	return j, nil
}

// keysApart reports whether the key store's directory cannot be the event store's:
// the default <data-dir>/keys, or one apart from the data directory (no data
// directory: the events are on an external server).
func keysApart(keysDir, dataDir string) bool {
	if dataDir == "" || filepath.Clean(keysDir) == filepath.Join(dataDir, "keys") {
		return true
	}
	return sealing.CheckKeyDirApart(keysDir, dataDir) == nil
}

// sameDir reports whether a and b name one directory (b may be empty: none).
func sameDir(a, b string) bool {
	if b == "" {
		return false
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// openEmbeddedKeys opens the key store on its own embedded server in keysDir, and the
// erasure ledger beside it.
func (j *JetStream) openEmbeddedKeys(ctx context.Context, keysDir string, prescan bool, logger *slog.Logger) error {
	keys, err := jskeys.Open(ctx, keysDir, logger)
	if err != nil {
		return fmt.Errorf("open key store: %w", err)
	}
	j.Keys = keys
	if prescan {
		keys.Prescan()
	}
	if j.Erasures, err = erasurelog.Open(erasurelog.Path(keysDir)); err != nil {
		return err
	}
	return nil
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
