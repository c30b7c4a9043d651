package domain

import (
	"fmt"
	"slices"
	"time"
)

// Barriers and needs over time. Those recorded at referral can be resolved (a need
// met) and new ones identified as the case moves, so the coalition can see which
// barriers block whom and for how long. Case.Barriers and Case.Needs hold the active
// ones; BarrierHistory and NeedHistory keep the latest span of each.

// Need is something the survivor needs from the journey.
type Need string

const (
	NeedBankAccount       Need = "bank_account"
	NeedIDDocument        Need = "id_document"
	NeedCreditRepair      Need = "credit_repair"
	NeedFinancialTraining Need = "financial_training"
	NeedTransport         Need = "transport"
	NeedShelter           Need = "shelter"
)

func AllNeed() []Need {
	return []Need{NeedBankAccount, NeedIDDocument, NeedCreditRepair, NeedFinancialTraining, NeedTransport, NeedShelter}
}

func (x Need) Valid() bool { return slices.Contains(AllNeed(), x) }

// Barrier is something that keeps the survivor from financial services.
type Barrier string

const (
	BarrierNoID              Barrier = "no_id"
	BarrierNoIncome          Barrier = "no_income"
	BarrierNoShelterAccess   Barrier = "no_shelter_access"
	BarrierUnawareOfProducts Barrier = "unaware_of_products"
	BarrierNeedsTransport    Barrier = "needs_transport"
	BarrierNeedsTraining     Barrier = "needs_training"
)

func AllBarrier() []Barrier {
	return []Barrier{BarrierNoID, BarrierNoIncome, BarrierNoShelterAccess, BarrierUnawareOfProducts, BarrierNeedsTransport, BarrierNeedsTraining}
}

func (x Barrier) Valid() bool { return slices.Contains(AllBarrier(), x) }

// BarrierSpan is when a barrier was identified and, once it no longer holds, when it
// was resolved (zero while active). It is the latest span: a barrier identified again
// after being resolved starts a new one.
type BarrierSpan struct {
	IdentifiedAt time.Time
	ResolvedAt   time.Time
}

// NeedSpan is the same for a need: ResolvedAt is when the need was met.
type NeedSpan = BarrierSpan

// ---- Commands and events -----------------------------------------------------------

type IdentifyBarrier struct{ Barrier Barrier }
type ResolveBarrier struct{ Barrier Barrier }
type IdentifyNeed struct{ Need Need }
type MeetNeed struct{ Need Need }

// BarrierIdentified: a barrier was found to keep the survivor from financial services.
type BarrierIdentified struct {
	Barrier Barrier   `json:"barrier"`
	At      time.Time `json:"at"`
}

// BarrierResolved: an active barrier no longer holds.
type BarrierResolved struct {
	Barrier Barrier   `json:"barrier"`
	At      time.Time `json:"at"`
}

// NeedIdentified: the survivor was found to need something from the journey.
type NeedIdentified struct {
	Need Need      `json:"need"`
	At   time.Time `json:"at"`
}

// NeedMet: an active need was met.
type NeedMet struct {
	Need Need      `json:"need"`
	At   time.Time `json:"at"`
}

func (IdentifyBarrier) CommandType() string { return "IdentifyBarrier" }
func (ResolveBarrier) CommandType() string  { return "ResolveBarrier" }
func (IdentifyNeed) CommandType() string    { return "IdentifyNeed" }
func (MeetNeed) CommandType() string        { return "MeetNeed" }

func (BarrierIdentified) EventType() string { return "BarrierIdentified" }
func (BarrierResolved) EventType() string   { return "BarrierResolved" }
func (NeedIdentified) EventType() string    { return "NeedIdentified" }
func (NeedMet) EventType() string           { return "NeedMet" }

// ---- Table -------------------------------------------------------------------------

func barriersConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[IdentifyBarrier]{decide: decideIdentifyBarrier}.spec(),
			caseCommand[ResolveBarrier]{decide: decideResolveBarrier}.spec(),
			caseCommand[IdentifyNeed]{decide: decideIdentifyNeed}.spec(),
			caseCommand[MeetNeed]{decide: decideMeetNeed}.spec(),
		},
		events: []EventSpec{
			caseEvent[BarrierIdentified]{evolve: evolveBarrierIdentified}.spec(),
			caseEvent[BarrierResolved]{evolve: evolveBarrierResolved}.spec(),
			caseEvent[NeedIdentified]{evolve: evolveNeedIdentified}.spec(),
			caseEvent[NeedMet]{evolve: evolveNeedMet}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideIdentifyBarrier(c Case, cmd IdentifyBarrier, now time.Time) ([]Event, error) {
	if err := checkActive("barrier", cmd.Barrier, c.Barriers, false); err != nil {
		return nil, err
	}
	return one(BarrierIdentified{Barrier: cmd.Barrier, At: now})
}

func decideResolveBarrier(c Case, cmd ResolveBarrier, now time.Time) ([]Event, error) {
	if err := checkActive("barrier", cmd.Barrier, c.Barriers, true); err != nil {
		return nil, err
	}
	return one(BarrierResolved{Barrier: cmd.Barrier, At: now})
}

func decideIdentifyNeed(c Case, cmd IdentifyNeed, now time.Time) ([]Event, error) {
	if err := checkActive("need", cmd.Need, c.Needs, false); err != nil {
		return nil, err
	}
	return one(NeedIdentified{Need: cmd.Need, At: now})
}

func decideMeetNeed(c Case, cmd MeetNeed, now time.Time) ([]Event, error) {
	if err := checkActive("need", cmd.Need, c.Needs, true); err != nil {
		return nil, err
	}
	return one(NeedMet{Need: cmd.Need, At: now})
}

// checkActive checks x is a known value and is (wantActive) or is not yet among the
// active ones.
func checkActive[T enum](field string, x T, active []T, wantActive bool) error {
	if !x.Valid() {
		return invalid(field, fmt.Sprintf("unknown %s %q", field, string(x)))
	}
	switch isActive := slices.Contains(active, x); {
	case isActive && !wantActive:
		return transition(fmt.Sprintf("%s %s is already recorded and still active", field, string(x)))
	case !isActive && wantActive:
		return transition(fmt.Sprintf("%s %s is not active on this case", field, string(x)))
	}
	return nil
}

// ---- Evolve ------------------------------------------------------------------------

func evolveBarrierIdentified(c Case, e BarrierIdentified) Case {
	c.Barriers, c.BarrierHistory = identified(c.Barriers, c.BarrierHistory, e.Barrier, e.At)
	return c
}

func evolveBarrierResolved(c Case, e BarrierResolved) Case {
	c.Barriers, c.BarrierHistory = resolved(c.Barriers, c.BarrierHistory, e.Barrier, e.At)
	return c
}

func evolveNeedIdentified(c Case, e NeedIdentified) Case {
	c.Needs, c.NeedHistory = identified(c.Needs, c.NeedHistory, e.Need, e.At)
	return c
}

func evolveNeedMet(c Case, e NeedMet) Case {
	c.Needs, c.NeedHistory = resolved(c.Needs, c.NeedHistory, e.Need, e.At)
	return c
}

// identified adds x to the active list (a new slice) and starts its span.
func identified[T comparable](active []T, history Spans[T], x T, at time.Time) ([]T, Spans[T]) {
	if slices.Contains(active, x) {
		return active, history
	}
	return append(slices.Clip(active), x), history.With(x, BarrierSpan{IdentifiedAt: at})
}

// resolved removes x from the active list (a new slice) and ends its span.
func resolved[T comparable](active []T, history Spans[T], x T, at time.Time) ([]T, Spans[T]) {
	if !slices.Contains(active, x) {
		return active, history
	}
	span := history.Span(x)
	span.ResolvedAt = at
	return without(active, x), history.With(x, span)
}

// spansFrom starts a span at at for every value recorded at referral.
func spansFrom[T comparable](xs []T, at time.Time) Spans[T] {
	if len(xs) == 0 {
		return nil
	}
	out := make(Spans[T], 0, len(xs))
	for _, x := range xs {
		if _, dup := out.Get(x); !dup {
			out = append(out, Spanned[T]{Of: x, BarrierSpan: BarrierSpan{IdentifiedAt: at}})
		}
	}
	return out
}
