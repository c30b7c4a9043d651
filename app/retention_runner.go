package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/waymark-org/waymark/retention"
)

// Retention applies the retention policies of a serving Waymark: on a schedule (Run)
// and on demand (Plan, Apply: waymark retention). One run at a time.
type Retention struct {
	// Service is the service to run on (a live rebuild swaps it: asked each run).
	Service  func() *Service
	Policies retention.Policies
	// Batch bounds the erasures of one run (default DefaultRetentionBatch): one
	// erasure after another, each a command like any other, so a run never holds up
	// requests for long; a backlog is taken by the following runs.
	Batch  int
	Logger *slog.Logger
	// Observe, if set, is told of every scheduled run's outcome (tests wait on it).
	Observe func(RetentionReport, error)
	mu      sync.Mutex
}

// DefaultRetentionBatch is how many cases one run erases at most.
const DefaultRetentionBatch = 200

// retentionCatchUp is how soon the next run comes when one left cases due.
const retentionCatchUp = time.Minute

func (r *Retention) batch() int {
	if r.Batch <= 0 {
		return DefaultRetentionBatch
	}
	return r.Batch
}

// Plan lists what a run would do now, changing nothing.
func (r *Retention) Plan(ctx context.Context) (RetentionPlan, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	svc, err := r.ready(ctx)
	if err != nil {
		return RetentionPlan{}, err
	}
	return svc.PlanRetention(ctx, r.Policies, r.batch())
}

// ready returns the service once its read models have caught up with the log as it
// was at their start: cases are judged on them, never on half-built ones.
func (r *Retention) ready(ctx context.Context) (*Service, error) {
	svc := r.Service()
	if svc.runner != nil {
		if err := svc.runner.WaitReady(ctx); err != nil {
			return nil, err
		}
	}
	return svc, nil
}

// Apply runs now.
func (r *Retention) Apply(ctx context.Context) (RetentionReport, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	svc, err := r.ready(ctx)
	if err != nil {
		return RetentionReport{}, err
	}
	rep, err := svc.ApplyRetention(ctx, r.Policies, r.batch())
	r.logger().Info("retention run", "erased", len(rep.Erased), "skipped", len(rep.Skipped), "more_due", rep.MoreDue,
		"access_log_dropped", rep.AccessLogDropped, "err", err)
	return rep, err
}

func (r *Retention) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// Run applies the policies first after first, then every interval (sooner, after
// retentionCatchUp, while a run leaves cases due), until ctx ends. A failed run is
// logged and tried again at the next.
func (r *Retention) Run(ctx context.Context, first, interval time.Duration) {
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		next := interval
		rep, err := r.Apply(ctx)
		if r.Observe != nil {
			r.Observe(rep, err)
		}
		switch {
		case errors.Is(err, context.Canceled):
			return
		case err != nil:
			r.logger().Error("retention run failed; tried again at the next", "err", err)
		case rep.MoreDue > 0:
			next = min(next, retentionCatchUp)
		}
		t.Reset(next)
	}
}
