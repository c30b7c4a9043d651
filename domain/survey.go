package domain

import (
	"fmt"
	"slices"
	"time"
)

// The baseline survey of service organisations (issue 14): each year an organisation
// that supports survivors says what it offers, how many places it has, how many
// survivors it serves, which barriers it sees keeping them from financial services,
// and what it would need to help them past those barriers. The Mexico pilot began
// with one such round among 11 shelters. Answers are facts about organisations, not
// about survivors: they hold no personal data and no free text (free text here would
// be personal data, and would have to be sealed), only closed vocabularies and counts.

// SurveyNeed is what an organisation says it needs to help survivors into the
// financial system.
type SurveyNeed string

const (
	SurveyNeedFinancialTraining  SurveyNeed = "financial_training"
	SurveyNeedMoneyToOpenAccount SurveyNeed = "money_to_open_account"
	SurveyNeedTransport          SurveyNeed = "transport"
	SurveyNeedIDAssistance       SurveyNeed = "id_assistance"
)

func AllSurveyNeed() []SurveyNeed {
	return []SurveyNeed{SurveyNeedFinancialTraining, SurveyNeedMoneyToOpenAccount, SurveyNeedTransport, SurveyNeedIDAssistance}
}

func (x SurveyNeed) Valid() bool { return slices.Contains(AllSurveyNeed(), x) }

// Bounds of an answer. Rounds start with the pilot's first (the coalition surveyed no
// one before 2020); a round may be answered up to a year ahead, for a survey sent out
// in December for the year to come. The counts' bounds are far above any shelter's
// and only stop a typing slip from swamping a jurisdiction's totals (and keep
// them within the API's 32-bit numbers for over 20,000 organisations).
const (
	FirstSurveyRound           = 2020
	MaxSurveyCapacity          = 100_000
	MaxSurveySurvivorsPerYear  = 100_000
	maxSurveyRoundsAheadOfYear = 1
)

// ---- Commands and events -----------------------------------------------------------

// AnswerBaselineSurvey records an organisation's answer to one round of the baseline
// survey. Answering a round again corrects it: the latest answer of a round is the
// one that counts, and the history keeps both.
type AnswerBaselineSurvey struct {
	Round            int // the year, e.g. 2026
	Services         []Service
	Capacity         int // places
	SurvivorsPerYear int
	Barriers         []Barrier
	Needs            []SurveyNeed
}

// BaselineSurveyAnswered: an organisation answered (or corrected its answer to) one
// round of the baseline survey.
type BaselineSurveyAnswered struct {
	Round            int          `json:"round"`
	Services         []Service    `json:"services,omitempty"`
	Capacity         int          `json:"capacity"`
	SurvivorsPerYear int          `json:"survivorsPerYear"`
	Barriers         []Barrier    `json:"barriers,omitempty"`
	Needs            []SurveyNeed `json:"needs,omitempty"`
	At               time.Time    `json:"at"`
}

func (AnswerBaselineSurvey) CommandType() string { return "AnswerBaselineSurvey" }
func (BaselineSurveyAnswered) EventType() string { return "BaselineSurveyAnswered" }

// ---- Table -------------------------------------------------------------------------

// surveyConcern: the survey's event lives on the organisation's stream; its command
// is decided by DecideOrganisation, and EvolveOrganisation only counts it (nothing the
// directory decides depends on an answer).
func surveyConcern() concern {
	return concern{
		events: []EventSpec{DescribeEvent[BaselineSurveyAnswered](AggregateOrganisation)},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideAnswerBaselineSurvey(o Organisation, cmd AnswerBaselineSurvey, now time.Time) ([]Event, error) {
	if !o.Registered {
		return nil, unknownOrganisation("organisationId", "the organisation is not in the directory")
	}
	if !o.Kind.SupportsSurvivors() {
		return nil, wrongKind("organisationId", fmt.Sprintf(
			"only organisations that support survivors (shelters, NGOs, government services) answer the baseline survey; this organisation is a %s",
			kindName(o.Kind)))
	}
	if !o.Active {
		return nil, invalid("organisationId", "the organisation was deactivated; reactivate it before it answers the survey")
	}
	if last := now.Year() + maxSurveyRoundsAheadOfYear; cmd.Round < FirstSurveyRound || cmd.Round > last {
		return nil, invalid("round", fmt.Sprintf("a round is a year from %d to %d", FirstSurveyRound, last))
	}
	if err := checkCount("capacity", cmd.Capacity, MaxSurveyCapacity); err != nil {
		return nil, err
	}
	if err := checkCount("survivorsPerYear", cmd.SurvivorsPerYear, MaxSurveySurvivorsPerYear); err != nil {
		return nil, err
	}
	if err := checkList("services", cmd.Services, false); err != nil {
		return nil, err
	}
	if err := checkList("barriers", cmd.Barriers, false); err != nil {
		return nil, err
	}
	if err := checkList("needs", cmd.Needs, false); err != nil {
		return nil, err
	}
	return one(BaselineSurveyAnswered{
		Round: cmd.Round, Services: cloneList(cmd.Services), Capacity: cmd.Capacity, SurvivorsPerYear: cmd.SurvivorsPerYear,
		Barriers: cloneList(cmd.Barriers), Needs: cloneList(cmd.Needs), At: now,
	})
}

// checkCount accepts a whole number from 0 to max.
func checkCount(field string, n, limit int) error {
	if n < 0 || n > limit {
		return invalid(field, fmt.Sprintf("must be from 0 to %d", limit))
	}
	return nil
}
