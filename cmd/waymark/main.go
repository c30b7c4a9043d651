// Command waymark runs and operates Waymark.
//
//	waymark serve [--demo]   run the API on the embedded NATS/JetStream store
//	waymark seed --demo      load the synthetic demo coalition into an empty store
//	waymark keys generate    create missing secrets; keys rotate: new key-encryption key
//	waymark token issue      mint an access token
//	waymark verify           recompute hash chains, compare them with signed checkpoints
//	waymark checkpoint       sign a checkpoint now; checkpoint export: write them all
//	waymark replay --case ID a case's history, personal data sealed
//	waymark rebuild          rebuild the read models (live, by the server, if one runs)
//	waymark bench [--quick]  measure it all next to raw baselines; print one report
//	waymark export --case ID  a case's audit bundle, or (--for-survivor) her own record
//	waymark retention        --dry-run | run: apply the retention policies
//	waymark webhooks log     the webhook delivery log
//	waymark tail             the analytics feed, as an analyst sees it
//	waymark nats-user        add, list or remove an analyst's NATS login
//	waymark republish        publish the analytics feed again (after a new analytics key)
//	waymark backup --to DIR  a backup of the data directory (the keys only with --include-keys)
//	waymark restore --from DIR  a backup into an empty data directory, then the erasure ledger, then verify
//	waymark schema           the GraphQL schema (SDL) the server serves
//	waymark version          version, commit, Go version, build time
//	waymark healthcheck      ask a running server's /healthz (container health checks)
//	waymark completion SHELL a completion script for bash, zsh, fish or powershell
//
// The command tree is cobra's (cli.go); -h and --help work on every command.
// Every flag has a WAYMARK_* environment equivalent (--data-dir ⇄ WAYMARK_DATA_DIR),
// except bench's: its --data-dir is a scratch directory, never the one the variable
// names, and it measures servers that run without those variables.
//
// One process owns a data directory (lock.go): serve and seed lock it for as long as
// they run; keys rotate and the directory check of token issue go through the admin
// socket of the server that owns it (package admin), or lock it themselves when no
// server runs. So do verify, checkpoint and checkpoint export.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/waymark-org/waymark/internal/logging"
)

// errUsage marks a mistake in the command line (exit status 2).
var errUsage = errors.New("usage")

func main() {
	// Repeated records are rate limited: a failure that hits every request must not
	// flood the log (and bury everything else in it).
	logger := slog.New(logging.RateLimit(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}), logging.RateLimitOptions{}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], logger) // cli.go
	if err != nil {
		fmt.Fprintln(os.Stderr, "waymark:", err)
	}
	stop()
	os.Exit(exitCode(err))
}
