package node

import (
	"context"
	"fmt"

	"github.com/waymark-org/waymark/eventstore/kurrentdb"
)

// KurrentDBConfig configures a node whose events are in KurrentDB. Everything else
// stays where it is without KurrentDB, on NATS (JetStream: the embedded server under
// the data directory, or JetStream.Store.NATSURL's): the analytics feed's bus, the
// access log (the stream WAYMARK_ACCESS), and the case keys (their own embedded server
// under the keys directory, or the --keys-nats-* account on the cluster), so that
// deleting a key deletes it where Waymark alone holds it, never in an event log that
// keeps everything.
type KurrentDBConfig struct {
	JetStream JetStreamConfig
	Events    kurrentdb.Config
}

// OpenKurrentDB opens the JetStream backends and the KurrentDB event store, which
// takes the events' place: Backends hands Start the KurrentDB store as the event store
// and closes the JetStream store (the NATS connection) after it.
func OpenKurrentDB(ctx context.Context, cfg KurrentDBConfig) (*JetStream, error) {
	j, err := OpenJetStream(ctx, cfg.JetStream)
	if err != nil {
		return nil, err
	}
	if cfg.Events.Logger == nil {
		cfg.Events.Logger = cfg.JetStream.Logger
	}
	k, err := kurrentdb.Open(ctx, cfg.Events)
	if err != nil {
		_ = j.Close()
		return nil, fmt.Errorf("open event store: %w", err)
	}
	j.Events = k
	return j, nil
}
