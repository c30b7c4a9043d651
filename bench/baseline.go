package bench

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Baseline is the PostgreSQL events table measured once per client count and
// remembered, so that every figure of one benchmark run is compared with the same
// baseline measured in that run.
type Baseline struct {
	pg      *Postgres
	runTime time.Duration

	mu    sync.Mutex
	rates map[int]float64
}

// StartBaseline finds and starts PostgreSQL. Each client count is measured for
// runTime the first time it is asked for.
func StartBaseline(ctx context.Context, runTime time.Duration) (*Baseline, error) {
	bin, err := FindPostgres()
	if err != nil {
		return nil, err
	}
	pg, err := StartPostgres(ctx, bin)
	if err != nil {
		return nil, err
	}
	return &Baseline{pg: pg, runTime: runTime, rates: map[int]float64{}}, nil
}

// Rate is the baseline's appends per second with this many clients.
func (b *Baseline) Rate(ctx context.Context, clients int) (float64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := b.rates[clients]; ok {
		return r, nil
	}
	r, err := b.pg.Append(ctx, clients, b.runTime)
	if err != nil {
		return 0, fmt.Errorf("postgres baseline with %d clients: %w", clients, err)
	}
	b.rates[clients] = r.PerSecond
	return r.PerSecond, nil
}

// Close stops PostgreSQL and removes its data.
func (b *Baseline) Close() { b.pg.Close() }
