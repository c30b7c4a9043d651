package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/retention"
)

// defaultRetentionInterval: a policy counts in years, so a daily run erases a case at
// most a day late; retentionFirstRun lets a start finish (read models caught up,
// demo seeded) before the first run.
const (
	defaultRetentionInterval = 24 * time.Hour
	retentionFirstRun        = time.Minute
)

// retentionFlags are the retention flags of serve (and of waymark retention: the file
// and the batch).
type retentionFlags struct {
	file     *string
	interval *time.Duration
	batch    *int
}

func registerRetentionFlags(fs *flag.FlagSet, withInterval bool) retentionFlags {
	f := retentionFlags{
		file:  fs.String("retention", "", "retention policy file (JSON: a default and per-jurisdiction years; default: the built-in policies, see the README)"),
		batch: fs.Int("retention-batch", app.DefaultRetentionBatch, "erase at most this many cases per retention run"),
	}
	if withInterval {
		every := interval(defaultRetentionInterval)
		fs.Var(&every, "retention-interval", "apply the retention policies this often, and once a minute after start (0: never automatically)")
		f.interval = (*time.Duration)(&every)
	}
	return f
}

// load reads the policies: the file's, or the built-in ones. A malformed file is
// refused with its sentence.
func (f retentionFlags) load() (retention.Policies, error) {
	if *f.batch <= 0 {
		return retention.Policies{}, fmt.Errorf("%w: --retention-batch %d: want 1 or more", errUsage, *f.batch)
	}
	if *f.file == "" {
		return retention.Defaults(), nil
	}
	return retention.Load(*f.file)
}

// startRetention makes the server's retention keeper and, unless the interval is 0,
// runs it on schedule; stop ends the schedule and waits for a run under way.
func startRetention(n *node.Node, f retentionFlags, policies retention.Policies, logger *slog.Logger) (_ *app.Retention, stop func()) {
	r := &app.Retention{Service: func() *app.Service { return n.Current().Service }, Policies: policies, Batch: *f.batch,
		Logger: logger.With("component", "retention")}
	if *f.interval == 0 {
		logger.Info("retention runs only on demand (--retention-interval 0): waymark retention run")
		return r, func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx, retentionFirstRun, *f.interval)
	}()
	return r, func() { cancel(); <-done }
}

// retentionOps adds retention to what a serving waymark does on its admin socket.
type retentionOps struct {
	nodeOps
	retention *app.Retention
}

var _ admin.RetentionKeeper = retentionOps{}

func (o retentionOps) keeper(req admin.RetentionRequest) (*app.Retention, error) {
	if req.PoliciesFile == "" && req.Batch == 0 {
		return o.retention, nil
	}
	k := &app.Retention{Service: o.retention.Service, Policies: o.retention.Policies, Batch: o.retention.Batch, Logger: o.retention.Logger}
	if req.PoliciesFile != "" {
		ps, err := retention.Load(req.PoliciesFile)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", admin.ErrRefused, err)
		}
		k.Policies = ps
	}
	if req.Batch > 0 {
		k.Batch = req.Batch
	}
	return k, nil
}

func (o retentionOps) RetentionPlan(ctx context.Context, req admin.RetentionRequest) (admin.RetentionResult, error) {
	k, err := o.keeper(req)
	if err != nil {
		return admin.RetentionResult{}, err
	}
	plan, err := k.Plan(ctx)
	if err != nil {
		return admin.RetentionResult{}, err
	}
	return retentionResult(app.RetentionReport{RetentionPlan: plan}, true), nil
}

func (o retentionOps) RetentionRun(ctx context.Context, req admin.RetentionRequest) (admin.RetentionResult, error) {
	k, err := o.keeper(req)
	if err != nil {
		return admin.RetentionResult{}, err
	}
	rep, err := k.Apply(ctx)
	if err != nil {
		return admin.RetentionResult{}, err
	}
	return retentionResult(rep, false), nil
}

// retentionResult is a plan or a run as the admin socket and the command show it.
func retentionResult(rep app.RetentionReport, dryRun bool) admin.RetentionResult {
	out := admin.RetentionResult{At: rep.At, DryRun: dryRun, MoreDue: rep.MoreDue, AccessLogDropped: rep.AccessLogDropped, Due: []admin.RetentionCase{}}
	for _, c := range rep.Erase {
		out.Due = append(out.Due, admin.RetentionCase{CaseID: c.CaseID, Jurisdiction: c.Jurisdiction, ClosedAt: c.ClosedAt, Policy: c.Policy.Label()})
	}
	for _, c := range rep.Erased {
		out.Erased = append(out.Erased, c.CaseID)
	}
	for _, s := range rep.Skipped {
		out.Skipped = append(out.Skipped, s.CaseID+": "+s.Reason)
	}
	return out
}
