package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
)

const retentionHelp = `--dry-run lists what a retention run would do now, and changes nothing: the cases
whose personal data it would erase (case id, jurisdiction, when the case was closed,
the policy that makes it due) and how many access-log entries it would drop from the
access log's read model. No personal data is shown.

run does it now: each case is erased through the erasure command (reason
retention_policy, recorded as done by the retention policy), at most
--retention-batch of them; the access log's horizon moves forward.

The policies are the built-in ones, or --retention FILE. With a server running on the
data directory, the server does it (on its admin socket, on its own stores);
otherwise the command opens the data directory itself, under its lock.

`

// retentionCommand: waymark retention --dry-run | run
func retentionCommand(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	run := len(args) > 0 && args[0] == "run"
	if run {
		args = args[1:]
	}
	fset := flag.NewFlagSet("retention", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	rf := registerRetentionFlags(fset, false)
	dryRun := fset.Bool("dry-run", false, "list what a run would do, change nothing")
	asJSON := fset.Bool("json", false, "print the result as JSON")
	if err := parse(fset, args); err != nil {
		return err
	}
	switch {
	case run && *dryRun:
		return fmt.Errorf("%w: give either --dry-run or run, not both", errUsage)
	case !run && !*dryRun:
		return fmt.Errorf("%w: retention needs --dry-run (list what would be done) or run (do it now)", errUsage)
	}
	batchSet := false
	fset.Visit(func(f *flag.Flag) { batchSet = batchSet || f.Name == "retention-batch" })
	policies, err := rf.load()
	if err != nil {
		return err
	}
	sf = sf.resolved()
	if err := sf.requireStore(""); err != nil {
		return err
	}
	acc, err := ownOrAsk(ctx, "retention", sf.dataDir, sf.keysDir)
	if err != nil {
		return err
	}
	var res admin.RetentionResult
	if acc.server != nil {
		req := admin.RetentionRequest{}
		if *rf.file != "" {
			if req.PoliciesFile, err = filepath.Abs(*rf.file); err != nil {
				return err
			}
		}
		if batchSet {
			req.Batch = *rf.batch
		}
		if run {
			res, err = acc.server.RetentionRun(ctx, req)
		} else {
			res, err = acc.server.RetentionPlan(ctx, req)
		}
		if err != nil {
			return fmt.Errorf("the server owning %s (PID %d): %w", sf.dataDir, acc.status.PID, err)
		}
	} else {
		defer acc.locks.Release()
		n, _, err := startNode(ctx, sf, sf.storeConfig(""), logger, api.Config{})
		if err != nil {
			return err
		}
		defer n.Close()
		r := &app.Retention{Service: func() *app.Service { return n.Current().Service }, Policies: policies, Batch: *rf.batch, Logger: logger}
		if err := n.Runner.WaitReady(ctx); err != nil {
			return fmt.Errorf("read models: %w", err)
		}
		var rep app.RetentionReport
		if run {
			rep, err = r.Apply(ctx)
		} else {
			rep.RetentionPlan, err = r.Plan(ctx)
		}
		if err != nil {
			return err
		}
		res = retentionResult(rep, !run)
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return writeRetention(out, res)
}

func writeRetention(out io.Writer, res admin.RetentionResult) error {
	verb := "would erase"
	if !res.DryRun {
		verb = "erased"
	}
	n := len(res.Due)
	if !res.DryRun {
		n = len(res.Erased)
	}
	fmt.Fprintf(out, "retention at %s: %s the personal data of %d case(s)", res.At.UTC().Format(time.RFC3339), verb, n)
	if res.MoreDue > 0 {
		fmt.Fprintf(out, " (%d more due: the next runs take them)", res.MoreDue)
	}
	drop := "would drop"
	if !res.DryRun {
		drop = "dropped"
	}
	fmt.Fprintf(out, "; %s %d access-log entries from the read model (the stored, signed log keeps them)\n", drop, res.AccessLogDropped)
	if len(res.Due) > 0 {
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "CASE\tJURISDICTION\tCLOSED\tPOLICY")
		for _, c := range res.Due {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.CaseID, c.Jurisdiction, c.ClosedAt.UTC().Format(time.DateOnly), c.Policy)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, s := range res.Skipped {
		fmt.Fprintln(out, "skipped", s)
	}
	return nil
}
