package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/waymark-org/waymark/eventstore/kurrentdb"
	"github.com/waymark-org/waymark/node"
)

// Event store choices for --store.
const (
	storeJetStream = "jetstream"
	storeKurrentDB = "kurrentdb"
)

// eventsFlags choose where the events are: JetStream (the default, on the NATS server
// the store flags describe) or KurrentDB. With KurrentDB, NATS still carries the
// analytics feed and the access log, and the case keys stay where --keys-dir or
// --keys-nats-* put them (node.KurrentDBConfig).
type eventsFlags struct {
	store        string
	kurrentdbURL string
	namespace    string
}

func (f *eventsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.store, "store", storeJetStream, "where the events are: 'jetstream' (NATS, embedded or --nats-url) or 'kurrentdb' (--kurrentdb-url)")
	fs.StringVar(&f.kurrentdbURL, "kurrentdb-url", "", "with --store kurrentdb: the KurrentDB connection string, esdb://[user:password@]host:2113[,host2,...][?tls=...] (prefer WAYMARK_KURRENTDB_URL when it holds a password)")
	fs.StringVar(&f.namespace, "kurrentdb-namespace", "", "with --store kurrentdb: put this in front of every stream name, so that several deployments share one KurrentDB")
}

// check refuses a combination that cannot work, before anything starts.
func (f eventsFlags) check() error {
	switch f.store {
	case "", storeJetStream:
		if f.kurrentdbURL != "" || f.namespace != "" {
			return fmt.Errorf("%w: --kurrentdb-url and --kurrentdb-namespace go with --store kurrentdb", errUsage)
		}
	case storeKurrentDB:
		if f.kurrentdbURL == "" {
			return fmt.Errorf("%w: --store kurrentdb needs --kurrentdb-url (or WAYMARK_KURRENTDB_URL)", errUsage)
		}
		if err := kurrentdb.CheckConfig(f.config(nil)); err != nil {
			return fmt.Errorf("%w: %w", errUsage, err)
		}
	default:
		return fmt.Errorf("%w: --store %q: use 'jetstream' or 'kurrentdb'", errUsage, f.store)
	}
	return nil
}

func (f eventsFlags) kurrentDB() bool { return f.store == storeKurrentDB }

// openBackends opens the backends the flags describe: JetStream's, with the events in
// KurrentDB instead when --store kurrentdb says so.
func openBackends(ctx context.Context, sf storeFlags, cfg node.JetStreamConfig, logger *slog.Logger) (*node.JetStream, error) {
	if !sf.events.kurrentDB() {
		return node.OpenJetStream(ctx, cfg)
	}
	return node.OpenKurrentDB(ctx, node.KurrentDBConfig{JetStream: cfg, Events: sf.events.config(logger)})
}

// config is the KurrentDB store's configuration the flags give.
func (f eventsFlags) config(logger *slog.Logger) kurrentdb.Config {
	return kurrentdb.Config{URL: f.kurrentdbURL, Namespace: f.namespace, Logger: logger}
}
