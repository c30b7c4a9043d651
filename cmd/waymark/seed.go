package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/demo"
)

func seed(ctx context.Context, args []string, std stdio, logger *slog.Logger) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	withDemo := fs.Bool("demo", false, "load the synthetic demo coalition and journeys (required: it is the only data set); creates missing demo keys")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*withDemo {
		return fmt.Errorf("%w: seed needs --demo (the synthetic coalition is the only data set)", errUsage)
	}
	sf = sf.resolved()
	locks, err := lockStore("seed", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	defer locks.Release()
	if _, err := sf.secrets.generate(); err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	n, _, err := startNode(ctx, sf, sf.storeConfig(""), logger, api.Config{})
	if err != nil {
		return err
	}
	defer n.Close()
	head, err := n.Store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read store head: %w", err)
	}
	if !head.IsStart() {
		return fmt.Errorf("the store in %s already has events: demo data goes into an empty store only", sf.dataDir)
	}
	key, err := loadCommandKey(sf.secrets.commandKey)
	if err != nil {
		return err
	}
	deps := demo.Deps{Store: n.Store, Vault: n.Vault, HashKey: key, Logger: logger, Progress: seedProgress(std.err)}
	sum, err := demo.Seed(ctx, deps, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	fmt.Fprintf(std.out, "seeded %d organisations and %d journeys (%d closed); by stage: %v\n",
		sum.Organisations, sum.Cases, sum.Closed, sum.ByStage)
	return nil
}

// seedProgress prints the demo seed's progress on w: a line every twentieth of it.
func seedProgress(w io.Writer) func(done, total int) {
	return func(done, total int) {
		fmt.Fprintf(w, "seeding demo data: %d/%d commands (%d%%)\n", done, total, 100*done/max(total, 1))
	}
}
