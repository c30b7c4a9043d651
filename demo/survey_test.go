package demo

import (
	"slices"
	"testing"

	"github.com/waymark-org/waymark/domain"
)

// Every shelter and NGO of the Mexico pilot answers the survey once, and the answers
// say what the pilot found: not knowing the products first, then no ID, no income,
// no access from the shelter; training, money to open an account and transport are
// the needs named most.
func TestSurveyAnswersFollowThePilot(t *testing.T) {
	var pilot []string
	for _, o := range Coalition() {
		if o.Jurisdiction == "MX" && o.Kind.SupportsSurvivors() {
			pilot = append(pilot, o.ID)
		}
	}
	var answered []string
	barriers, needs := map[domain.Barrier]int{}, map[domain.SurveyNeed]int{}
	for _, a := range surveyAnswers() {
		answered = append(answered, a.org)
		for _, b := range a.barriers {
			barriers[b]++
		}
		for _, n := range a.needs {
			needs[n]++
		}
		if a.capacity < 0 || a.capacity > domain.MaxSurveyCapacity || a.survivorsPerYear <= 0 || a.survivorsPerYear > domain.MaxSurveySurvivorsPerYear {
			t.Errorf("%s: %d places, %d survivors a year", a.org, a.capacity, a.survivorsPerYear)
		}
	}
	slices.Sort(pilot)
	slices.Sort(answered)
	if len(pilot) != 11 || !slices.Equal(pilot, answered) {
		t.Errorf("answered by %v, want the pilot's eleven %v", answered, pilot)
	}
	order := []domain.Barrier{domain.BarrierUnawareOfProducts, domain.BarrierNoID, domain.BarrierNoIncome, domain.BarrierNoShelterAccess}
	for i := 1; i < len(order); i++ {
		if barriers[order[i-1]] <= barriers[order[i]] {
			t.Errorf("barriers %v: want the pilot's order %v", barriers, order)
		}
	}
	if needs[domain.SurveyNeedIDAssistance] >= min(needs[domain.SurveyNeedFinancialTraining], needs[domain.SurveyNeedMoneyToOpenAccount], needs[domain.SurveyNeedTransport]) {
		t.Errorf("needs %v: training, money and transport should come first", needs)
	}
}
