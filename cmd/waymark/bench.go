package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/waymark-org/waymark/bench"
)

const benchUsage = `Runs the workload on the embedded default store and prints one markdown report: each
Waymark figure next to its baseline measured in the same run, their ratio, and the
target it is held to. Commands over HTTP/GraphQL at 1, 16, 64 and 256 clients (both
sync modes) against raw JetStream publishes, a raw write+fsync loop and, when
PostgreSQL is installed, a PostgreSQL events table; case(id) and cases(filter)
latency at fixed arrival rates (open loop); command-to-read-model freshness; resident
memory and restart time with --cases cases. The server is this binary, run as
'waymark serve --demo' on scratch data directories. No WAYMARK_* variable is read:
a developer's own must not change what is measured.

`

// benchPlan is how much a run measures.
type benchPlan struct {
	name        string
	clients     []int         // command clients, per sync mode
	commandTime time.Duration // per client count and sync mode
	rawTime     time.Duration // per raw-publish point, and the fsync loop
	pgTime      time.Duration // per PostgreSQL point (whole seconds: pgbench -T)
	readTime    time.Duration // per read figure, and again for its baseline
	// growthReadTime is the window of the case(id) figure compared across sizes: at
	// the larger size the collector runs every several seconds, each run slowing the
	// requests of a fraction of one, so the window must span several runs for its p99
	// to repeat from one bench to the next.
	growthReadTime time.Duration
	afterRestart   time.Duration // case(id) summary right after a restart, before the read figures
	summaryRate    int           // case(id) summary, requests a second
	personalRate   int           // case(id) with identity and notes
	listRate       int           // cases(filter)
	freshSamples   int
	pushSamples    int   // dashboard change → push
	dashRate       int   // dashboard reads a second
	cases          int   // for memory and restart
	growthSizes    []int // for --growth
}

var (
	fullPlan = benchPlan{name: "full", clients: []int{1, 16, 64, 256}, commandTime: 10 * time.Second, rawTime: 3 * time.Second,
		pgTime: 5 * time.Second, readTime: 10 * time.Second, growthReadTime: 30 * time.Second, afterRestart: 10 * time.Second, summaryRate: 1000, personalRate: 500, listRate: 200,
		freshSamples: 500, pushSamples: 30, dashRate: 20, cases: 100_000, growthSizes: []int{10_000, 200_000}}
	quickPlan = benchPlan{name: "quick", clients: []int{1, 16, 64}, commandTime: 3 * time.Second, rawTime: time.Second,
		pgTime: 2 * time.Second, readTime: 3 * time.Second, growthReadTime: 3 * time.Second, afterRestart: 3 * time.Second, summaryRate: 1000, personalRate: 500, listRate: 200,
		freshSamples: 200, pushSamples: 10, dashRate: 20, cases: 2000, growthSizes: []int{1000, 5000}}
	// smokePlan is the test's (--smoke, not in the usage): every section, tiny sizes,
	// low rates, so that CI's race-detector build runs it in well under a minute. Its
	// figures mean nothing.
	smokePlan = benchPlan{name: "smoke", clients: []int{1, 4}, commandTime: 500 * time.Millisecond, rawTime: 300 * time.Millisecond,
		pgTime: time.Second, readTime: time.Second, growthReadTime: time.Second, afterRestart: time.Second, summaryRate: 50, personalRate: 50, listRate: 20,
		freshSamples: 10, pushSamples: 2, dashRate: 5, cases: 40, growthSizes: []int{20, 60}}
)

// benchOptions are the command line, parsed.
type benchOptions struct {
	plan    benchPlan
	growth  bool // cost growth across sizes instead of the figures at one size
	out     string
	dataDir string
	binary  string // the waymark binary the servers run
	command string // the command line, for the report's header
}

func benchCommand(ctx context.Context, args []string, logger *slog.Logger) error {
	o, err := parseBench(args)
	if err != nil {
		return err
	}
	if o.binary, err = os.Executable(); err != nil {
		return fmt.Errorf("bench: find the waymark binary: %w", err)
	}
	report, err := runBench(ctx, o, logger)
	if err != nil {
		return err
	}
	var md strings.Builder
	if err := report.WriteMarkdown(&md); err != nil {
		return err
	}
	fmt.Print(md.String())
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(md.String()), 0o644); err != nil {
			return fmt.Errorf("bench: write the report: %w", err)
		}
	}
	if n := report.Errors(); n > 0 {
		return fmt.Errorf("bench: %d figures could not be measured (the rows marked error)", n)
	}
	return nil
}

func parseBench(args []string) (benchOptions, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "small sizes and short runs (under 2 minutes; CI's size)")
	smoke := fs.Bool("smoke", false, "the test's plan: every section, tiny sizes; its figures mean nothing")
	cases := fs.Int("cases", 0, "cases (of 20 events) for the memory and restart figures (default 100000, that is 2M events; 2000 with --quick)")
	growth := fs.Bool("growth", false, "cost growth instead: disk, rebuild, restart, memory, case(id) and append latency at each of --sizes cases, the smaller size as the baseline, extrapolated to 1,000,000 cases")
	sizes := fs.String("sizes", "", "the sizes --growth compares, `A,B` (default 10000,200000; 1000,5000 with --quick)")
	var o benchOptions
	fs.StringVar(&o.out, "out", "", "also write the report to this file (BENCHMARKS.md is made this way)")
	fs.StringVar(&o.dataDir, "data-dir", "", "scratch directory, new or empty, kept afterwards with the servers' logs (default: a temporary directory, removed afterwards)")
	// No WAYMARK_* variables: WAYMARK_DATA_DIR names a real data directory, never a
	// scratch one.
	rest, err := parseArgs(fs, args, false)
	if err != nil {
		return o, err
	}
	if len(rest) > 0 {
		return o, fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	switch {
	case *quick && *smoke:
		return o, fmt.Errorf("%w: --quick or --smoke, not both", errUsage)
	case *smoke:
		o.plan = smokePlan
	case *quick:
		o.plan = quickPlan
	default:
		o.plan = fullPlan
	}
	if *cases < 0 {
		return o, fmt.Errorf("%w: --cases %d: want 1 or more", errUsage, *cases)
	}
	if *cases > 0 {
		o.plan.cases = *cases
	}
	o.growth = *growth
	if *sizes != "" {
		if !*growth {
			return o, fmt.Errorf("%w: --sizes is --growth's", errUsage)
		}
		s, err := parseSizes(*sizes)
		if err != nil {
			return o, err
		}
		o.plan.growthSizes = s
	}
	o.command = strings.Join(append([]string{"waymark bench"}, args...), " ")
	return o, nil
}

// runBench measures everything and returns the report. A figure that cannot be
// measured is a row marked error and the run goes on; only what leaves nothing to
// measure (no scratch directory) ends it.
func runBench(ctx context.Context, o benchOptions, logger *slog.Logger) (*bench.Report, error) {
	scratch, cleanup, err := benchScratch(o.dataDir)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	started := time.Now().UTC()
	plan := planSummary(o.plan)
	if o.growth {
		plan = growthPlanSummary(o.plan)
	}
	r := &bench.Report{Title: "Waymark benchmarks", Header: [][2]string{
		{"date", started.Format("2006-01-02 15:04 MST")},
		{"machine", bench.Machine()},
		{"versions", fmt.Sprintf("Go %s; nats-server %s (embedded); PostgreSQL: %s", strings.TrimPrefix(runtime.Version(), "go"), bench.NATSServerVersion(), bench.PostgresVersion())},
		{"command", "`" + o.command + "`"},
		{"plan", plan},
	}, Intro: benchIntro}
	run := benchRun{opts: o, plan: o.plan, scratch: scratch, report: r, logger: logger}
	if o.growth {
		r.SetAbout(secGrowth, growthAbout)
		run.growth(ctx)
	} else {
		for _, s := range benchSections {
			r.SetAbout(s.title, s.about)
		}
		run.writes(ctx)
		run.size(ctx) // the reads run on its server, with its cases
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.Header = append(r.Header, [2]string{"took", time.Since(started).Round(time.Second).String()})
	return r, nil
}

// benchRun is one run under way.
type benchRun struct {
	opts    benchOptions
	plan    benchPlan
	scratch string
	report  *bench.Report
	logger  *slog.Logger
}

// dir makes a new directory in the scratch directory.
func (b *benchRun) dir(name string) (string, error) {
	dir := filepath.Join(b.scratch, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	return dir, nil
}

// benchServer is a server and its log file.
type benchServer struct {
	*bench.Server
	log *os.File
}

// Close stops the server, then closes its log.
func (s benchServer) Close() error {
	err := s.Server.Close()
	s.log.Close()
	return err
}

// startServer starts 'waymark serve --demo' on dir and waits until it is ready; its
// log goes to <scratch>/<name>.log. With feed, it publishes the analytics feed and
// serves it to an analyst login (bench.ServerConfig.Feed); without, no feed.
func (b *benchRun) startServer(ctx context.Context, name, dir, sync string, feed bool) (benchServer, error) {
	log, err := os.OpenFile(filepath.Join(b.scratch, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return benchServer{}, fmt.Errorf("bench: server log: %w", err)
	}
	srv, err := bench.StartServer(ctx, bench.ServerConfig{Binary: b.opts.binary, DataDir: dir, Sync: sync, Log: log, Feed: feed})
	if err == nil {
		err = srv.WaitReady(ctx)
		if err != nil {
			srv.Close()
		}
	}
	if err != nil {
		log.Close()
		return benchServer{}, fmt.Errorf("%w (its log: %s)", err, log.Name())
	}
	return benchServer{Server: srv, log: log}, nil
}

// benchScratch returns the scratch directory and what removes it: dir (new or empty,
// kept) or a new temporary one (removed).
func benchScratch(dir string) (string, func(), error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "waymark-bench-")
		if err != nil {
			return "", nil, fmt.Errorf("bench: scratch directory: %w", err)
		}
		return tmp, func() { os.RemoveAll(tmp) }, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("bench: scratch directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", nil, fmt.Errorf("bench: scratch directory: %w", err)
	}
	if len(entries) > 0 {
		return "", nil, fmt.Errorf("%w: --data-dir %s is not empty: the bench writes its data directories there; give a new or empty one", errUsage, dir)
	}
	return dir, func() {}, nil
}

func growthPlanSummary(p benchPlan) string {
	sizes := make([]string, len(p.growthSizes))
	for i, n := range p.growthSizes {
		sizes[i] = bench.Count(n)
	}
	return fmt.Sprintf("%s, growth: %s cases of %d events; case(id) at %s for %s (compared) and %s (without the journey); %d command clients for %s",
		p.name, strings.Join(sizes, " and "), eventsPerCase, bench.Rate(float64(p.summaryRate)), p.growthReadTime, p.readTime, growthClients, p.commandTime)
}

func planSummary(p benchPlan) string {
	return fmt.Sprintf("%s: %v clients, %s per command point, %s per read point, %s cases of %d events for memory and restart",
		p.name, p.clients, p.commandTime, p.readTime, bench.Count(p.cases), eventsPerCase)
}
