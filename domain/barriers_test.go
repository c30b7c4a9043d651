package domain

import (
	"reflect"
	"testing"
)

// referred has needs [id_document bank_account] and barriers [no_id], at(0).
func TestBarriersAndNeeds(t *testing.T) {
	noIDResolved := BarrierResolved{Barrier: BarrierNoID, At: at(5)}
	idMet := NeedMet{Need: NeedIDDocument, At: at(5)}
	runCaseTests(t, []caseTest{
		{name: "a new barrier", given: events(referred), when: IdentifyBarrier{Barrier: BarrierNoIncome},
			then: events(BarrierIdentified{Barrier: BarrierNoIncome, At: at(10)}), thenStage: StageReferral},
		{name: "a barrier resolved", given: events(referred), when: ResolveBarrier{Barrier: BarrierNoID},
			then: events(BarrierResolved{Barrier: BarrierNoID, At: at(10)})},
		{name: "a resolved barrier comes back", given: events(referred, noIDResolved), when: IdentifyBarrier{Barrier: BarrierNoID},
			then: events(BarrierIdentified{Barrier: BarrierNoID, At: at(10)})},
		{name: "barrier already active", given: events(referred), when: IdentifyBarrier{Barrier: BarrierNoID},
			wantErr: ErrInvalidTransition, wantMsg: "identifyBarrier: barrier no_id is already recorded and still active"},
		{name: "resolve a barrier never recorded", given: events(referred), when: ResolveBarrier{Barrier: BarrierNeedsTransport},
			wantErr: ErrInvalidTransition, wantMsg: "barrier needs_transport is not active"},
		{name: "resolve a barrier twice", given: events(referred, noIDResolved), when: ResolveBarrier{Barrier: BarrierNoID},
			wantErr: ErrInvalidTransition},
		{name: "unknown barrier", given: events(referred), when: IdentifyBarrier{Barrier: "fear"}, wantErr: ErrInvalidInput, wantMsg: "barrier:"},
		{name: "resolve an unknown barrier", given: events(referred), when: ResolveBarrier{}, wantErr: ErrInvalidInput},

		{name: "a new need", given: events(referred), when: IdentifyNeed{Need: NeedShelter},
			then: events(NeedIdentified{Need: NeedShelter, At: at(10)})},
		{name: "a need met", given: events(referred), when: MeetNeed{Need: NeedIDDocument},
			then: events(NeedMet{Need: NeedIDDocument, At: at(10)})},
		{name: "a met need comes back", given: events(referred, idMet), when: IdentifyNeed{Need: NeedIDDocument},
			then: events(NeedIdentified{Need: NeedIDDocument, At: at(10)})},
		{name: "need already active", given: events(referred), when: IdentifyNeed{Need: NeedBankAccount},
			wantErr: ErrInvalidTransition, wantMsg: "need bank_account is already recorded"},
		{name: "meet a need not recorded", given: events(referred), when: MeetNeed{Need: NeedTransport},
			wantErr: ErrInvalidTransition, wantMsg: "need transport is not active"},
		{name: "unknown need", given: events(referred), when: IdentifyNeed{Need: "money"}, wantErr: ErrInvalidInput, wantMsg: "need:"},
	})
}

func TestBarrierHistory(t *testing.T) {
	c := Fold(events(referred,
		BarrierIdentified{Barrier: BarrierNoIncome, At: at(2)},
		BarrierResolved{Barrier: BarrierNoID, At: at(3)},
		NeedMet{Need: NeedIDDocument, At: at(3)},
		NeedIdentified{Need: NeedShelter, At: at(4)},
	))
	if want := []Barrier{BarrierNoIncome}; !reflect.DeepEqual(c.Barriers, want) {
		t.Errorf("active barriers %v, want %v", c.Barriers, want)
	}
	if want := []Need{NeedBankAccount, NeedShelter}; !reflect.DeepEqual(c.Needs, want) {
		t.Errorf("active needs %v, want %v", c.Needs, want)
	}
	wantBarriers := Spans[Barrier]{
		{BarrierNoID, BarrierSpan{IdentifiedAt: at(0), ResolvedAt: at(3)}},
		{BarrierNoIncome, BarrierSpan{IdentifiedAt: at(2)}},
	}
	if !reflect.DeepEqual(c.BarrierHistory, wantBarriers) {
		t.Errorf("barrier history %v, want %v", c.BarrierHistory, wantBarriers)
	}
	wantNeeds := Spans[Need]{
		{NeedIDDocument, NeedSpan{IdentifiedAt: at(0), ResolvedAt: at(3)}},
		{NeedBankAccount, NeedSpan{IdentifiedAt: at(0)}},
		{NeedShelter, NeedSpan{IdentifiedAt: at(4)}},
	}
	if !reflect.DeepEqual(c.NeedHistory, wantNeeds) {
		t.Errorf("need history %v, want %v", c.NeedHistory, wantNeeds)
	}

	// A barrier identified again starts a new span; the last one resolved leaves nil.
	c = Evolve(Evolve(c, BarrierIdentified{Barrier: BarrierNoID, At: at(6)}), BarrierResolved{Barrier: BarrierNoIncome, At: at(7)})
	if got := c.BarrierHistory.Span(BarrierNoID); got != (BarrierSpan{IdentifiedAt: at(6)}) {
		t.Errorf("a barrier back again: span %+v", got)
	}
	c = Evolve(c, BarrierResolved{Barrier: BarrierNoID, At: at(8)})
	if c.Barriers != nil {
		t.Errorf("no active barrier left: %v", c.Barriers)
	}
}
