package demo

import (
	"context"
	"fmt"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
)

// The Mexico pilot's baseline survey: its eleven shelters and NGOs say what they
// offer, how many places they have, how many survivors they serve in a year, what
// keeps those survivors from financial services (mostly not knowing the products, no
// ID, no income, no way to reach a bank from the shelter) and what would help
// (training, money to open an account, transport, help with ID). Invented figures,
// varied so the dashboard has something to add up; NGOs without a shelter of their
// own have no places.

// surveyAnswer is one organisation's answer; its services are those it lists in the
// directory.
type surveyAnswer struct {
	org              string
	capacity         int
	survivorsPerYear int
	barriers         []domain.Barrier
	needs            []domain.SurveyNeed
}

// Short names for the barriers and needs of the answers below.
const (
	brNoID      = domain.BarrierNoID
	brNoIncome  = domain.BarrierNoIncome
	brNoAccess  = domain.BarrierNoShelterAccess
	brUnaware   = domain.BarrierUnawareOfProducts
	brTransport = domain.BarrierNeedsTransport
	brTraining  = domain.BarrierNeedsTraining

	ndTraining  = domain.SurveyNeedFinancialTraining
	ndMoney     = domain.SurveyNeedMoneyToOpenAccount
	ndTransport = domain.SurveyNeedTransport
	ndID        = domain.SurveyNeedIDAssistance
)

func barriers(b ...domain.Barrier) []domain.Barrier          { return b }
func surveyNeeds(n ...domain.SurveyNeed) []domain.SurveyNeed { return n }

// surveyAnswers: one answer per shelter and NGO of the pilot.
func surveyAnswers() []surveyAnswer {
	return []surveyAnswer{
		{ShelterCDMX, 40, 160, barriers(brUnaware, brNoID, brNoIncome), surveyNeeds(ndTraining, ndMoney)},
		{ShelterPuebla, 25, 90, barriers(brUnaware, brNoID, brNoAccess), surveyNeeds(ndTraining, ndMoney, ndTransport)},
		{NGOChiapas, 0, 210, barriers(brNoID, brNoIncome, brTransport), surveyNeeds(ndID, ndTransport, ndMoney)},
		{NGOJalisco, 0, 130, barriers(brUnaware, brNoIncome), surveyNeeds(ndMoney, ndTraining)},
		{ShelterNuevoLeon, 30, 110, barriers(brUnaware, brNoAccess, brNoIncome), surveyNeeds(ndTraining, ndTransport)},
		{NGOOaxaca, 0, 170, barriers(brNoID, brUnaware, brTransport, brTraining), surveyNeeds(ndID, ndTraining, ndTransport)},
		{ShelterVeracruz, 18, 60, barriers(brUnaware, brNoID, brNoAccess), surveyNeeds(ndTransport, ndMoney, ndID)},
		{NGOGuerrero, 0, 95, barriers(brNoID, brNoIncome, brNoAccess, brTransport), surveyNeeds(ndTransport, ndMoney)},
		{ShelterBajaCalifornia, 35, 180, barriers(brNoID, brUnaware, brNoIncome), surveyNeeds(ndID, ndTraining, ndMoney)},
		{ShelterQuintanaRoo, 22, 75, barriers(brUnaware, brNoAccess, brTraining), surveyNeeds(ndTraining, ndTransport)},
		{NGOChihuahua, 0, 120, barriers(brNoID, brNoIncome, brUnaware), surveyNeeds(ndMoney, ndID, ndTraining, ndTransport)},
	}
}

// seedSurvey records each answer as the organisation's own caseworker, for the round
// of year. It returns how many it recorded.
func seedSurvey(ctx context.Context, svc *app.Service, year int) (int, error) {
	services := map[string][]domain.Service{}
	for _, o := range Coalition() {
		services[o.ID] = o.Services
	}
	n := 0
	for _, a := range surveyAnswers() {
		_, err := svc.AnswerBaselineSurvey(ctx, caseworkerOf(a.org), fmt.Sprintf("demo-survey-%d-%s", year, a.org), a.org, domain.AnswerBaselineSurvey{
			Round: year, Services: services[a.org], Capacity: a.capacity, SurvivorsPerYear: a.survivorsPerYear,
			Barriers: a.barriers, Needs: a.needs,
		})
		if err != nil {
			return n, fmt.Errorf("seed survey answer of %s: %w", a.org, err)
		}
		n++
	}
	return n, nil
}
