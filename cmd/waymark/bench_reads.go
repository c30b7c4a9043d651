package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/waymark-org/waymark/bench"
)

// The reads, as a caseworker's screens ask for them.
const (
	// The case page's summary: the SUMMARY group, the journey included.
	readSummary = `query($id: ID!) { case(id: $id) { id version stage status jurisdiction referredAt updatedAt
		owningOrganisation { id name } journey { type at stage version } } }`
	// The summary without the journey: beside it, what the journey's list costs.
	// gqlgen marshals each element of a list of objects on a goroutine of its own and
	// each field through a context of its own; the journey's steps were most of the
	// summary's server time (BenchmarkCaseSummaryRead).
	readSummaryNoJourney = `query($id: ID!) { case(id: $id) { id version stage status jurisdiction referredAt updatedAt
		owningOrganisation { id name } } }`
	// The same with her identity and the notes: personal data, decrypted and recorded
	// in the access log first.
	readPersonal = `query($id: ID!) { case(id: $id) { id version stage status referredAt
		identity { fullName dateOfBirth aliases phone email } notes { id text at authorOrganisation } } }`
	// A caseworker's list: the shelter's open cases at referral, a page of 20.
	// The coalition dashboard as its page asks for it: a year of the jurisdiction.
	readDashboard = `query($f: DashboardFilter!) { dashboard(filter: $f) { months periods minCell currentMonth position
		funnel { figure months { value suppressed provisional } periods { value suppressed provisional } }
		figures { figure name code months { value suppressed provisional } periods { value suppressed provisional } }
		durations { kind from to period cases { value suppressed provisional } medianDays p90Days }
		openCases { band count { value suppressed provisional } } stalledCases { value suppressed provisional } } }`
	readList = `query($org: ID!) { cases(filter: {organisationId: $org, status: OPEN, stage: REFERRAL, jurisdiction: "MX"}, first: 20) {
		totalCount edges { node { id stage status referredAt updatedAt } } } }`
)

// readFigure is one read at a fixed rate and the p99 it is held to (0: none).
type readFigure struct {
	name       string
	query      string
	perCase    bool           // one request per case id, in turn; else the same request each time
	vars       map[string]any // the request's variables, unless perCase
	rootField  string         // the query's root field, as the server's histogram names it
	rate       int
	target     time.Duration
	targetRate int // the rate the target is set at: judged only there
}

// reads measures the read figures on srv, whose cases are benchOrganisation's.
func (b *benchRun) reads(ctx context.Context, srv benchServer, token string) {
	figures := []readFigure{
		{"case(id) summary", readSummary, true, nil, "case", b.plan.summaryRate, 5 * time.Millisecond, 1000},
		{"case(id) summary without the journey", readSummaryNoJourney, true, nil, "case", b.plan.summaryRate, 0, 0},
		{"case(id) with identity and notes", readPersonal, true, nil, "case", b.plan.personalRate, 10 * time.Millisecond, 500},
		{"cases(filter), a page of 20", readList, false, map[string]any{"org": benchOrganisation}, "cases", b.plan.listRate, 0, 0},
		{"dashboard, a year of the jurisdiction", readDashboard, false, dashboardYear(time.Now()), "dashboard", b.plan.dashRate, 0, 0},
	}
	ids, err := bench.CaseIDs(ctx, srv.URL, token, benchOrganisation, 1000)
	if err == nil && len(ids) == 0 {
		err = fmt.Errorf("no cases to read")
	}
	if err == nil {
		b.report.Add(secReads, b.afterRestartRow(ctx, srv, token, ids))
	}
	for _, f := range figures {
		figure := fmt.Sprintf("%s at %s: p99", f.name, bench.Rate(float64(f.rate)))
		if err != nil {
			b.report.Add(secReads, bench.ErrorRow(figure, err))
			continue
		}
		b.logger.Info("bench: reads", "read", f.name, "rate", f.rate)
		b.report.Add(secReads, b.read(ctx, srv, token, ids, f, figure))
	}
}

// afterRestartRow is case(id) summary at the summary rate right after the server
// restarted, before any other read: what a caseworker meets in the first seconds of a
// server, with start-up's garbage still to collect and the first collections under
// load (on a large heap, one holds requests for a few hundred milliseconds). It is
// its own row, judged against no target, so that the read figures after it are the
// server in service, and this transient is not hidden either.
func (b *benchRun) afterRestartRow(ctx context.Context, srv benchServer, token string, ids []string) bench.Row {
	figure := fmt.Sprintf("case(id) summary at %s, the first %s after restart: p99", bench.Rate(float64(b.plan.summaryRate)), b.plan.afterRestart)
	targets, err := summaryTargets(srv.URL, token, ids)
	if err != nil {
		return bench.ErrorRow(figure, err)
	}
	res, err := b.readAfterRestart(ctx, targets)
	if err != nil {
		return bench.ErrorRow(figure, err)
	}
	return bench.Row{Figure: figure, Waymark: latencies(res)}
}

// readAfterRestart runs case(id) summary targets for the plan's afterRestart.
func (b *benchRun) readAfterRestart(ctx context.Context, targets []bench.Target) (bench.LoadResult, error) {
	return bench.RunOpenLoop(ctx, bench.OpenLoop{Targets: targets, Rate: b.plan.summaryRate, Duration: b.plan.afterRestart})
}

// summaryTargets are case(id) summary requests, one a case of ids.
func summaryTargets(url, token string, ids []string) ([]bench.Target, error) {
	if len(ids) == 0 {
		return nil, errors.New("no cases to read")
	}
	return bench.GraphQLTargets(url, token, readSummary, caseVars(ids))
}

// caseVars are the variables of one read a case: {"id": …}.
func caseVars(ids []string) []map[string]any {
	vars := make([]map[string]any, len(ids))
	for i, id := range ids {
		vars[i] = map[string]any{"id": id}
	}
	return vars
}

// dashboardYear is the dashboard filter of the twelve months up to now's.
func dashboardYear(now time.Time) map[string]any {
	now = now.UTC()
	return map[string]any{"f": map[string]any{"jurisdiction": benchJurisdiction,
		"fromMonth": now.AddDate(0, -11, -now.Day()+1).Format("2006-01"), "toMonth": now.Format("2006-01")}}
}

func (b *benchRun) read(ctx context.Context, srv benchServer, token string, ids []string, f readFigure, figure string) bench.Row {
	vars := []map[string]any{f.vars}
	if f.perCase {
		vars = caseVars(ids)
	}
	targets, err := bench.GraphQLTargets(srv.URL, token, f.query, vars)
	if err != nil {
		return bench.ErrorRow(figure, err)
	}
	// A warm-up at the rate, not counted: the first requests after a restart pay for
	// connections and the collection of what the replay left behind, once.
	warmup := max(200*time.Millisecond, b.plan.readTime/5)
	if _, err := bench.RunOpenLoop(ctx, bench.OpenLoop{Targets: targets, Rate: f.rate, Duration: warmup}); err != nil {
		return bench.ErrorRow(figure, err)
	}
	healthz := strings.TrimSuffix(srv.URL, "/graphql") + "/healthz"
	base, baseErr := bench.RunOpenLoop(ctx, bench.OpenLoop{Targets: []bench.Target{bench.GetTarget(healthz)}, Rate: f.rate, Duration: b.plan.readTime})
	res, own, err := timedByServer(ctx, srv, f.rootField, bench.OpenLoop{Targets: targets, Rate: f.rate, Duration: b.plan.readTime})
	if err != nil {
		return bench.ErrorRow(figure, err)
	}
	p99 := bench.Percentile(res.Latencies, 99)
	row := bench.Row{Figure: figure, Waymark: latencies(res) + "; " + ownP99(own)}
	if f.target > 0 {
		row.Target = "< " + bench.Millis(f.target)
		switch {
		case f.rate != f.targetRate:
			row.Met = fmt.Sprintf("n/a (set at %s)", bench.Rate(float64(f.targetRate)))
		default:
			row.Met = bench.Verdict(p99 < f.target && res.Errors == 0)
		}
	}
	switch {
	case baseErr != nil:
		row.Baseline, row.Met = "error: "+baseErr.Error(), bench.Failed
	default:
		row.Baseline = "/healthz " + latencies(base)
		row.Ratio = bench.Ratio(float64(p99), float64(bench.Percentile(base.Latencies, 99)))
	}
	// Errors are figures too (a server past its capacity times out): counted in the
	// cell, and a target is not met with any. Only a read that never succeeded
	// measured nothing.
	if res.Errors == res.Requests || base.Errors == base.Requests {
		row.Met = bench.Failed
	}
	return row
}

// serverTime is what a server's own figures held over a load (the requests it timed,
// the garbage collections it ran), or why they could not be read.
type serverTime struct {
	bench.ServerReading
	err error
}

// timedByServer runs load against srv and reads, around it, the server's histogram of
// its queries to rootField: what the server itself took, beside what the client saw.
// The two part on this machine, where the client shares the cores with the server.
func timedByServer(ctx context.Context, srv benchServer, rootField string, load bench.OpenLoop) (bench.LoadResult, serverTime, error) {
	before, beforeErr := srv.Read(ctx, "query", rootField)
	res, err := bench.RunOpenLoop(ctx, load)
	if err != nil {
		return res, serverTime{}, err
	}
	after, afterErr := srv.Read(ctx, "query", rootField)
	return res, serverTime{ServerReading: after.Since(before), err: errors.Join(beforeErr, afterErr)}, nil
}

// ownP99 is a server's own p99 as its histogram bounds it, beside a client's
// figure, and how many collections the window held: "the server's own p99
// ≤ 2.50 ms; 4 garbage collections in the window".
func ownP99(t serverTime) string {
	s := "the server's own p99 " + ownBound(t)
	switch {
	case t.err != nil:
		return s // ownBound said why
	case t.Collections == 1:
		return s + "; 1 garbage collection in the window"
	}
	return s + fmt.Sprintf("; %s garbage collections in the window", bench.Count(int(t.Collections)))
}

// ownBound is the bucket a server's own p99 lies under ("≤ 2.50 ms"; a histogram
// knows no finer), or why there is none.
func ownBound(t serverTime) string {
	p99, ok := t.Requests.Quantile(0.99)
	switch {
	case t.err != nil:
		return "unread (error: " + t.err.Error() + ")"
	case t.Requests.Count() == 0:
		return "unread (no request timed)"
	case !ok:
		return "past its histogram's last bound"
	}
	return "≤ " + bench.Millis(p99)
}

// latencies is an open loop's figures: "1.23 ms (p50 0.45 ms, max 9.87 ms; 3,000 at
// 998/s)", and its errors.
func latencies(r bench.LoadResult) string {
	s := fmt.Sprintf("%s (p50 %s, max %s; %s at %s)", bench.Millis(bench.Percentile(r.Latencies, 99)),
		bench.Millis(bench.Percentile(r.Latencies, 50)), bench.Millis(bench.Percentile(r.Latencies, 100)),
		bench.Count(r.Requests), bench.Rate(r.PerSecond()))
	if r.Errors > 0 {
		s += fmt.Sprintf("; %s errors, the first: %s", bench.Count(r.Errors), r.FirstError)
	}
	return s
}

// freshnessRows adds the freshness figures.
func (b *benchRun) freshnessRows(res bench.FreshnessResult, err error) {
	b.percentileRows("command → read model (case(id) with minPosition)", err, res.Fresh, res.Read, "the read, nothing to wait for")
	// The feed against the read model: both wait for the same write to be applied
	// after its durable answer; the feed also publishes it, acknowledged, and the
	// analyst's connection delivers it.
	feedErr := err
	switch {
	case feedErr != nil:
	case res.FeedErr != nil:
		feedErr = res.FeedErr
	case len(res.Feed) == 0:
		feedErr = errors.New("no sample: the first does not count, and there was no other")
	}
	b.percentileRows("command → NATS de-identified feed (an analyst's subscription)", feedErr, res.Feed, res.FeedFresh,
		"command → read model, the same commands")
}

// percentileRows adds figure's p50 and p99 rows: samples next to the baseline's, or
// err in both.
func (b *benchRun) percentileRows(figure string, err error, samples, baseline []time.Duration, baselineName string) {
	for _, p := range []float64{50, 99} {
		name := fmt.Sprintf("%s, p%.0f", figure, p)
		if err != nil {
			b.report.Add(secFresh, bench.ErrorRow(name, err))
			continue
		}
		got, base := bench.Percentile(samples, p), bench.Percentile(baseline, p)
		b.report.Add(secFresh, bench.Row{Figure: name,
			Waymark:  fmt.Sprintf("%s (%d samples)", bench.Millis(got), len(samples)),
			Baseline: fmt.Sprintf("%s (%s)", bench.Millis(base), baselineName),
			Ratio:    bench.Ratio(float64(got), float64(base))})
	}
}
