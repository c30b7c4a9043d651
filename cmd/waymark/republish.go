package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/analyticsfeed"
	"github.com/waymark-org/waymark/node"
)

const republishHelp = `Deletes the analytics feed's stream and publishes it again from the events after
--from: start (the whole log), or a log position (a message's Waymark-Position
header). After a new analytics key (--analytics-key-file) every pseudonym changes:
republish from start. Analysts' consumers must start again from the new stream's
first message; their copies of the old feed mean nothing any more.

With a server running on the data directory, the server does it (on its admin
socket) and goes on publishing; otherwise the command resets the feed under the data
directory's lock and the next waymark serve publishes it.

`

// republishCommand: waymark republish --from start|POSITION
func republishCommand(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	fset := flag.NewFlagSet("republish", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	fromFlag := fset.String("from", "", "start, or the log position to publish after")
	if err := parse(fset, args); err != nil {
		return err
	}
	if *fromFlag == "" {
		return fmt.Errorf("%w: republish needs --from: start (the whole log, e.g. after a new analytics key) or a log position", errUsage)
	}
	from, err := parseRepublishFrom(*fromFlag)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	sf = sf.resolved()
	if err := sf.requireStore(""); err != nil {
		return err
	}
	acc, err := ownOrAsk(ctx, "republish", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	if acc.server != nil {
		res, err := acc.server.RepublishAnalytics(ctx, admin.AnalyticsRepublishRequest{From: from.String()})
		if err != nil {
			return fmt.Errorf("the server owning %s (PID %d): %w", sf.dataDir, acc.status.PID, err)
		}
		fmt.Fprintf(out, "analytics feed republished after %s by the server (PID %d): it publishes up to %s now, then follows the log\n",
			res.From, acc.status.PID, res.Head)
		return nil
	}
	defer acc.locks.Release()
	backends, err := node.OpenJetStream(ctx, node.JetStreamConfig{Store: sf.storeConfig(""), KeysDir: sf.keysDir, KeysNATS: sf.keysNATS(), Logger: logger})
	if err != nil {
		return err
	}
	defer backends.Close()
	cfg, err := analyticsFeedConfig(ctx, sf, backends.Store, backends.Store, logger)
	if err != nil {
		return err
	}
	if err := analyticsfeed.Republish(ctx, cfg, from); err != nil {
		return err
	}
	after := from.String()
	if from.IsStart() {
		after = "start"
	}
	fmt.Fprintf(out, "analytics feed reset to publish after %s: the next waymark serve publishes it\n", after)
	return nil
}
