package main

import (
	"context"
	"log/slog"
	"runtime/debug"

	"github.com/waymark-org/waymark/node"
)

// releaseStartupMemory hands the memory of start-up back to the OS once the read
// models have caught up. Catching up decodes every event since the snapshot (or the
// whole log): transient garbage several times the live read models, which the Go
// runtime would otherwise keep mapped for minutes, so a fresh server looked far
// bigger than what it holds. One forced collection, once.
func releaseStartupMemory(ctx context.Context, n *node.Node, logger *slog.Logger) {
	if err := n.Runner.WaitReady(ctx); err != nil {
		return // shutting down, or the read models stopped: serve says why
	}
	debug.FreeOSMemory()
	logger.Debug("start-up memory released")
}
