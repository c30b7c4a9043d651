// Package metrics owns the server's Prometheus collectors, on a registry of its own
// (never the global default one: two nodes in one process, as in tests, each have
// theirs). The packages that do the work do not import Prometheus: each declares the
// few calls it makes (app.Metrics, api.Metrics, accesslog.Metrics, a function for the
// read models and the analytics feed) and Registry implements them all; node and the
// CLI wire it in. Nil everywhere means no metrics.
//
// No label carries personal data or free text: every label value comes from a closed
// set (command types, outcomes from fixed lists, read-model names, the schema's root
// field names), and children guards each vector against an unbounded one all the same.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry holds Waymark's collectors, Go's and the process's.
type Registry struct {
	reg *prometheus.Registry

	commands        *children[prometheus.Counter]
	appendSeconds   prometheus.Histogram
	appendConflicts prometheus.Counter
	graphql         *children[prometheus.Observer]
	rateLimited     *children[prometheus.Counter]
	accessEntries   *children[prometheus.Counter]
	accessRound     prometheus.Histogram
	accessSeconds   prometheus.Histogram
	webhooks        *children[prometheus.Counter]
	delay           *children[prometheus.Observer]
	behind          *behind
}

// Buckets, in seconds: an append or an access-log round is an fsync (milliseconds); a
// GraphQL request a few; a read model applies an event within milliseconds of its
// append unless it is behind.
var (
	storeBuckets   = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	requestBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	delayBuckets   = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}
	roundBuckets   = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}
)

// New returns a registry with every collector registered.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	commands := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "waymark_commands_total",
		Help: "Commands run, by command type and outcome (ok, conflict, bad_input, rejected, forbidden, not_found, unauthenticated, unavailable, error).",
	}, []string{"type", "outcome"})
	r.appendSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "waymark_append_duration_seconds", Help: "Time to append one command's events to the event store (durable when it returns).",
		Buckets: storeBuckets,
	})
	r.appendConflicts = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "waymark_append_conflicts_total",
		Help: "Appends refused because another writer appended to the stream first (the command is decided again).",
	})
	graphql := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "waymark_graphql_request_duration_seconds",
		Help:    "GraphQL requests over HTTP, by operation type and root field (the schema's name; 'multiple' for several, 'none' before one is known).",
		Buckets: requestBuckets,
	}, []string{"operation_type", "root_field"})
	limited := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "waymark_rate_limited_total", Help: "Requests refused with RATE_LIMITED, by caller: token, anonymous (by address), socket (websocket upgrades by address).",
	}, []string{"caller"})
	entries := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "waymark_access_log_entries_total", Help: "Access-log entries written, by outcome: stored (durable) or failed (the read they were for failed).",
	}, []string{"outcome"})
	r.accessRound = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "waymark_access_log_round_entries", Help: "Entries per access-log write round (the group commit of concurrent reads).",
		Buckets: roundBuckets,
	})
	r.accessSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "waymark_access_log_round_duration_seconds", Help: "Time to store one access-log round durably.",
		Buckets: storeBuckets,
	})
	hooks := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "waymark_webhook_deliveries_total",
		Help: "Webhook delivery records, by outcome (delivered, retry, dead_lettered, dropped, abandoned).",
	}, []string{"outcome"})
	delay := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "waymark_read_model_delay_seconds",
		Help:    "Time from an event's recording to its application by a read model (projections: once caught up; analytics_feed: published).",
		Buckets: delayBuckets,
	}, []string{"read_model"})
	r.behind = newBehind()
	r.reg.MustRegister(commands, r.appendSeconds, r.appendConflicts, graphql, limited, entries, r.accessRound, r.accessSeconds, hooks, delay, r.behind)

	r.commands = newChildren(200, func(l [2]string) prometheus.Counter { return commands.WithLabelValues(l[0], l[1]) })
	r.graphql = newChildren(500, func(l [2]string) prometheus.Observer { return graphql.WithLabelValues(l[0], l[1]) })
	r.rateLimited = newChildren(10, func(l [2]string) prometheus.Counter { return limited.WithLabelValues(l[0]) })
	r.accessEntries = newChildren(10, func(l [2]string) prometheus.Counter { return entries.WithLabelValues(l[0]) })
	r.webhooks = newChildren(20, func(l [2]string) prometheus.Counter { return hooks.WithLabelValues(l[0]) })
	r.delay = newChildren(20, func(l [2]string) prometheus.Observer { return delay.WithLabelValues(l[0]) })
	// Zeros from the start for what is alerted on: a rate needs a series before its
	// first event.
	for _, caller := range []string{"token", "anonymous", "socket"} {
		r.rateLimited.get(caller, "")
	}
	for _, outcome := range []string{"stored", "failed"} {
		r.accessEntries.get(outcome, "")
	}
	return r
}

// Command counts a command that ended with outcome (app.Metrics).
func (r *Registry) Command(cmdType, outcome string) { r.commands.get(cmdType, outcome).Inc() }

// Appended records how long one append took (app.Metrics).
func (r *Registry) Appended(took time.Duration) { r.appendSeconds.Observe(took.Seconds()) }

// AppendConflict counts an append another writer got in before (app.Metrics).
func (r *Registry) AppendConflict() { r.appendConflicts.Inc() }

// GraphQL records one GraphQL request over HTTP (api.Metrics).
func (r *Registry) GraphQL(operationType, rootField string, took time.Duration) {
	r.graphql.get(operationType, rootField).Observe(took.Seconds())
}

// RateLimited counts a request refused for its rate (api.Metrics).
func (r *Registry) RateLimited(caller string) { r.rateLimited.get(caller, "").Inc() }

// AccessLogRound records one access-log round: entries written, how many failed, and
// how long it took (accesslog.Metrics).
func (r *Registry) AccessLogRound(entries, failed int, took time.Duration) {
	r.accessEntries.get("stored", "").Add(float64(entries - failed))
	if failed > 0 {
		r.accessEntries.get("failed", "").Add(float64(failed))
	}
	r.accessRound.Observe(float64(entries))
	r.accessSeconds.Observe(took.Seconds())
}

// WebhookDelivery counts one record of the webhook delivery log by its outcome.
func (r *Registry) WebhookDelivery(outcome string) { r.webhooks.get(outcome, "").Inc() }

// ReadModelApplied returns what a read model calls with the recorded-at time of each
// event it applied: the delay is measured from then to now.
func (r *Registry) ReadModelApplied(name string) func(recordedAt time.Time) {
	obs := r.delay.get(name, "")
	return func(recordedAt time.Time) { obs.Observe(max(0, time.Since(recordedAt).Seconds())) }
}
