package projections_test

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// viewCopy is a deep copy of what a view holds, to compare with it later.
type viewCopy struct {
	journey    []projections.Step
	notes      []projections.NoteView
	reopenings []projections.ReopeningView
	sealed     map[string]string
	blindIndex []string
}

func copyView(v *projections.CaseView) viewCopy {
	c := viewCopy{journey: slices.Clone(v.Journey), notes: slices.Clone(v.Notes), reopenings: slices.Clone(v.Reopenings),
		blindIndex: slices.Clone(v.BlindIndex), sealed: map[string]string{}}
	for k, p := range v.Sealed {
		c.sealed[k] = string(p.Data)
	}
	return c
}

// A view handed out never changes, whatever the events after it do: notes and
// steps appended, sealed entries added and replaced, the case closed, reopened and
// erased.
func TestViewsHandedOutNeverChange(t *testing.T) {
	s := openStore(t)
	cases := projections.NewCases(nil)
	r := projections.NewRunner(s, slog.New(slog.NewTextHandler(io.Discard, nil)), cases)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	wait, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()

	note := func(id, text string) domain.Event {
		return domain.CaseNoteAdded{NoteID: id, At: at, Personal: &domain.NoteDetails{Text: text}}
	}
	contact := func(notes string) domain.Event {
		return domain.SafeContactRulesSet{Allowed: []domain.ContactChannel{domain.ChannelPhone}, At: at, Personal: &domain.ContactDetails{Notes: notes}}
	}
	steps := []domain.Event{
		note("n1", "first"), contact("after six"), note("n2", "second"),
		domain.CaseClosed{Outcome: domain.ClosureJourneyCompleted, At: at, Personal: &domain.ReasonDetails{Text: "done"}},
		domain.CaseReopened{ReasonCode: domain.ReopenNewNeed, At: at, Personal: &domain.ReasonDetails{Text: "again"}},
		contact("never by post"), note("n3", "third"),
		domain.SurvivorDataErased{ReasonCode: domain.ErasureSurvivorRequest, At: at},
	}
	if err := r.WaitFor(wait, appendEvents(t, s, "case-a", referred("Ana Demo"))); err != nil {
		t.Fatal(err)
	}
	var views []*projections.CaseView
	var copies []viewCopy
	for _, e := range steps {
		if err := r.WaitFor(wait, appendEvents(t, s, "case-a", e)); err != nil {
			t.Fatal(err)
		}
		v, _ := cases.Get("a")
		views, copies = append(views, v), append(copies, copyView(v))
	}
	for i, v := range views {
		if got := copyView(v); !reflect.DeepEqual(got, copies[i]) {
			t.Errorf("the view after %s changed later:\n was %+v\n now %+v", steps[i].EventType(), copies[i], got)
		}
	}
	last := views[len(views)-1]
	if len(last.Notes) != 3 || len(last.Journey) != len(steps)+1 || len(last.Sealed) != 0 || !last.Survivor.IsZero() {
		t.Errorf("the erased case's view: %d notes, %d steps, %d sealed, identity %+v", len(last.Notes), len(last.Journey), len(last.Sealed), last.Survivor)
	}
	if prev := views[len(views)-2]; string(prev.Sealed[projections.SealedContact].Data) != `{"notes":"never by post"}` {
		t.Errorf("the view before erasure lost its contact notes: %+v", prev.Sealed)
	}
}
