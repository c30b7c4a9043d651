package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-org/waymark/bench"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// Cost growth (waymark bench --growth): the same figures at two sizes, measured one
// after the other in one run, the smaller size as the larger one's baseline — what a
// case costs must not grow with how many there are — and each per-case cost
// extrapolated to a national coalition's million cases.

const secGrowth = "Cost growth across sizes"

const growthAbout = `Each size is its own data directory, written in-process as for the size figures
(cases of a referral and 19 notes), then served by 'waymark serve --demo' three times:
the first start replays every event into read models built from zero (no snapshot:
rebuild), the second starts from the snapshot the first wrote when it stopped
(restart); on it, memory two seconds after ready, case(id) summary reads at a fixed
rate (open loop): first right after the restart, then in service (the figure
compared, over a longer window: at the larger size the collector runs every several
seconds and each run slows the requests of a fraction of a second, so a short
window's p99 depends on whether it held one run or two; each row says how many it
held), memory again, and then commands over HTTP from 16 clients with
--sync always (each a referral and 19 notes, closed loop). Baseline: the smaller
size, measured in this run; the ratio is larger ÷ smaller. "Within 1.5×" is the
issue's bound on how much a latency may grow with size. The last rows extrapolate to
1,000,000 cases (20M events) from the per-case costs measured between the two
sizes (the slope), not from one point.`

// growthTarget is the size the extrapolation is for: a national coalition.
const growthTarget = 1_000_000

// growthClients are the command clients at every size: the middle of the command
// figures' range, where group commit is at work.
const growthClients = 16

// growthPoint is what one size measured.
type growthPoint struct {
	cases, events int
	disk          int64 // the event store's bytes
	snapshot      int64 // the read models' snapshot's bytes
	rebuild       time.Duration
	rawRead       time.Duration // reading the same log raw, folding nothing
	storeOpen     time.Duration // of which opening the event store (JetStream recovering it)
	restart       time.Duration
	rss           int64            // settled after the restart
	rssLoaded     int64            // right after the reads: the heap's room for garbage in use
	firstRead     bench.LoadResult // case(id) right after the restart
	read          bench.LoadResult // case(id) in service, after firstRead
	readLean      bench.LoadResult // the same without the journey, after read
	readOwn       serverTime       // the server's own timing of read
	leanOwn       serverTime       // and of readLean
	appends       bench.CommandResult
}

// growth measures every size of the plan, then the rows comparing them.
func (b *benchRun) growth(ctx context.Context) {
	sizes := b.plan.growthSizes
	empty, emptyErr := b.emptyServer(ctx)
	var points []growthPoint
	for _, cases := range sizes {
		p, err := b.growthPoint(ctx, cases)
		if err != nil {
			b.report.Add(secGrowth, bench.ErrorRow(fmt.Sprintf("%s cases", bench.Count(cases)), err))
			return
		}
		points = append(points, p)
	}
	small, large := points[0], points[len(points)-1]
	for _, p := range points {
		b.report.Add(secGrowth, growthSizeRows(p, empty, emptyErr)...)
	}
	b.report.Add(secGrowth, growthRows(small, large, empty, emptyErr)...)
}

// growthPoint writes cases cases and measures them.
func (b *benchRun) growthPoint(ctx context.Context, cases int) (growthPoint, error) {
	p := growthPoint{cases: cases}
	name := fmt.Sprintf("growth-%d", cases)
	dir, err := b.dir(name)
	if err != nil {
		return p, err
	}
	b.logger.Info("bench: growth: writing cases in-process", "cases", cases, "events", cases*eventsPerCase)
	if err := writeBenchData(ctx, dir, cases, b.logger); err != nil {
		return p, err
	}
	p.disk = dirSize(filepath.Join(dir, "jetstream"))
	raw, err := readLog(ctx, dir)
	if err != nil {
		return p, fmt.Errorf("read the log raw: %w", err)
	}
	p.rawRead, p.storeOpen, p.events = raw.total, raw.open, raw.events
	b.logger.Info("bench: growth: rebuild and restart", "cases", cases, "events", p.events)
	start := time.Now()
	first, err := b.startServer(ctx, name, dir, jetstream.SyncAlways, false)
	if err != nil {
		return p, err
	}
	p.rebuild = time.Since(start)
	if err := first.Close(); err != nil {
		return p, fmt.Errorf("stop the server: %w", err)
	}
	p.snapshot = dirSize(filepath.Join(dir, "snapshots"))
	start = time.Now()
	srv, err := b.startServer(ctx, name, dir, jetstream.SyncAlways, false)
	if err != nil {
		return p, err
	}
	defer srv.Close()
	p.restart = time.Since(start)
	mem, err := settledMemory(ctx, srv.PID())
	if err != nil {
		return p, err
	}
	p.rss = mem.RSS

	tokens, err := benchTokens(dir, "caseworker", benchOrganisation, growthClients)
	if err != nil {
		return p, err
	}
	if err := b.growthReads(ctx, srv, tokens[0], &p); err != nil {
		return p, err
	}
	loaded, err := bench.ProcessMemory(srv.PID())
	if err != nil {
		return p, err
	}
	p.rssLoaded = loaded.RSS
	b.logger.Info("bench: growth: commands", "cases", cases, "clients", growthClients)
	p.appends, err = bench.RunCommandsFor(ctx, bench.CommandLoad{
		URL: srv.URL, Tokens: tokens, Organisation: benchOrganisation, Jurisdiction: benchJurisdiction,
		Clients: growthClients, NotesPerCase: eventsPerCase - 1, RunID: name,
	}, b.plan.commandTime)
	return p, err
}

// growthReads is case(id) summary at the plan's rate over up to 1,000 of the cases:
// right after the restart (first), then in service (the figure compared across sizes),
// then in service without the journey (lean: what the journey's list adds at size).
func (b *benchRun) growthReads(ctx context.Context, srv benchServer, token string, p *growthPoint) error {
	ids, err := bench.CaseIDs(ctx, srv.URL, token, benchOrganisation, 1000)
	if err != nil {
		return err
	}
	targets, err := summaryTargets(srv.URL, token, ids)
	if err != nil {
		return err
	}
	if p.firstRead, err = b.readAfterRestart(ctx, targets); err != nil {
		return err
	}
	if p.read, p.readOwn, err = timedByServer(ctx, srv, "case", bench.OpenLoop{Targets: targets, Rate: b.plan.summaryRate, Duration: b.plan.growthReadTime}); err != nil {
		return err
	}
	leanTargets, err := bench.GraphQLTargets(srv.URL, token, readSummaryNoJourney, caseVars(ids))
	if err != nil {
		return err
	}
	p.readLean, p.leanOwn, err = timedByServer(ctx, srv, "case", bench.OpenLoop{Targets: leanTargets, Rate: b.plan.summaryRate, Duration: b.plan.readTime})
	return err
}

// growthSizeRows are one size's own figures.
func growthSizeRows(p growthPoint, empty emptyServer, emptyErr error) []bench.Row {
	at := fmt.Sprintf("%s cases (%s events)", bench.Count(p.cases), bench.Count(p.events))
	rows := []bench.Row{
		{Figure: "event store on disk, " + at, Waymark: fmt.Sprintf("%s, %s a case; snapshot %s, %s a case",
			bench.Bytes(float64(p.disk)), bench.Bytes(float64(p.disk)/float64(p.cases)),
			bench.Bytes(float64(p.snapshot)), bench.Bytes(float64(p.snapshot)/float64(p.cases)))},
		{Figure: "rebuild from zero (first start, no snapshot), " + at,
			Waymark: rebuildFigure(p.rebuild, p.events), Baseline: rawReadFigure(p.rawRead, p.events),
			Ratio: bench.Ratio(p.rebuild.Seconds(), p.rawRead.Seconds())},
		{Figure: "restart to ready (from the snapshot), " + at, Waymark: bench.Seconds(p.restart),
			Baseline: fmt.Sprintf("%s reading the log raw, of which %s opening the event store", bench.Seconds(p.rawRead), bench.Seconds(p.storeOpen)),
			Ratio:    bench.Ratio(p.restart.Seconds(), p.rawRead.Seconds())},
		{Figure: fmt.Sprintf("case(id) summary at %s, the first %s after restart, %s", bench.Rate(p.firstRead.PerSecond()), p.firstRead.Elapsed.Round(time.Second), at),
			Waymark: latencies(p.firstRead)},
		{Figure: "case(id) summary at " + bench.Rate(p.read.PerSecond()) + ", in service after that, " + at,
			Waymark: latencies(p.read) + "; " + ownP99(p.readOwn)},
		{Figure: "case(id) summary without the journey at " + bench.Rate(p.readLean.PerSecond()) + ", in service, " + at,
			Waymark: latencies(p.readLean) + "; " + ownP99(p.leanOwn)},
		{Figure: fmt.Sprintf("commands over HTTP, %d clients, --sync always, %s", growthClients, at),
			Waymark: fmt.Sprintf("%s (p50 %s, p99 %s)", bench.Rate(p.appends.PerSecond()),
				bench.Millis(bench.Percentile(p.appends.Latencies, 50)), bench.Millis(bench.Percentile(p.appends.Latencies, 99)))},
	}
	mem := bench.Row{Figure: "resident memory after restart, " + at, Waymark: bench.Bytes(float64(p.rss))}
	if emptyErr == nil {
		mem.Waymark += fmt.Sprintf(", %s a case above a server with no cases", bench.Bytes(perCaseAbove(p.rss, p.cases, empty)))
		mem.Baseline = bench.Bytes(float64(empty.mem.RSS)) + " with no cases"
	}
	loaded := bench.Row{Figure: "resident memory right after the reads, " + at, Waymark: bench.Bytes(float64(p.rssLoaded))}
	if emptyErr == nil {
		loaded.Waymark += fmt.Sprintf(", %s a case above a server with no cases", bench.Bytes(perCaseAbove(p.rssLoaded, p.cases, empty)))
		loaded.Baseline = bench.Bytes(float64(empty.mem.RSS)) + " with no cases"
	}
	return append(rows, mem, loaded)
}

// growthRows compare the two sizes and extrapolate.
func growthRows(small, large growthPoint, empty emptyServer, emptyErr error) []bench.Row {
	vs := fmt.Sprintf("%s vs %s cases", bench.Count(large.cases), bench.Count(small.cases))
	within := func(figure string, a, b time.Duration, errs int) bench.Row {
		return bench.Row{Figure: figure + ", " + vs, Waymark: bench.Millis(b), Baseline: bench.Millis(a),
			Ratio: bench.Ratio(float64(b), float64(a)), Target: "within 1.5×",
			Met: bench.Verdict(float64(b) <= 1.5*float64(a) && float64(a) <= 1.5*float64(b) && errs == 0)}
	}
	appendP99 := func(p growthPoint) time.Duration { return bench.Percentile(p.appends.Latencies, 99) }
	readP99 := func(p growthPoint) time.Duration { return bench.Percentile(p.read.Latencies, 99) }
	leanP99 := func(p growthPoint) time.Duration { return bench.Percentile(p.readLean.Latencies, 99) }
	diskPerCase := func(p growthPoint) float64 { return float64(p.disk) / float64(p.cases) }
	rows := []bench.Row{
		within("append (command over HTTP) p99", appendP99(small), appendP99(large), 0),
		within("case(id) summary p99", readP99(small), readP99(large), small.read.Errors+large.read.Errors),
		{Figure: "case(id) summary, the server's own p99 (its histogram's bucket), " + vs,
			Waymark: ownBound(large.readOwn), Baseline: ownBound(small.readOwn)},
		{Figure: "case(id) summary without the journey p99, " + vs, Waymark: bench.Millis(leanP99(large)), Baseline: bench.Millis(leanP99(small)),
			Ratio: bench.Ratio(float64(leanP99(large)), float64(leanP99(small)))},
		{Figure: "event store per case, " + vs, Waymark: bench.Bytes(diskPerCase(large)), Baseline: bench.Bytes(diskPerCase(small)),
			Ratio: bench.Ratio(diskPerCase(large), diskPerCase(small))},
		{Figure: "rebuild per million events, " + vs, Waymark: bench.Seconds(perMillion(large.rebuild, large.events)),
			Baseline: bench.Seconds(perMillion(small.rebuild, small.events)),
			Ratio:    bench.Ratio(perMillion(large.rebuild, large.events).Seconds(), perMillion(small.rebuild, small.events).Seconds())},
	}
	if emptyErr == nil {
		for _, m := range []struct {
			when string
			rss  func(growthPoint) int64
		}{
			{"after restart", func(p growthPoint) int64 { return p.rss }},
			{"right after the reads", func(p growthPoint) int64 { return p.rssLoaded }},
		} {
			l, s := perCaseAbove(m.rss(large), large.cases, empty), perCaseAbove(m.rss(small), small.cases, empty)
			rows = append(rows, bench.Row{Figure: "resident memory per case above a server with no cases, " + m.when + ", " + vs,
				Waymark: bench.Bytes(l), Baseline: bench.Bytes(s), Ratio: bench.Ratio(l, s), Target: "≤ 10 KiB", Met: bench.Verdict(l <= memoryTarget)})
		}
	}
	// Extrapolation: the slope between the sizes, per case, times a million.
	span := float64(large.cases - small.cases)
	if span <= 0 {
		return rows
	}
	slope := func(a, b float64) float64 { return (b - a) / span }
	toTarget := func(atLarge, perCase float64) float64 { return atLarge + perCase*float64(growthTarget-large.cases) }
	events := growthTarget * eventsPerCase
	rebuildPerEvent := large.rebuild.Seconds() / float64(large.events)
	target := bench.Count(growthTarget) + " cases"
	rows = append(rows,
		bench.Row{Figure: "extrapolated to " + target + ": resident memory",
			Waymark:  bench.Bytes(toTarget(float64(large.rss), slope(float64(small.rss), float64(large.rss)))),
			Baseline: fmt.Sprintf("slope %s a case", bench.Bytes(slope(float64(small.rss), float64(large.rss))))},
		bench.Row{Figure: "extrapolated to " + target + ": event store on disk",
			Waymark:  bench.Bytes(toTarget(float64(large.disk), slope(float64(small.disk), float64(large.disk)))),
			Baseline: fmt.Sprintf("slope %s a case", bench.Bytes(slope(float64(small.disk), float64(large.disk))))},
		bench.Row{Figure: "extrapolated to " + target + ": restart from the snapshot",
			Waymark:  bench.Seconds(time.Duration(toTarget(float64(large.restart), slope(float64(small.restart), float64(large.restart))))),
			Baseline: fmt.Sprintf("slope %s µs a case", strconv.FormatFloat(slope(float64(small.restart), float64(large.restart))/1e3, 'f', 1, 64))},
		bench.Row{Figure: fmt.Sprintf("extrapolated to %s: rebuild from zero (%s events)", target, bench.Count(events)),
			Waymark:  bench.Seconds(time.Duration(rebuildPerEvent * float64(events) * float64(time.Second))),
			Baseline: "at the larger size's events/s"},
	)
	return rows
}

func perMillion(d time.Duration, events int) time.Duration {
	if events == 0 {
		return 0
	}
	return time.Duration(float64(d) * 1e6 / float64(events))
}

// parseSizes reads --sizes: two or more ascending case counts, comma separated.
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%w: --sizes %q: want case counts like 10000,200000", errUsage, s)
		}
		if len(sizes) > 0 && n <= sizes[len(sizes)-1] {
			return nil, fmt.Errorf("%w: --sizes %q: want ascending sizes", errUsage, s)
		}
		sizes = append(sizes, n)
	}
	if len(sizes) < 2 {
		return nil, fmt.Errorf("%w: --sizes %q: want at least two sizes to compare", errUsage, s)
	}
	return sizes, nil
}
