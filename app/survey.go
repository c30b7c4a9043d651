package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// The baseline survey of service organisations: an organisation's staff (or an admin)
// records its answers, and the dashboard shows a jurisdiction's latest round beside
// the journey figures. Answers are facts about organisations, not about survivors, so
// they are published exactly, without the suppression the case figures need.

// AnswerBaselineSurvey records organisation id's answer to a round of the baseline
// survey: its own caseworkers answer, or an admin does for it.
func (s *Service) AnswerBaselineSurvey(ctx context.Context, actor Actor, commandID, id string, cmd domain.AnswerBaselineSurvey) (_ Result, err error) {
	defer s.counted(cmd.CommandType(), &err)
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionAnswerSurvey, Target: id, Now: s.Now()}).Err(); err != nil {
		return Result{}, err
	}
	return s.organisationCommand(ctx, actor, commandID, id, cmd)
}

// OrganisationSurvey returns an organisation's answers, the latest of each round, by
// round. Every caller who may read the directory may read them.
func (s *Service) OrganisationSurvey(ctx context.Context, actor Actor, id string) ([]SurveyAnswer, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadDirectory, Now: s.Now()}).Err(); err != nil {
		return nil, err
	}
	o, ok := s.orgs.Get(id)
	if !ok {
		return nil, fmt.Errorf("organisation %q: %w", id, ErrNotFound)
	}
	return surveyAnswersOf(o.Survey), nil
}

// SurveyAnswer is an organisation's answer to one round: the latest it gave.
type SurveyAnswer struct {
	Round            int
	Services         []domain.Service
	Capacity         int
	SurvivorsPerYear int
	Barriers         []domain.Barrier
	Needs            []domain.SurveyNeed
	AnsweredAt       time.Time
}

func surveyAnswersOf(rounds []domain.BaselineSurveyAnswered) []SurveyAnswer {
	out := make([]SurveyAnswer, len(rounds))
	for i, r := range rounds {
		out[i] = SurveyAnswer{Round: r.Round, Services: nonNilList(r.Services), Capacity: r.Capacity, SurvivorsPerYear: r.SurvivorsPerYear,
			Barriers: nonNilList(r.Barriers), Needs: nonNilList(r.Needs), AnsweredAt: r.At}
	}
	return out
}

func nonNilList[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// SurveySummary is a jurisdiction's (or one organisation's) answers to one round of
// the baseline survey, added up. Every count is exact.
type SurveySummary struct {
	// Round is the round summarised; 0 when no organisation in scope answered one.
	Round int
	// OrganisationsAnswered of Organisations: the organisations in scope that answered
	// the round, of those that support survivors (active now, or answered it).
	OrganisationsAnswered int
	Organisations         int
	Services              []ServiceCount // every service, in the domain's order
	Capacity              int            // places, summed
	SurvivorsPerYear      int            // summed
	Barriers              []BarrierCount // every barrier, in the domain's order
	Needs                 []SurveyNeedCount
}

// ServiceCount: how many organisations offer a service.
type ServiceCount struct {
	Service       domain.Service
	Organisations int
}

// BarrierCount: how many organisations see a barrier.
type BarrierCount struct {
	Barrier       domain.Barrier
	Organisations int
}

// SurveyNeedCount: how many organisations name a need.
type SurveyNeedCount struct {
	Need          domain.SurveyNeed
	Organisations int
}

// DashboardSurvey summarises the baseline survey for a dashboard: jurisdiction's
// organisations (or organisationID alone, when given), the latest round up to the
// year of the dashboard's last month (YYYY-MM). Whoever reads the dashboard reads it
// (each organisation's answers are in the directory for every caller anyway).
func (s *Service) DashboardSurvey(ctx context.Context, actor Actor, jurisdiction, organisationID string, months []string) (SurveySummary, error) {
	if err := access.Authorize(access.Request{Actor: actor, Action: access.ActionReadDashboard, Now: s.Now()}).Err(); err != nil {
		return SurveySummary{}, err
	}
	if len(months) == 0 {
		return SurveySummary{}, fmt.Errorf("dashboard survey: no months: %w", ErrBadInput)
	}
	last := months[len(months)-1]
	year, err := monthYear(last)
	if err != nil {
		return SurveySummary{}, fmt.Errorf("dashboard survey: month %q: %w", last, err)
	}
	return SummariseSurvey(s.orgs.List(jurisdiction, ""), organisationID, year), nil
}

// monthYear reads the year of a YYYY-MM month.
func monthYear(month string) (int, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return 0, fmt.Errorf("not a YYYY-MM month: %w", ErrBadInput)
	}
	return t.Year(), nil
}

// SummariseSurvey adds up the baseline survey over orgs (one jurisdiction's
// directory), or over organisationID alone when it is not "": the latest round up to
// lastYear that an organisation in scope answered, and each organisation's latest
// answer to it. An organisation that did not answer that round counts only in
// Organisations. It is pure: the dashboard's resolver and tests call it alike.
func SummariseSurvey(orgs []*projections.OrganisationView, organisationID string, lastYear int) SurveySummary {
	var scope []*projections.OrganisationView
	for _, o := range orgs {
		if o.Kind.SupportsSurvivors() && (organisationID == "" || o.ID == organisationID) {
			scope = append(scope, o)
		}
	}
	sum := SurveySummary{}
	for _, o := range scope {
		if a, ok := latestRoundUpTo(o.Survey, lastYear); ok && a.Round > sum.Round {
			sum.Round = a.Round
		}
	}
	services, barriers, needs := map[domain.Service]int{}, map[domain.Barrier]int{}, map[domain.SurveyNeed]int{}
	for _, o := range scope {
		a, answered := answerTo(o.Survey, sum.Round)
		if !answered && !o.Active {
			continue // left the coalition before answering: not among those asked
		}
		sum.Organisations++
		if !answered {
			continue
		}
		sum.OrganisationsAnswered++
		sum.Capacity += a.Capacity
		sum.SurvivorsPerYear += a.SurvivorsPerYear
		for _, x := range a.Services {
			services[x]++
		}
		for _, x := range a.Barriers {
			barriers[x]++
		}
		for _, x := range a.Needs {
			needs[x]++
		}
	}
	for _, x := range domain.AllService() {
		sum.Services = append(sum.Services, ServiceCount{Service: x, Organisations: services[x]})
	}
	for _, x := range domain.AllBarrier() {
		sum.Barriers = append(sum.Barriers, BarrierCount{Barrier: x, Organisations: barriers[x]})
	}
	for _, x := range domain.AllSurveyNeed() {
		sum.Needs = append(sum.Needs, SurveyNeedCount{Need: x, Organisations: needs[x]})
	}
	return sum
}

// latestRoundUpTo returns the latest answer to a round no later than year; rounds are
// sorted by round (projections keep them so).
func latestRoundUpTo(rounds []domain.BaselineSurveyAnswered, year int) (domain.BaselineSurveyAnswered, bool) {
	for i := len(rounds) - 1; i >= 0; i-- {
		if rounds[i].Round <= year {
			return rounds[i], true
		}
	}
	return domain.BaselineSurveyAnswered{}, false
}

func answerTo(rounds []domain.BaselineSurveyAnswered, round int) (domain.BaselineSurveyAnswered, bool) {
	i := slices.IndexFunc(rounds, func(a domain.BaselineSurveyAnswered) bool { return a.Round == round })
	if round == 0 || i < 0 {
		return domain.BaselineSurveyAnswered{}, false
	}
	return rounds[i], true
}
