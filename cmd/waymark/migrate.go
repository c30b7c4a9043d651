package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/eventstore/kurrentdb"
	"github.com/waymark-org/waymark/eventstore/migrate"
)

const migrateHelp = `Copies every event from one event store to the other, in the global log's order, each
at its own stream and revision with its id, data, metadata and hash: the target holds
the same chain, byte for byte. The JetStream side is the one the store flags describe
(--data-dir, or --nats-url); the KurrentDB side is --kurrentdb-url. No server may own
the data directory meanwhile. An interrupted migration is resumed by running it again:
what the target already holds is checked against the source's hashes and skipped. Then
the target is verified (every chain and the global log; signed checkpoints name the
source's positions, so verify them with --key against the source).

  waymark migrate --from jetstream --to kurrentdb --kurrentdb-url esdb://host:2113
  waymark migrate --from kurrentdb --to jetstream --kurrentdb-url esdb://host:2113 --data-dir ./data`

// migrateCommand: waymark migrate --from jetstream|kurrentdb --to kurrentdb|jetstream.
func migrateCommand(ctx context.Context, args []string, out, progress io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	fs.StringVar(&sf.events.kurrentdbURL, "kurrentdb-url", "", "the KurrentDB connection string, esdb://... (prefer WAYMARK_KURRENTDB_URL when it holds a password)")
	fs.StringVar(&sf.events.namespace, "kurrentdb-namespace", "", "the stream-name prefix the KurrentDB deployment uses (serve --kurrentdb-namespace)")
	from := fs.String("from", "", "the store to copy from: jetstream or kurrentdb")
	to := fs.String("to", "", "the store to copy to: kurrentdb or jetstream")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *from == storeJetStream && *to == storeKurrentDB, *from == storeKurrentDB && *to == storeJetStream:
	default:
		return fmt.Errorf("%w: give --from jetstream --to kurrentdb, or --from kurrentdb --to jetstream", errUsage)
	}
	if sf.events.kurrentdbURL == "" {
		return fmt.Errorf("%w: --kurrentdb-url (or WAYMARK_KURRENTDB_URL) is required", errUsage)
	}
	// Refused before anything is opened: a mistyped --data-dir or connection string
	// must not leave a new, empty data directory behind.
	if err := kurrentdb.CheckConfig(sf.events.config(logger)); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	sf = sf.resolved()
	if *from == storeJetStream {
		if err := sf.requireStore(" to migrate from"); err != nil {
			return err
		}
	}
	locks, err := lockStore("migrate", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	defer locks.Release()
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	js, err := jetstream.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open the JetStream store: %w", err)
	}
	defer js.Close()
	kdb, err := kurrentdb.Open(ctx, sf.events.config(logger))
	if err != nil {
		return fmt.Errorf("open the KurrentDB store: %w", err)
	}
	defer kdb.Close()
	var src, dst eventstore.Store = js, kdb
	if *from == storeKurrentDB {
		src, dst = kdb, js
	}
	next := migrateReportEvery
	rep, err := migrate.Copy(ctx, src, dst, func(done, _ int) {
		if done >= next {
			fmt.Fprintf(progress, "migrate: %d events so far\n", done)
			next = done + migrateReportEvery
		}
	})
	if err != nil {
		return fmt.Errorf("migrate %s → %s after %d events (run it again to resume): %w", *from, *to, rep.Copied+rep.Skipped, err)
	}
	fmt.Fprintf(out, "migrated %s → %s: %d events in %d streams (%d copied, %d already there)\n", *from, *to, rep.Events, rep.Streams, rep.Copied, rep.Skipped)
	vr, err := runVerify(ctx, dst, nil, "", false, nil, nil) // verify.go
	if err != nil {
		return err
	}
	return report(out, vr, " (chains only)", " on "+*to)
}

// migrateReportEvery is how many events go by between two progress lines.
const migrateReportEvery = 10_000
