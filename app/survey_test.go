package app_test

import (
	"reflect"
	"testing"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// The dashboard's survey: the latest round up to the dashboard's last year that an
// organisation in scope answered, each organisation's latest answer to it, added up
// exactly; organisations that did not answer it count only among those asked.
func TestSummariseSurvey(t *testing.T) {
	answer := func(round, capacity, survivors int, services []domain.Service, barriers []domain.Barrier, needs []domain.SurveyNeed) domain.BaselineSurveyAnswered {
		return domain.BaselineSurveyAnswered{Round: round, Capacity: capacity, SurvivorsPerYear: survivors, Services: services, Barriers: barriers, Needs: needs}
	}
	org := func(id string, kind domain.OrganisationKind, active bool, rounds ...domain.BaselineSurveyAnswered) *projections.OrganisationView {
		return &projections.OrganisationView{ID: id, Kind: kind, Jurisdiction: "MX", Active: active, Survey: rounds}
	}
	orgs := []*projections.OrganisationView{
		org("casa-a", domain.OrgShelter, true,
			answer(2025, 10, 50, []domain.Service{domain.ServiceShelter}, nil, nil),
			answer(2026, 20, 80, []domain.Service{domain.ServiceShelter, domain.ServiceLegalAid}, []domain.Barrier{domain.BarrierNoID, domain.BarrierNoIncome},
				[]domain.SurveyNeed{domain.SurveyNeedFinancialTraining, domain.SurveyNeedTransport})),
		org("casa-b", domain.OrgShelter, true,
			answer(2026, 15, 40, []domain.Service{domain.ServiceShelter}, []domain.Barrier{domain.BarrierNoID}, []domain.SurveyNeed{domain.SurveyNeedMoneyToOpenAccount})),
		org("ngo-c", domain.OrgNGO, true, answer(2025, 0, 300, []domain.Service{domain.ServiceLegalAid}, []domain.Barrier{domain.BarrierUnawareOfProducts}, nil)),
		org("gov-d", domain.OrgGovernment, true),
		org("left-e", domain.OrgShelter, false),                                     // deactivated, never answered: not asked
		org("left-f", domain.OrgShelter, false, answer(2026, 5, 10, nil, nil, nil)), // answered, then deactivated: counts
		org("bank-g", domain.OrgBank, true, answer(2026, 99, 99, nil, nil, nil)),    // not possible through the domain; ignored anyway
	}
	services := func(shelter, legal int) []app.ServiceCount {
		var out []app.ServiceCount
		for _, s := range domain.AllService() {
			n := map[domain.Service]int{domain.ServiceShelter: shelter, domain.ServiceLegalAid: legal}[s]
			out = append(out, app.ServiceCount{Service: s, Organisations: n})
		}
		return out
	}
	barriers := func(counts map[domain.Barrier]int) []app.BarrierCount {
		var out []app.BarrierCount
		for _, b := range domain.AllBarrier() {
			out = append(out, app.BarrierCount{Barrier: b, Organisations: counts[b]})
		}
		return out
	}
	needs := func(counts map[domain.SurveyNeed]int) []app.SurveyNeedCount {
		var out []app.SurveyNeedCount
		for _, n := range domain.AllSurveyNeed() {
			out = append(out, app.SurveyNeedCount{Need: n, Organisations: counts[n]})
		}
		return out
	}
	tests := []struct {
		name     string
		org      string
		lastYear int
		want     app.SurveySummary
	}{
		{name: "the jurisdiction, this year's round", lastYear: 2026, want: app.SurveySummary{
			Round: 2026, OrganisationsAnswered: 3, Organisations: 5, Services: services(2, 1), Capacity: 40, SurvivorsPerYear: 130,
			Barriers: barriers(map[domain.Barrier]int{domain.BarrierNoID: 2, domain.BarrierNoIncome: 1}),
			Needs: needs(map[domain.SurveyNeed]int{domain.SurveyNeedFinancialTraining: 1, domain.SurveyNeedTransport: 1,
				domain.SurveyNeedMoneyToOpenAccount: 1})}},
		{name: "a later dashboard shows the latest round before it", lastYear: 2030, want: app.SurveySummary{
			Round: 2026, OrganisationsAnswered: 3, Organisations: 5, Services: services(2, 1), Capacity: 40, SurvivorsPerYear: 130,
			Barriers: barriers(map[domain.Barrier]int{domain.BarrierNoID: 2, domain.BarrierNoIncome: 1}),
			Needs: needs(map[domain.SurveyNeed]int{domain.SurveyNeedFinancialTraining: 1, domain.SurveyNeedTransport: 1,
				domain.SurveyNeedMoneyToOpenAccount: 1})}},
		{name: "last year's dashboard, last year's round", lastYear: 2025, want: app.SurveySummary{
			Round: 2025, OrganisationsAnswered: 2, Organisations: 4, Services: services(1, 1), Capacity: 10, SurvivorsPerYear: 350,
			Barriers: barriers(map[domain.Barrier]int{domain.BarrierUnawareOfProducts: 1}), Needs: needs(nil)}},
		{name: "before any round", lastYear: 2024, want: app.SurveySummary{
			Organisations: 4, Services: services(0, 0), Barriers: barriers(nil), Needs: needs(nil)}},
		{name: "one organisation", org: "casa-b", lastYear: 2026, want: app.SurveySummary{
			Round: 2026, OrganisationsAnswered: 1, Organisations: 1, Services: services(1, 0), Capacity: 15, SurvivorsPerYear: 40,
			Barriers: barriers(map[domain.Barrier]int{domain.BarrierNoID: 1}), Needs: needs(map[domain.SurveyNeed]int{domain.SurveyNeedMoneyToOpenAccount: 1})}},
		{name: "one organisation, its own latest round", org: "ngo-c", lastYear: 2026, want: app.SurveySummary{
			Round: 2025, OrganisationsAnswered: 1, Organisations: 1, Services: services(0, 1), SurvivorsPerYear: 300,
			Barriers: barriers(map[domain.Barrier]int{domain.BarrierUnawareOfProducts: 1}), Needs: needs(nil)}},
		{name: "one organisation that never answered", org: "gov-d", lastYear: 2026, want: app.SurveySummary{
			Organisations: 1, Services: services(0, 0), Barriers: barriers(nil), Needs: needs(nil)}},
		{name: "a bank is not surveyed", org: "bank-g", lastYear: 2026, want: app.SurveySummary{
			Services: services(0, 0), Barriers: barriers(nil), Needs: needs(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := app.SummariseSurvey(orgs, tt.org, tt.lastYear); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
