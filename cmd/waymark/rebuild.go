package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/projections"
)

const rebuildHelp = `Rebuilds every read model (cases, directory, revocations, command ids) from the start
of the event log, and writes a fresh snapshot of them.

With no server running it opens the data directory itself, under its lock: it
discards the snapshot, replays the whole log, then writes a new snapshot. With a
server running it asks that server (on its admin socket), which builds new read
models beside the live ones, keeps answering from the old ones meanwhile, and swaps
the new ones in at once when they have caught up with the log.

Progress: a bar (events/s, time left) when stderr is a terminal, log lines otherwise.

`

// pollEvery is how often progress is looked at.
const pollEvery = 100 * time.Millisecond

// rebuild: waymark rebuild
func rebuild(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	return rebuildWith(ctx, args, out, os.Stderr, isTerminal(os.Stderr), logger)
}

// rebuildWith is rebuild showing its progress on progress (a bar if tty).
func rebuildWith(ctx context.Context, args []string, out, progress io.Writer, tty bool, logger *slog.Logger) error {
	fset := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	if err := parse(fset, args); err != nil {
		return err
	}
	sf = sf.resolved()
	if err := sf.requireStore(" to rebuild from"); err != nil {
		return err
	}
	acc, err := ownOrAsk(ctx, "rebuild", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	view := newProgressView(progress, tty, logger, "rebuilding the read models")
	if tty {
		logger = quieter(logger)
	}
	if acc.server != nil {
		return rebuildOnServer(ctx, acc, out, view, logger)
	}
	defer acc.locks.Release()
	return rebuildOffline(ctx, sf, out, view, logger)
}

// rebuildOffline discards the snapshot and builds the read models from the start of
// the log, as a start without a snapshot does; the runner writes the new snapshot once
// caught up, and Close once more if anything came after (nothing can: the directory
// is locked).
func rebuildOffline(ctx context.Context, sf storeFlags, out io.Writer, view progressView, logger *slog.Logger) error {
	snapshotDir := filepath.Join(sf.dataDir, "snapshots")
	path := projections.NewSnapshots(projections.SnapshotConfig{Dir: snapshotDir}, nil, nil, nil, nil).Path()
	switch err := os.Remove(path); {
	case err == nil:
		logger.Info("rebuild: snapshot discarded", "path", path)
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("discard the snapshot: %w", err)
	}
	began := time.Now()
	n, _, err := startNode(ctx, sf, sf.storeConfig(""), logger, api.Config{})
	if err != nil {
		return err
	}
	defer n.Close()
	ready := make(chan error, 1)
	go func() { ready <- n.Runner.WaitReady(ctx) }()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case err := <-ready:
			if err != nil {
				return fmt.Errorf("rebuild: %w", err)
			}
			waiting = false
		case <-tick.C:
		}
		p := n.Runner.Progress()
		view.update(p.Events, p.EstimatedEvents())
	}
	view.done()
	p, cases := n.Runner.Progress(), n.Cases.Len()
	if err := n.Close(); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	took := time.Since(began)
	fmt.Fprintf(out, "rebuilt the read models from the start of the log: %d events, %d cases in %s (%d events/s)\n",
		p.Events, cases, took.Round(time.Millisecond), int64(float64(p.Events)/max(took.Seconds(), 1e-3)))
	if written, cp := n.Snapshots.Written(); written > 0 {
		fmt.Fprintf(out, "snapshot written at position %s: %s\n", cp.Position, n.Snapshots.Path())
	} else {
		fmt.Fprintln(out, "no snapshot written: the log is empty")
	}
	return nil
}

// rebuildOnServer has the server rebuild beside its live read models and follows it
// until the swap. A rebuild already under way is followed.
func rebuildOnServer(ctx context.Context, acc storeAccess, out io.Writer, view progressView, logger *slog.Logger) error {
	st, err := acc.server.StartRebuild(ctx)
	if errors.Is(err, admin.ErrRefused) {
		if cur, serr := acc.server.RebuildStatus(ctx); serr == nil && cur.State == admin.RebuildRunning {
			logger.Info("rebuild: one is already under way on the server; following it", "pid", acc.status.PID)
			st, err = cur, nil
		}
	}
	if err != nil {
		return fmt.Errorf("the server owning %s (PID %d) did not rebuild: %w", acc.status.DataDir, acc.status.PID, err)
	}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for st.State == admin.RebuildRunning {
		view.update(st.Events, st.Total)
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped following the rebuild (the server carries on with it): %w", ctx.Err())
		case <-tick.C:
		}
		if st, err = acc.server.RebuildStatus(ctx); err != nil {
			return fmt.Errorf("follow the rebuild: %w", err)
		}
	}
	if st.State != admin.RebuildSwapped {
		return fmt.Errorf("the server's rebuild %s: %s (its read models in use stay)", st.State, st.Error)
	}
	view.update(st.Events, st.Events)
	view.done()
	took := st.Finished.Sub(st.Started)
	fmt.Fprintf(out, "rebuilt by the server owning %s (PID %d): %d events, %d cases in %s (%d events/s); the new read models serve\n",
		acc.status.DataDir, acc.status.PID, st.Events, st.Cases, took.Round(time.Millisecond), int64(float64(st.Events)/max(took.Seconds(), 1e-3)))
	return nil
}
