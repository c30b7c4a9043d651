package domain

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The baseline survey's rules, as given/when/then: who answers, what an answer may
// hold, and that a round answered again is a correction.
func TestAnswerBaselineSurvey(t *testing.T) {
	shelter := OrganisationRegistered{Name: "Casa Segura", Kind: OrgShelter, Jurisdiction: "MX", At: at(0)}
	bank := OrganisationRegistered{Name: "Banco Uno", Kind: OrgBank, Jurisdiction: "MX", At: at(0)}
	valid := AnswerBaselineSurvey{Round: 2026, Services: []Service{ServiceShelter, ServiceLegalAid}, Capacity: 40, SurvivorsPerYear: 150,
		Barriers: []Barrier{BarrierNoID, BarrierNoIncome, BarrierUnawareOfProducts},
		Needs:    []SurveyNeed{SurveyNeedFinancialTraining, SurveyNeedMoneyToOpenAccount, SurveyNeedTransport}}
	answered := BaselineSurveyAnswered{Round: 2026, Services: []Service{ServiceShelter, ServiceLegalAid}, Capacity: 40, SurvivorsPerYear: 150,
		Barriers: []Barrier{BarrierNoID, BarrierNoIncome, BarrierUnawareOfProducts},
		Needs:    []SurveyNeed{SurveyNeedFinancialTraining, SurveyNeedMoneyToOpenAccount, SurveyNeedTransport}, At: at(10)}
	with := func(f func(*AnswerBaselineSurvey)) AnswerBaselineSurvey {
		c := valid
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		given   []Event
		when    AnswerBaselineSurvey
		then    []Event
		wantErr error
		wantMsg string
	}{
		{name: "a shelter answers", given: events(shelter), when: valid, then: events(answered)},
		{name: "an NGO answers", given: events(OrganisationRegistered{Name: "N", Kind: OrgNGO, Jurisdiction: "US", At: at(0)}), when: valid, then: events(answered)},
		{name: "a government service answers", given: events(OrganisationRegistered{Name: "G", Kind: OrgGovernment, Jurisdiction: "MX", At: at(0)}),
			when: valid, then: events(answered)},
		{name: "an answer may be empty and zero", given: events(shelter), when: AnswerBaselineSurvey{Round: 2026, Services: []Service{}},
			then: events(BaselineSurveyAnswered{Round: 2026, At: at(10)})},
		{name: "the same round again is a correction", given: events(shelter, BaselineSurveyAnswered{Round: 2026, Capacity: 10, At: at(1)}),
			when: valid, then: events(answered)},
		{name: "the first round", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Round = 2020 }),
			then: events(func() Event { e := answered; e.Round = 2020; return e }())},
		{name: "next year's round", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Round = 2027 }),
			then: events(func() Event { e := answered; e.Round = 2027; return e }())},
		{name: "the largest counts", given: events(shelter),
			when: with(func(c *AnswerBaselineSurvey) {
				c.Capacity, c.SurvivorsPerYear = MaxSurveyCapacity, MaxSurveySurvivorsPerYear
			}),
			then: events(func() Event {
				e := answered
				e.Capacity, e.SurvivorsPerYear = MaxSurveyCapacity, MaxSurveySurvivorsPerYear
				return e
			}())},

		{name: "a bank does not answer", given: events(bank), when: valid, wantErr: ErrWrongOrganisationKind,
			wantMsg: "organisationId: only organisations that support survivors (shelters, NGOs, government services) answer the baseline survey; this organisation is a bank"},
		{name: "a credit bureau does not answer", given: events(OrganisationRegistered{Name: "B", Kind: OrgCreditBureau, Jurisdiction: "MX", At: at(0)}),
			when: valid, wantErr: ErrWrongOrganisationKind, wantMsg: "this organisation is a credit bureau"},
		{name: "the coalition does not answer", given: events(OrganisationRegistered{Name: "C", Kind: OrgCoalition, Jurisdiction: "MX", At: at(0)}),
			when: valid, wantErr: ErrWrongOrganisationKind},
		{name: "a deactivated organisation does not answer", given: events(shelter, OrganisationDeactivated{At: at(1)}), when: valid,
			wantErr: ErrInvalidInput, wantMsg: "organisationId: the organisation was deactivated"},
		{name: "an organisation never registered", when: valid, wantErr: ErrUnknownOrganisation, wantMsg: "organisationId:"},
		{name: "no round", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Round = 0 }),
			wantErr: ErrInvalidInput, wantMsg: "round: a round is a year from 2020 to 2027"},
		{name: "a round before the first", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Round = 2019 }),
			wantErr: ErrInvalidInput, wantMsg: "round:"},
		{name: "a round two years ahead", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Round = 2028 }),
			wantErr: ErrInvalidInput, wantMsg: "round:"},
		{name: "negative capacity", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Capacity = -1 }),
			wantErr: ErrInvalidInput, wantMsg: "capacity: must be from 0 to 100000"},
		{name: "capacity too large", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Capacity = MaxSurveyCapacity + 1 }),
			wantErr: ErrInvalidInput, wantMsg: "capacity:"},
		{name: "negative survivors", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.SurvivorsPerYear = -5 }),
			wantErr: ErrInvalidInput, wantMsg: "survivorsPerYear: must be from 0 to 100000"},
		{name: "survivors too many", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.SurvivorsPerYear = MaxSurveySurvivorsPerYear + 1 }),
			wantErr: ErrInvalidInput, wantMsg: "survivorsPerYear:"},
		{name: "unknown service", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Services = []Service{"catering"} }),
			wantErr: ErrInvalidInput, wantMsg: `services: unknown value "catering"`},
		{name: "service twice", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Services = []Service{ServiceShelter, ServiceShelter} }),
			wantErr: ErrInvalidInput, wantMsg: `services: "shelter" is listed twice`},
		{name: "unknown barrier", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Barriers = []Barrier{"weather"} }),
			wantErr: ErrInvalidInput, wantMsg: "barriers:"},
		{name: "barrier twice", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Barriers = []Barrier{BarrierNoID, BarrierNoID} }),
			wantErr: ErrInvalidInput, wantMsg: "barriers: \"no_id\" is listed twice"},
		{name: "unknown need", given: events(shelter), when: with(func(c *AnswerBaselineSurvey) { c.Needs = []SurveyNeed{"bank_account"} }),
			wantErr: ErrInvalidInput, wantMsg: "needs:"},
		{name: "need twice", given: events(shelter),
			when:    with(func(c *AnswerBaselineSurvey) { c.Needs = []SurveyNeed{SurveyNeedTransport, SurveyNeedTransport} }),
			wantErr: ErrInvalidInput, wantMsg: "needs: \"transport\" is listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			state := FoldOrganisation(tt.given)
			got, err := DecideOrganisation(state, tt.when, at(10))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("got %v, %v; want error %v", got, err, tt.wantErr)
				}
				var re *RuleError
				if !errors.As(err, &re) {
					t.Errorf("%v is not a RuleError", err)
				}
				if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not say %q", err, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.then) {
				t.Fatalf("events\n got %#v\nwant %#v", got, tt.then)
			}
		})
	}
}

// The answer's lists are the event's own: changing the command afterwards changes
// nothing recorded.
func TestBaselineSurveyAnswerCopiesItsLists(t *testing.T) {
	o := FoldOrganisation(events(OrganisationRegistered{Name: "Casa", Kind: OrgShelter, Jurisdiction: "MX", At: at(0)}))
	cmd := AnswerBaselineSurvey{Round: 2026, Services: []Service{ServiceShelter}, Barriers: []Barrier{BarrierNoID}, Needs: []SurveyNeed{SurveyNeedTransport}}
	got, err := DecideOrganisation(o, cmd, at(10))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Services[0], cmd.Barriers[0], cmd.Needs[0] = ServiceBanking, BarrierNoIncome, SurveyNeedIDAssistance
	e := got[0].(BaselineSurveyAnswered)
	if e.Services[0] != ServiceShelter || e.Barriers[0] != BarrierNoID || e.Needs[0] != SurveyNeedTransport {
		t.Errorf("the event shares the command's lists: %+v", e)
	}
	if next := EvolveOrganisation(o, e); next.Version != o.Version+1 || next.Kind != o.Kind || !next.Active {
		t.Errorf("an answer only counts on the organisation: %+v", next)
	}
}

// Rounds are judged by the UTC year of the decision: on New Year's Eve in Mexico City
// (already 1 January in UTC) next year's round is the current one.
func TestSurveyRoundsFollowTheDecisionsYear(t *testing.T) {
	o := FoldOrganisation(events(OrganisationRegistered{Name: "Casa", Kind: OrgShelter, Jurisdiction: "MX", At: at(0)}))
	now := time.Date(2030, 12, 31, 20, 0, 0, 0, time.FixedZone("CST", -6*3600)) // 2031-01-01T02:00Z
	if _, err := DecideOrganisation(o, AnswerBaselineSurvey{Round: 2032}, now); err != nil {
		t.Errorf("next year's round in UTC: %v", err)
	}
	if _, err := DecideOrganisation(o, AnswerBaselineSurvey{Round: 2033}, now); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("two years ahead in UTC: %v", err)
	}
}
