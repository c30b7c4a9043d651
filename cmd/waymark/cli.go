package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The command line is read by cobra (github.com/spf13/cobra): the most widely used Go
// CLI library, with help for every command and subcommand (-h, --help, waymark help
// CMD), shell completion for bash, zsh, fish and PowerShell, and pflag's GNU-style
// flags. Each command keeps its own flag.FlagSet and register functions (flags.go says
// how cobra gets them).

// command is one node of the waymark command tree.
type command struct {
	use   string // its name, then what it takes (cobra's Use)
	short string // one line, for the list of commands
	long  string // what --help says above the flags
	// args checks the positional arguments; nil: none.
	args cobra.PositionalArgs
	// noEnv: its flags are not read from WAYMARK_* variables (bench).
	noEnv bool
	// hidden flags are left out of --help.
	hidden []string
	// run is the command function: it declares its flags and parses args (flags.go).
	// nil for a group, which only holds subcommands.
	run func(ctx context.Context, args []string, std stdio) error
	sub []command
}

// stdio are the streams a command reads and writes.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// commands is the waymark command tree below the root.
func commands(logger *slog.Logger) []command {
	return []command{
		{use: "serve", short: "run Waymark (GraphQL at /graphql; with --demo or --dev, GraphiQL at /)",
			long: "Runs the API on the embedded NATS/JetStream store (or on --nats-url). It listens at once: /healthz answers\n" +
				"while it starts, /readyz once the read models have caught up. --demo creates demo keys, seeds the demo\n" +
				"coalition into an empty store (printing its progress on stderr) and prints a token per demo role.",
			run: func(ctx context.Context, args []string, std stdio) error { return serve(ctx, args, std, logger) }},
		{use: "seed --demo", short: "load the synthetic demo coalition into an empty store",
			run: func(ctx context.Context, args []string, std stdio) error { return seed(ctx, args, std, logger) }},
		{use: "keys", short: "create the missing secrets, or rotate the key-encryption key", sub: []command{
			{use: "generate", short: "create the token signing key, the keyring and the audit key that are missing",
				long: "Creates the token signing key, the keyring and the audit key that are missing (the audit key's\n" +
					"public half, audit.pub.pem, is for auditors). Existing keys are kept.",
				run: func(ctx context.Context, args []string, _ stdio) error {
					return keys(ctx, append([]string{"generate"}, args...), logger)
				}},
			{use: "rotate", short: "add a key-encryption key and rewrap every case key",
				long: "Adds a key-encryption key and rewraps every case key under it: done by the running server when one\n" +
					"owns the data directory (asked on its admin socket), else here, under the directory's lock.",
				run: func(ctx context.Context, args []string, _ stdio) error {
					return keys(ctx, append([]string{"rotate"}, args...), logger)
				}},
		}},
		{use: "token", short: "mint access tokens", sub: []command{
			{use: "issue --role ROLE [--org ID]", short: "mint an access token",
				long: "Mints an access token signed with the token signing key (<data-dir>/secrets/signing.key.pem unless\n" +
					"--secrets-dir or --signing-key say otherwise). The role must fit the organisation's kind in the\n" +
					"directory; the lifetime is at most --max-token-lifetime.",
				run: func(ctx context.Context, args []string, std stdio) error {
					return tokenIssue(ctx, args, std.out, logger)
				}},
		}},
		{use: "verify (--case ID | --all) [--checkpoints FILE] [--key AUDIT.pub.pem]",
			short: "recompute hash chains and compare them with signed checkpoints",
			long: "Recomputes hash chains (--case ID | --all) and compares them with signed checkpoints (--checkpoints FILE,\n" +
				"--key AUDIT.pub.pem). With no server running, verify opens the data directory itself, under its lock.\n" +
				"When a server owns the data directory, verify asks it on its admin socket (<data-dir>/admin.sock) to\n" +
				"run the same verification on its own store, and says so. Exit status 1 names the first broken link.\n" +
				"--bundle FILE --key AUDIT.pub.pem checks an exported bundle with nothing else.",
			run: func(ctx context.Context, args []string, std stdio) error { return verify(ctx, args, std.out, logger) }},
		{use: "checkpoint", short: "sign a checkpoint of the history now",
			long: "Signs a checkpoint of the history now. When a server owns the data directory, it makes the checkpoint\n" +
				"with its own audit key (asked on its admin socket); otherwise this command opens the directory under\n" +
				"its lock and signs with --audit-key.",
			run: func(ctx context.Context, args []string, std stdio) error {
				return checkpoint(ctx, args, std.out, std.err, logger)
			},
			sub: []command{{use: "export --out FILE", short: "write every stored checkpoint (--out - for stdout)",
				run: func(ctx context.Context, args []string, std stdio) error {
					return checkpoint(ctx, append([]string{"export"}, args...), std.out, std.err, logger)
				}}}},
		{use: "export --case ID --out FILE", short: "write a case's audit bundle, or (--for-survivor) her own record",
			long: "Writes a case's audit bundle (its events as stored, a manifest of their hashes and the signed\n" +
				"checkpoints that cover them), or with --for-survivor her own record on her recorded subject-access\n" +
				"request. Done by the running server when one owns the data directory.",
			run: func(ctx context.Context, args []string, std stdio) error { return export(ctx, args, std.out, logger) }},
		{use: "replay --case ID [--json | --ndjson]", short: "print a case's history, every event in order, personal data sealed",
			long: replayHelp,
			run:  func(ctx context.Context, args []string, std stdio) error { return replay(ctx, args, std.out, logger) }},
		{use: "migrate --from jetstream --to kurrentdb", short: "copy every event to the other event store (JetStream, KurrentDB), then verify it",
			long: migrateHelp,
			run: func(ctx context.Context, args []string, std stdio) error {
				return migrateCommand(ctx, args, std.out, std.err, logger)
			}},
		{use: "rebuild", short: "rebuild the read models from the start of the log and write a fresh snapshot",
			long: rebuildHelp,
			run:  func(ctx context.Context, args []string, std stdio) error { return rebuild(ctx, args, std.out, logger) }},
		{use: "retention --dry-run", short: "list what the retention policies would erase now (retention run: do it)",
			long: retentionHelp,
			run: func(ctx context.Context, args []string, std stdio) error {
				return retentionCommand(ctx, args, std.out, logger)
			},
			sub: []command{{use: "run", short: "apply the retention policies now", long: retentionHelp,
				run: func(ctx context.Context, args []string, std stdio) error {
					return retentionCommand(ctx, append([]string{"run"}, args...), std.out, logger)
				}}}},
		{use: "webhooks", short: "the webhook delivery log", sub: []command{
			{use: "log [--organisation ID]", short: "print the webhook delivery log", long: webhooksHelp,
				run: func(_ context.Context, args []string, std stdio) error {
					return webhooksCommand(append([]string{"log"}, args...), std.out)
				}},
		}},
		{use: "tail [--subject SUBJECT] [--all]", short: "print the de-identified analytics feed as it is published",
			long: tailHelp,
			run: func(ctx context.Context, args []string, std stdio) error {
				return tailCommand(ctx, args, std.out, logger)
			}},
		{use: "nats-user", short: "add, list or remove an analyst's NATS login", long: natsUserHelp, sub: []command{
			{use: "add --account analytics NAME", short: "add an analyst's NATS user and print its password once",
				long: natsUserHelp, args: cobra.ArbitraryArgs, run: natsUserVerb("add")},
			{use: "list", short: "list the analysts' NATS users", long: natsUserHelp,
				args: cobra.ArbitraryArgs, run: natsUserVerb("list")}, // oneName says what each takes
			{use: "remove NAME", short: "remove an analyst's NATS user and close its connections",
				long: natsUserHelp, args: cobra.ArbitraryArgs, run: natsUserVerb("remove")},
		}},
		{use: "republish --from start|POSITION", short: "publish the analytics feed again (after a new analytics key)",
			long: republishHelp,
			run: func(ctx context.Context, args []string, std stdio) error {
				return republishCommand(ctx, args, std.out, logger)
			}},
		{use: "backup --to DIR [--include-keys]", short: "a backup of the data directory (the keys only with --include-keys)",
			long: "Takes a backup of the data directory into the new directory DIR: snapshots of the event stream, the\n" +
				"access log and the analytics feed, and a manifest with their SHA-256. When a server owns the data\n" +
				"directory it takes the backup while it serves (asked on its admin socket); otherwise this command opens\n" +
				"the directory itself, under its lock. The key store and the secrets are left out unless --include-keys.\n" +
				"'waymark restore --from DIR' restores it.",
			run: func(ctx context.Context, args []string, std stdio) error {
				return backupCommand(ctx, args, std.out, std.err, logger)
			}},
		{use: "restore --from DIR [--include-keys] [--erasure-ledger FILE]",
			short: "a backup into an empty data directory, then the erasure ledger, then verify",
			long: "Restores a backup into an empty data directory (refused when it is not empty, or locked), after\n" +
				"checking every file against the backup's manifest. Then it applies the erasure ledger kept beside the\n" +
				"key store, so that every case erased after the backup was taken stays erased, and verifies the\n" +
				"restored store as 'waymark verify --all' does.",
			run: func(ctx context.Context, args []string, std stdio) error {
				return restoreCommand(ctx, args, std.out, std.err, logger)
			}},
		{use: "bench [--quick | --growth]", short: "measure Waymark next to its baselines and print the report",
			long: benchUsage, noEnv: true, hidden: []string{"smoke"},
			run: func(ctx context.Context, args []string, _ stdio) error { return benchCommand(ctx, args, logger) }},
		{use: "schema", short: "print the GraphQL schema (SDL) the server serves", long: schemaHelp,
			run: func(_ context.Context, args []string, std stdio) error { return schemaCommand(args, std.out) }},
		{use: "version", short: "print the version, commit, Go version and build time",
			run: func(_ context.Context, args []string, std stdio) error { return versionCommand(args, std.out) }},
		{use: "healthcheck", short: "ask a running server's /healthz (exit 0 when it answers 200), for container health checks",
			long: healthcheckHelp,
			run:  func(ctx context.Context, args []string, std stdio) error { return healthcheck(ctx, args, std.out) }},
	}
}

// natsUserVerb runs waymark nats-user VERB.
func natsUserVerb(verb string) func(context.Context, []string, stdio) error {
	return func(ctx context.Context, args []string, std stdio) error {
		return natsUserCommand(ctx, append([]string{verb}, args...), std.in, std.out)
	}
}

const rootHelp = `Waymark: case management for the people who help survivors of modern slavery and
human trafficking into the financial system.

Every flag can also be set through the environment: its WAYMARK_* variable is listed
with it (--data-dir is WAYMARK_DATA_DIR); a flag on the command line wins. Booleans
from the environment take true/false, 1/0, yes/no or on/off. bench reads none.
Exit status: 0 done, 1 failed, 2 a mistake in the command line.`

// newRoot builds the command tree.
func newRoot(std stdio, logger *slog.Logger) (*cobra.Command, error) {
	root := &cobra.Command{
		Use: "waymark", Short: "Waymark: case management on an event-sourced log", Long: rootHelp,
		Version: versionLine(readVersion()), // waymark --version too
		Args:    cobra.ArbitraryArgs, RunE: needsCommand,
		SilenceErrors: true, SilenceUsage: true, // main prints the error, in one line
	}
	root.SetIn(std.in)
	root.SetOut(std.out)
	root.SetErr(std.err)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	for _, c := range commands(logger) {
		cc, err := c.build(std)
		if err != nil {
			return nil, err
		}
		root.AddCommand(cc)
	}
	// A command that only holds subcommands runs (needsCommand, so that a missing or
	// unknown one is a usage error), but its usage shows only its subcommands.
	root.InitDefaultHelpCmd() // cobra's help and completion commands: now, so that they get theirs
	root.InitDefaultCompletionCmd()
	usage := root.UsageTemplate()
	groupUsage := strings.Replace(usage, "{{if .Runnable}}\n  {{.UseLine}}{{end}}", "", 1)
	var setUsage func(c *cobra.Command)
	setUsage = func(c *cobra.Command) { // each its own: a subcommand would inherit its parent's
		if c == root || c.Annotations["group"] != "" {
			c.SetUsageTemplate(groupUsage)
		} else {
			c.SetUsageTemplate(usage)
		}
		for _, s := range c.Commands() {
			setUsage(s)
		}
	}
	setUsage(root)
	return root, nil
}

// build makes the cobra command of c and its subcommands. A command function is asked
// for its flags first (flags.go): cobra parses the command line into them, noting each
// flag set, in order; the command function then runs with those as its arguments.
func (c command) build(std stdio) (*cobra.Command, error) {
	cc := &cobra.Command{Use: c.use, Short: c.short, Long: strings.TrimRight(c.long, "\n"), Args: c.args}
	if c.run == nil {
		cc.Args, cc.RunE = cobra.ArbitraryArgs, needsCommand
		cc.Annotations = map[string]string{"group": "yes"}
	} else {
		if cc.Args == nil {
			cc.Args = noArgs
		}
		err := c.run(context.Background(), declareArgs(), stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
		var d *declared
		if !errors.As(err, &d) {
			return nil, fmt.Errorf("waymark %s declared no flags: %v", cc.Name(), err)
		}
		var line []string // the flags the command line sets, in order
		d.fs.VisitAll(func(f *flag.Flag) {
			pf := pflag.PFlagFromGoFlag(f)
			name, isBool := f.Name, pf.NoOptDefVal == "true"
			pf.Value = &recorder{Value: pf.Value, set: func(v string) {
				switch {
				case isBool && v == "true":
					line = append(line, "--"+name)
				case isBool:
					line = append(line, "--"+name+"="+v) // a boolean takes no separate value
				default:
					line = append(line, "--"+name, v)
				}
			}}
			if !c.noEnv {
				pf.Usage += " [$" + envName(name) + "]"
			}
			pf.Hidden = slices.Contains(c.hidden, name)
			cc.Flags().AddFlag(pf)
		})
		cc.RunE = func(cmd *cobra.Command, pos []string) error {
			args := slices.Clone(line)
			if len(pos) > 0 {
				args = append(append(args, "--"), pos...)
			}
			if err := c.run(cmd.Context(), args, std); err != nil {
				return ranError{err}
			}
			return nil
		}
	}
	for _, s := range c.sub {
		sc, err := s.build(std)
		if err != nil {
			return nil, err
		}
		cc.AddCommand(sc)
	}
	return cc, nil
}

// ranError is an error of a command that ran; any other error cobra returns is a
// mistake in the command line.
type ranError struct{ err error }

func (e ranError) Error() string { return e.err.Error() }
func (e ranError) Unwrap() error { return e.err }

// noArgs refuses positional arguments (an unknown subcommand, for a command that has
// some).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		return unknownCommand(cmd, args[0])
	}
	return fmt.Errorf("%w: unexpected argument %q (%s takes none)", errUsage, args[0], cmd.CommandPath())
}

// flagError is a mistake in a command's flags: a usage error, with a hint for the two
// likeliest causes.
func flagError(c *cobra.Command, err error) error {
	// -data-dir: the standard library's flag package took one dash; pflag wants two.
	_, long, single := strings.Cut(err.Error(), "unknown shorthand flag: ")
	_, long, _ = strings.Cut(long, " in -")
	switch {
	case c.Annotations["group"] != "":
		return fmt.Errorf("%w: %w (the command comes first: %s %s)", errUsage, err, c.CommandPath(), strings.Join(subNames(c), "|"))
	case single && len(long) > 1:
		return fmt.Errorf("%w: %w (a long flag takes two dashes: --%s)", errUsage, err, long)
	}
	return fmt.Errorf("%w: %w", errUsage, err)
}

// needsCommand runs a command that only holds subcommands: a usage error.
func needsCommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return unknownCommand(cmd, args[0])
	}
	fmt.Fprint(cmd.ErrOrStderr(), cmd.UsageString())
	if !cmd.HasParent() {
		return fmt.Errorf("%w: no command", errUsage)
	}
	return fmt.Errorf("%w: %s needs a command: %s", errUsage, cmd.CommandPath(), strings.Join(subNames(cmd), " | "))
}

func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return fmt.Errorf("%w: %s", errUsage, msg)
}

// subNames are the names of cmd's subcommands, as help lists them.
func subNames(cmd *cobra.Command) []string {
	var names []string
	for _, s := range cmd.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, s.Name())
		}
	}
	return names
}

// execute runs the command line args. A mistake in it is an errUsage error that names
// the command's help.
func execute(ctx context.Context, args []string, std stdio, logger *slog.Logger) error {
	root, err := newRoot(std, logger)
	if err != nil {
		return err
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	var ran ranError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ran) && !errors.Is(err, errUsage):
		return ran.err
	case !errors.Is(err, errUsage):
		err = fmt.Errorf("%w: %w", errUsage, err) // cobra's own: an unknown command, a bad flag
	}
	if cmd == nil {
		cmd = root
	}
	return fmt.Errorf("%w (see '%s --help')", unwrapRan(err), cmd.CommandPath())
}

func unwrapRan(err error) error {
	if ran, ok := err.(ranError); ok {
		return ran.err
	}
	return err
}

// run runs the command line args on the process's streams.
func run(ctx context.Context, args []string, logger *slog.Logger) error {
	return execute(ctx, args, stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, logger)
}

// exitCode is the process's exit status after err: 0, 2 for a mistake in the command
// line, 1 for anything else.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		return 1
	}
}
