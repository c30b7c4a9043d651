package demo

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// Journeys is how many synthetic survivor journeys Seed creates.
const Journeys = 300

// window is how long before now the pilot started: the first referral is about this
// old, and referrals grow more frequent as the pilot scales up.
const window = 540 * 24 * time.Hour

// Summary says what Seed wrote. Most counts are read back from the cases at the end.
type Summary struct {
	Organisations int
	Cases         int
	ByStage       map[domain.Stage]int // cases by the furthest stage reached by now
	Closed        int                  // cases closed now
	Reopened      int                  // reopenings (a case may be closed again later)
	Commands      int                  // commands run, referrals included

	Barriers         map[domain.Barrier]int // cases on which each barrier was recorded, at referral or later
	BarriersResolved map[domain.Barrier]int // cases on which it no longer holds

	ContactRules         int // cases with safe-contact rules
	ShownToBanks         int // cases shown to at least one bank
	Offers               int // bank offers made
	ChosenOffers         int // cases whose survivor has chosen an offer
	DeclinedAllOffers    int // times a survivor declined every offer (some chose one later)
	PacksAccepted        int // due-diligence packs accepted in place of ID
	PacksRejected        int
	AccountsOpened       int
	SafeguardingConcerns int // concerns raised
	ConcernsResolved     int
	ConsentsWithdrawn    int // consent grants withdrawn
	CreditReports        int
	Disputes             int // block/dispute requests, all listing their items
	DisputeItems         int // items listed in them
	ItemsBlocked         int // items blocked by now
	ResubmittedDisputes  int // disputes whose refused items were sent again

	Transferred         int // cases that moved to another organisation (transfers.go)
	TransfersPending    int // cases whose transfer waits for the recipient's answer
	TransferredAccounts int // accounts opened after the case moved to another country

	SurveyAnswers int // the pilot's answers to this year's baseline survey (survey.go)
}

func newSummary() Summary {
	return Summary{ByStage: map[domain.Stage]int{}, Barriers: map[domain.Barrier]int{}, BarriersResolved: map[domain.Barrier]int{}}
}

// Deps are what Seed writes through.
type Deps struct {
	Store   eventstore.Store
	Vault   *sealing.Vault
	HashKey []byte
	Logger  *slog.Logger
	// Progress, when set, is told how many of the journeys' commands have run: once
	// before the first, then every twentieth of them, and after the last.
	Progress func(done, total int)
}

// Seed registers the demo coalition and walks Journeys synthetic survivors through
// the application layer's commands (so personal data is sealed like any other), each
// by the actor the access rules expect: the owning organisation's caseworker, the
// bank, the bureau. Referrals are spread over the 540 days before now; each journey
// moves on with realistic waits and is caught wherever it has got to by now. All
// commands run in time order on a simulated clock, and the journeys are the same on
// every run. Seed wants an empty store.
func Seed(ctx context.Context, deps Deps, now time.Time) (Summary, error) {
	now = now.UTC()
	start := now.Add(-window)
	clock := app.NewFixedClock(start.AddDate(0, 0, -7))
	logger := deps.Logger
	if logger == nil {
		logger = slog.Default()
	}
	svc, err := app.New(app.Config{Store: deps.Store, Vault: deps.Vault, Clock: clock, Logger: logger, HashKey: deps.HashKey})
	if err != nil {
		return Summary{}, err
	}
	sum := newSummary()
	admin := app.Actor{ID: "demo-user-admin", Role: app.RoleAdmin}
	for _, o := range Coalition() {
		_, err := svc.RegisterOrganisation(ctx, admin, "demo-org-"+o.ID, o.ID, domain.RegisterOrganisation{
			Name: o.Name, Kind: o.Kind, Jurisdiction: o.Jurisdiction, Services: o.Services, Programmes: o.Programmes,
		})
		if err != nil {
			return sum, fmt.Errorf("seed organisation %s: %w", o.ID, err)
		}
		sum.Organisations++
	}

	walkers, steps := plan(now, start, svc, &sum)
	progress := deps.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	progress(0, len(steps))
	every := max(1, len(steps)/20)
	for i, s := range steps {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		if d := s.at.Sub(clock.Now()); d > 0 {
			clock.Advance(d)
		}
		if err := s.run(ctx); err != nil {
			return sum, fmt.Errorf("seed journey %d at %s: %w", s.n, s.at.Format(time.DateTime), err)
		}
		if done := i + 1; done%every == 0 || done == len(steps) {
			progress(done, len(steps))
		}
	}
	// This year's survey round, answered as the journeys stand now (after them, so
	// the clock only moves forward).
	if sum.SurveyAnswers, err = seedSurvey(ctx, svc, now.Year()); err != nil {
		return sum, err
	}
	sum.Commands += sum.SurveyAnswers
	for _, w := range walkers {
		c, err := w.load(ctx)
		if err != nil {
			return sum, fmt.Errorf("read back journey %d: %w", w.n, err)
		}
		sum.add(c)
	}
	logger.Info("demo data seeded", "organisations", sum.Organisations, "cases", sum.Cases, "closed", sum.Closed,
		"commands", sum.Commands, "accountsOpened", sum.AccountsOpened, "disputes", sum.Disputes, "surveyAnswers", sum.SurveyAnswers)
	return sum, nil
}

// plan draws every journey and returns the steps of all of them in time order.
func plan(now, start time.Time, svc *app.Service, sum *Summary) ([]*walker, []step) {
	rng := rand.New(rand.NewPCG(2026, 11))
	starts := make([]time.Time, Journeys)
	for i := range starts {
		// Denser towards now: the pilot scaled up.
		starts[i] = start.Add(time.Duration(math.Sqrt(rng.Float64()) * float64(window)))
	}
	slices.SortFunc(starts, time.Time.Compare)
	total := 0
	for _, r := range referrers {
		total += r.weight
	}
	coalition := Coalition()
	walkers := make([]*walker, Journeys)
	var steps []step
	for i := range walkers {
		pick, orgID := rng.IntN(total), ""
		for _, r := range referrers {
			if pick -= r.weight; pick < 0 {
				orgID = r.org
				break
			}
		}
		orgIndex := slices.IndexFunc(coalition, func(o Organisation) bool { return o.ID == orgID })
		w := &walker{n: i, rng: rng, end: now, at: starts[i], last: starts[i], org: coalition[orgIndex], staff: staffFor(orgIndex),
			worker: app.Actor{ID: fmt.Sprintf("demo-caseworker-%d-%s", 1+rng.IntN(2), orgID), Role: app.RoleCaseworker, Organisation: orgID},
			svc:    svc, tally: sum}
		w.plan()
		walkers[i] = w
		steps = append(steps, w.steps...)
	}
	slices.SortFunc(steps, func(a, b step) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.n, b.n), cmp.Compare(a.seq, b.seq))
	})
	return walkers, steps
}

// add counts one case as it stands now.
func (s *Summary) add(c domain.Case) {
	s.Cases++
	s.ByStage[c.Stage]++
	if c.Status == domain.StatusClosed {
		s.Closed++
	}
	for _, span := range c.BarrierHistory {
		s.Barriers[span.Of]++
		if !span.ResolvedAt.IsZero() {
			s.BarriersResolved[span.Of]++
		}
	}
	if c.ContactRules != nil {
		s.ContactRules++
	}
	if len(c.BankReferrals) > 0 {
		s.ShownToBanks++
	}
	s.Offers += len(c.Offers)
	if c.ChosenOffer != "" {
		s.ChosenOffers++
	}
	for _, p := range c.Packs {
		switch p.Decision {
		case domain.PackAccepted:
			s.PacksAccepted++
		case domain.PackRejected:
			s.PacksRejected++
		}
	}
	for _, a := range c.Applications {
		if a.Status == domain.ApplicationOpened {
			s.AccountsOpened++
		}
	}
	for _, k := range c.Concerns {
		s.SafeguardingConcerns++
		if k.Status == domain.ConcernResolved {
			s.ConcernsResolved++
		}
	}
	for _, g := range c.Grants {
		if g.Withdrawn {
			s.ConsentsWithdrawn++
		}
	}
	s.CreditReports += len(c.CreditReports)
	for _, d := range c.Disputes {
		s.Disputes++
		s.DisputeItems += len(d.Items)
		for _, it := range d.Items {
			if it.Outcome == domain.ItemBlocked {
				s.ItemsBlocked++
			}
		}
		if d.Resubmissions > 0 {
			s.ResubmittedDisputes++
		}
	}
	s.addTransfers(c)
}
