package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/waymark-org/waymark/eventstore"
)

// headTimeout bounds the store read a scrape makes per read model.
const headTimeout = 2 * time.Second

// behind reports, at every scrape, how far each read model is behind the head of the
// store's log. Positions are opaque, but their major part grows with the log in every
// backend (projections.Progress relies on the same): on JetStream it counts stored
// appends, one per command however many events it recorded. So the gauge is
// "appends not yet applied", and 0 means caught up.
type behind struct {
	desc    *prometheus.Desc
	mu      sync.Mutex
	sources map[string]readModel
}

type readModel struct {
	head     func(context.Context) (eventstore.Position, error)
	position func() eventstore.Position
}

func newBehind() *behind {
	return &behind{
		desc: prometheus.NewDesc("waymark_read_model_behind",
			"Appends in the log that the read model has not applied yet (0: caught up with the store's head).",
			[]string{"read_model"}, nil),
		sources: map[string]readModel{},
	}
}

// TrackReadModel has every scrape report how far the read model name (a fixed name,
// such as "projections" or "analytics_feed") is behind head: position returns the
// last position it applied. A second call with the same name replaces the first (a
// node started again in the same process).
func (r *Registry) TrackReadModel(name string, head func(context.Context) (eventstore.Position, error), position func() eventstore.Position) {
	r.behind.mu.Lock()
	defer r.behind.mu.Unlock()
	r.behind.sources[name] = readModel{head: head, position: position}
}

func (b *behind) Describe(ch chan<- *prometheus.Desc) { ch <- b.desc }

// Collect reads each head and position now. A head that cannot be read (the store
// closing) leaves the read model out of this scrape rather than fail it.
func (b *behind) Collect(ch chan<- prometheus.Metric) {
	b.mu.Lock()
	sources := make(map[string]readModel, len(b.sources))
	for name, s := range b.sources {
		sources[name] = s
	}
	b.mu.Unlock()
	for name, s := range sources {
		ctx, cancel := context.WithTimeout(context.Background(), headTimeout)
		head, err := s.head(ctx)
		cancel()
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(b.desc, prometheus.GaugeValue, float64(appendsBetween(s.position(), head)), name)
	}
}

// appendsBetween is how many appends lie after applied up to head (0 when applied is
// not before head).
func appendsBetween(applied, head eventstore.Position) uint64 {
	if !applied.Before(head) {
		return 0
	}
	a, _ := applied.Parts()
	h, _ := head.Parts()
	if h <= a {
		return 1 // the same append, not all of its events applied
	}
	return h - a
}
