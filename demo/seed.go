package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// Journeys is how many synthetic survivor journeys Seed creates.
const Journeys = 100

// Summary says what Seed wrote.
type Summary struct {
	Organisations int
	Cases         int
	ByStage       map[domain.Stage]int
	Closed        int
}

// Deps are what Seed writes through.
type Deps struct {
	Store   eventstore.Store
	Vault   *sealing.Vault
	HashKey []byte
	Logger  *slog.Logger
}

// Seed registers the demo coalition and walks Journeys synthetic survivors to varied
// stages, through the application layer's commands (so personal data is sealed like
// any other). The journeys are spread over the 180 days before now, on a simulated
// clock, and are the same on every run.
func Seed(ctx context.Context, deps Deps, now time.Time) (Summary, error) {
	clock := app.NewFixedClock(now.Add(-180 * 24 * time.Hour))
	logger := deps.Logger
	if logger == nil {
		logger = slog.Default()
	}
	svc, err := app.New(app.Config{Store: deps.Store, Vault: deps.Vault, Clock: clock, Logger: logger, HashKey: deps.HashKey})
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{ByStage: map[domain.Stage]int{}}
	admin := app.Actor{ID: "demo-admin", Role: app.RoleAdmin, Organisation: "coalition"}
	for _, o := range Coalition() {
		_, err := svc.RegisterOrganisation(ctx, admin, "demo-org-"+o.ID, o.ID, domain.RegisterOrganisation{
			Name: o.Name, Kind: o.Kind, Jurisdiction: o.Jurisdiction, Services: o.Services,
		})
		if err != nil {
			return sum, fmt.Errorf("seed organisation %s: %w", o.ID, err)
		}
		sum.Organisations++
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	for i := range Journeys {
		clock.Advance(time.Duration(30+rng.IntN(120)) * time.Hour / 2)
		w := walker{svc: svc, clock: clock, rng: rng, n: i}
		if err := w.walk(ctx); err != nil {
			return sum, fmt.Errorf("seed journey %d: %w", i, err)
		}
		sum.Cases++
		sum.ByStage[w.stage]++
		if w.closed {
			sum.Closed++
		}
	}
	logger.Info("demo data seeded", "organisations", sum.Organisations, "cases", sum.Cases, "closed", sum.Closed)
	return sum, nil
}
