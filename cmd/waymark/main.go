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
//
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
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/waymark-org/waymark/internal/logging"
)

const usage = `usage: waymark <command> [flags]

commands:
  serve          run Waymark (GraphQL at /graphql; with --demo or --dev GraphiQL at /)
  seed           load demo data into an empty store (seed --demo)
  keys generate  create the token signing key, the keyring and the audit key that are
                 missing (the audit key's public half, audit.pub.pem, is for auditors)
  keys rotate    add a key-encryption key and rewrap every case key (done by the
                 running server when one owns the data directory)
  token issue    mint an access token (--role, --org, --sub, --ttl); the role must fit
                 the organisation's kind in the directory
  verify         recompute hash chains (--case ID | --all) and compare them with signed
                 checkpoints (--checkpoints FILE, --key AUDIT.pub.pem); done by the
                 running server when one owns the data directory, else opens it itself;
                 --bundle FILE --key AUDIT.pub.pem checks an exported bundle with
                 nothing else
  checkpoint     sign a checkpoint of the history now; checkpoint export --out FILE
                 writes every stored one (both by the running server when there is one)
  export         write a case's audit bundle (--case ID --out FILE), or with
                 --for-survivor her own record on her recorded subject-access request;
                 done by the running server when one owns the data directory
  replay         print a case's history, every event in order (--case ID; --json,
                 --ndjson); personal data stays sealed: decrypted history is GraphQL's
                 caseHistory, where every read is logged
  rebuild        rebuild every read model from the start of the log and write a fresh
                 snapshot (done by the running server, beside its live read models,
                 when one owns the data directory)
  retention      --dry-run: list the cases whose personal data the retention policies
                 would erase now and the access-log entries they would drop; run: do
                 it now (done by the running server when one owns the data directory)
  webhooks log   print the webhook delivery log (--organisation ID)
  tail           print the de-identified analytics feed as it is published (--all:
                 from the start; --subject to narrow it), logged in as an analyst
  nats-user      add NAME | list | remove NAME: the analysts' NATS logins (by the
                 running server when one owns the data directory)
  republish      --from start|POSITION: delete the analytics feed's stream and publish
                 it again (after a new analytics key: from start); by the running
                 server when one owns the data directory
  bench          measure Waymark next to its baselines in one run and print the report
                 (--quick: under 2 minutes; --out BENCHMARKS.md)

Run 'waymark <command> -h' for its flags. Every flag can also be set through the
environment: --data-dir is WAYMARK_DATA_DIR, --http-addr is WAYMARK_HTTP_ADDR, ...
`

// errUsage marks a mistake in the command line (exit status 2).
var errUsage = errors.New("usage")

func main() {
	// Repeated records are rate limited: a failure that hits every request must not
	// flood the log (and bury everything else in it).
	logger := slog.New(logging.RateLimit(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}), logging.RateLimitOptions{}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], logger)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		// -h or --help: the flag package printed the usage asked for; nothing failed.
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "waymark:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "waymark:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, logger *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("%w: no command", errUsage)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], logger)
	case "seed":
		return seed(ctx, args[1:], logger)
	case "keys":
		return keys(ctx, args[1:], logger)
	case "bench":
		return benchCommand(ctx, args[1:], logger)
	case "token":
		if len(args) < 2 || args[1] != "issue" {
			return fmt.Errorf("%w: token issue --role <role> --org <id>", errUsage)
		}
		return tokenIssue(ctx, args[2:], os.Stdout, logger)
	case "verify":
		return verify(ctx, args[1:], os.Stdout, logger)
	case "checkpoint":
		return checkpoint(ctx, args[1:], os.Stdout, os.Stderr, logger)
	case "replay":
		return replay(ctx, args[1:], os.Stdout, logger)
	case "rebuild":
		return rebuild(ctx, args[1:], os.Stdout, logger)
	case "export":
		return export(ctx, args[1:], os.Stdout, logger)
	case "retention":
		return retentionCommand(ctx, args[1:], os.Stdout, logger)
	case "webhooks":
		return webhooksCommand(args[1:], os.Stdout)
	case "tail":
		return tailCommand(ctx, args[1:], os.Stdout, logger)
	case "nats-user":
		return natsUserCommand(ctx, args[1:], os.Stdin, os.Stdout)
	case "republish":
		return republishCommand(ctx, args[1:], os.Stdout, logger)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}
