package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

func seed(ctx context.Context, args []string, logger *slog.Logger) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	withDemo := fs.Bool("demo", false, "load the synthetic demo coalition and journeys (required: it is the only data set)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*withDemo {
		return fmt.Errorf("%w: seed needs --demo (the synthetic coalition is the only data set)", errUsage)
	}
	key, err := loadCommandKey(commandKeyPath(sf))
	if err != nil {
		return err
	}
	store, err := jetstream.Open(ctx, jetstream.Config{DataDir: sf.dataDir, NATSURL: sf.natsURL, Sync: sf.sync, Logger: logger})
	if err != nil {
		return fmt.Errorf("open event store: %w", err)
	}
	defer store.Close()
	head, err := store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read store head: %w", err)
	}
	if !head.IsStart() {
		return fmt.Errorf("the store in %s already has events: demo data goes into an empty store only", sf.dataDir)
	}
	sum, err := demo.Seed(ctx, store, key, time.Now().UTC(), logger)
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	fmt.Printf("seeded %d organisations and %d journeys (%d closed); by stage: %v\n",
		sum.Organisations, sum.Cases, sum.Closed, sum.ByStage)
	return nil
}
