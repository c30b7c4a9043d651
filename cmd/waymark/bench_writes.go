package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/waymark-org/waymark/bench"
	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/diskbench"
)

var syncModes = []string{jetstream.SyncAlways, jetstream.SyncInterval}

// rate is a baseline's rate, or why it has none.
type rate struct {
	perSecond float64
	err       error
}

// writes measures the command figures: the baselines first, while no server runs (they
// must not share the cores with one), then a server per sync mode.
func (b *benchRun) writes(ctx context.Context) {
	b.logger.Info("bench: baselines: fsync loop, raw publishes, PostgreSQL")
	fsync := b.fsyncBaseline()
	raw := map[string]map[int]rate{}
	for _, mode := range syncModes {
		raw[mode] = map[int]rate{}
		for _, clients := range b.plan.clients {
			raw[mode][clients] = b.rawPublish(ctx, mode, clients)
		}
	}
	pg := b.postgres(ctx)
	for _, mode := range syncModes {
		b.commands(ctx, mode, raw[mode], fsync, pg)
	}
}

func (b *benchRun) fsyncBaseline() rate {
	dir, err := b.dir("fsync")
	if err != nil {
		return rate{err: err}
	}
	r, err := diskbench.Fsync(dir, 600, b.plan.rawTime)
	return rate{r, err}
}

func (b *benchRun) rawPublish(ctx context.Context, mode string, clients int) rate {
	dir, err := b.dir(filepath.Join("raw", fmt.Sprintf("%s-%d", mode, clients)))
	if err != nil {
		return rate{err: err}
	}
	r, err := bench.RawPublish(ctx, dir, mode == jetstream.SyncAlways, clients, b.plan.rawTime)
	return rate{r, err}
}

// postgres measures the PostgreSQL baseline at every client count; with no PostgreSQL
// on the machine every rate's error is bench.ErrNoPostgres.
func (b *benchRun) postgres(ctx context.Context) map[int]rate {
	rates := map[int]rate{}
	pg, err := bench.StartBaseline(ctx, b.plan.pgTime)
	if err != nil {
		for _, clients := range b.plan.clients {
			rates[clients] = rate{err: err}
		}
		return rates
	}
	defer pg.Close()
	for _, clients := range b.plan.clients {
		r, err := pg.Rate(ctx, clients)
		rates[clients] = rate{r, err}
	}
	return rates
}

// commands runs the command load at every client count on one server in this sync
// mode, and with --sync always the freshness figures after it.
func (b *benchRun) commands(ctx context.Context, mode string, raw map[int]rate, fsync rate, pg map[int]rate) {
	b.logger.Info("bench: commands over HTTP", "sync", mode, "clients", b.plan.clients)
	srv, tokens, err := b.commandServer(ctx, mode)
	if err != nil {
		for _, clients := range b.plan.clients {
			b.commandRows(mode, clients, bench.CommandResult{}, err, raw[clients], fsync, pg[clients])
		}
		if mode == jetstream.SyncAlways {
			b.freshnessRows(bench.FreshnessResult{}, err)
			b.pushRows(nil, err, nil)
		}
		return
	}
	defer srv.Close()
	for _, clients := range b.plan.clients {
		res, err := bench.RunCommandsFor(ctx, bench.CommandLoad{
			URL: srv.URL, Tokens: tokens[:clients], Organisation: benchOrganisation, Jurisdiction: benchJurisdiction,
			Clients: clients, NotesPerCase: eventsPerCase - 1, RunID: fmt.Sprintf("bench-%s-%d", mode, clients),
		}, b.plan.commandTime)
		b.commandRows(mode, clients, res, err, raw[clients], fsync, pg[clients])
	}
	if mode == jetstream.SyncAlways {
		res, err := bench.RunFreshness(ctx, bench.FreshnessLoad{URL: srv.URL, Token: tokens[0], Organisation: benchOrganisation,
			Jurisdiction: benchJurisdiction, Samples: b.plan.freshSamples, RunID: "bench-fresh", Feed: srv.Feed,
			AnalyticsRecipient: demo.CoalitionAnalytics})
		b.freshnessRows(res, err)
		samples, pushErr := b.dashboardPush(ctx, srv, tokens[0])
		b.pushRows(samples, errors.Join(err, pushErr), res.Fresh)
	}
}

// dashboardPush measures the dashboard's change → push on the command server (its
// referrals are this month's, and provisional).
func (b *benchRun) dashboardPush(ctx context.Context, srv benchServer, caseworker string) ([]time.Duration, error) {
	analyst, err := srv.Token(ctx, "analyst", demo.CoalitionAnalytics)
	if err != nil {
		return nil, err
	}
	return bench.RunDashboardPush(ctx, bench.DashboardPushLoad{URL: srv.URL, Token: caseworker, AnalystToken: analyst,
		Organisation: benchOrganisation, Jurisdiction: benchJurisdiction, MinCell: dashboard.DefaultMinCell,
		Samples: b.plan.pushSamples, RunID: "bench-push"})
}

// pushRows adds the dashboard's change → push figures beside command → read model.
func (b *benchRun) pushRows(samples []time.Duration, err error, fresh []time.Duration) {
	if err == nil && len(samples) == 0 {
		err = errors.New("no sample")
	}
	b.percentileRows("command → dashboardUpdated push (an analyst's websocket; aim p99 < 1 s)", err, samples, fresh,
		"command → read model")
}

// commandServer starts a server on a directory with the coalition and no cases, and
// mints a caseworker token per client.
func (b *benchRun) commandServer(ctx context.Context, mode string) (benchServer, []string, error) {
	dir, err := b.dir("commands-" + mode)
	if err != nil {
		return benchServer{}, nil, err
	}
	if err := writeBenchData(ctx, dir, 0, b.logger); err != nil {
		return benchServer{}, nil, err
	}
	tokens, err := benchTokens(dir, "caseworker", benchOrganisation, b.plan.clients[len(b.plan.clients)-1])
	if err != nil {
		return benchServer{}, nil, err
	}
	// It publishes the feed, as a server does by default (the command figures include
	// its cost), and the freshness figures read it.
	srv, err := b.startServer(ctx, "commands-"+mode, dir, mode, true)
	return srv, tokens, err
}

// commandRows adds one command point's rows to the three command sections.
func (b *benchRun) commandRows(mode string, clients int, res bench.CommandResult, err error, raw, fsync, pg rate) {
	figure := fmt.Sprintf("sync=%s, %s: commands/s", mode, plural(clients, "client"))
	if err != nil {
		b.report.Add(secPublish, bench.ErrorRow(figure, err))
		if mode == jetstream.SyncAlways {
			b.report.Add(secFsync, bench.ErrorRow(figure, err))
			b.report.Add(secPostgres, bench.ErrorRow(figure, err))
		}
		return
	}
	waymark := fmt.Sprintf("%s (p50 %s, p99 %s)", bench.Rate(res.PerSecond()),
		bench.Millis(bench.Percentile(res.Latencies, 50)), bench.Millis(bench.Percentile(res.Latencies, 99)))
	b.report.Add(secPublish, versus(figure, waymark, res.PerSecond(), raw, plural(clients, "publisher")))
	if mode != jetstream.SyncAlways {
		return
	}
	b.report.Add(secFsync, versus(figure, waymark, res.PerSecond(), fsync, "1 writer"))
	row := versus(figure, waymark, res.PerSecond(), pg, "pgbench, "+plural(clients, "client"))
	if errors.Is(pg.err, bench.ErrNoPostgres) {
		row.Baseline, row.Met = "n/a (PostgreSQL not installed)", ""
	}
	// The targets: commands over HTTP hold their own against the table a coalition
	// would otherwise build, from 16 clients on.
	switch clients {
	case 16:
		row.Target = "≥ 0.8×"
		row.Met = judge(row, pg, res.PerSecond()/pg.perSecond >= 0.8)
	case 64:
		row.Target = "> 1×"
		row.Met = judge(row, pg, res.PerSecond()/pg.perSecond > 1)
	}
	b.report.Add(secPostgres, row)
}

// versus is a row of a Waymark rate against a baseline rate.
func versus(figure, waymark string, perSecond float64, base rate, what string) bench.Row {
	row := bench.Row{Figure: figure, Waymark: waymark}
	if base.err != nil {
		row.Baseline, row.Met = "error: "+base.err.Error(), bench.Failed
		return row
	}
	row.Baseline = fmt.Sprintf("%s (%s)", bench.Rate(base.perSecond), what)
	row.Ratio = bench.Ratio(perSecond, base.perSecond)
	return row
}

// judge is a row's verdict: n/a without PostgreSQL, the error's if its baseline failed.
func judge(row bench.Row, base rate, ok bool) string {
	switch {
	case errors.Is(base.err, bench.ErrNoPostgres):
		return "n/a"
	case base.err != nil:
		return bench.Failed
	}
	return bench.Verdict(ok)
}

// plural is "1 client", "16 clients".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%s %ss", bench.Count(n), noun)
}
