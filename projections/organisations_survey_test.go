package projections

import (
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// The directory keeps the latest answer of each round, by round, and a view handed
// out before an answer keeps the rounds it had.
func TestOrganisationsKeepTheLatestSurveyAnswerOfEachRound(t *testing.T) {
	o := NewOrganisations()
	at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
	pos := uint64(0)
	apply := func(e domain.Event) {
		t.Helper()
		pos++
		rec := eventstore.RecordedEvent{Stream: eventstore.StreamName(eventstore.KindOrganisation, "casa"), Position: eventstore.NewPosition(pos, 0)}
		rec.Type = e.EventType()
		if err := o.Apply(Envelope{Record: rec, Event: e}); err != nil {
			t.Fatal(err)
		}
	}
	apply(domain.OrganisationRegistered{Name: "Casa", Kind: domain.OrgShelter, Jurisdiction: "MX", At: at(0)})
	r2026 := domain.BaselineSurveyAnswered{Round: 2026, Capacity: 10, At: at(1)}
	r2025 := domain.BaselineSurveyAnswered{Round: 2025, Capacity: 8, Needs: []domain.SurveyNeed{domain.SurveyNeedTransport}, At: at(2)}
	apply(r2026)
	apply(r2025)
	before, _ := o.Get("casa")
	corrected := domain.BaselineSurveyAnswered{Round: 2026, Capacity: 12, Barriers: []domain.Barrier{domain.BarrierNoID}, At: at(3)}
	apply(corrected)

	got, _ := o.Get("casa")
	if want := []domain.BaselineSurveyAnswered{r2025, corrected}; !reflect.DeepEqual(got.Survey, want) {
		t.Errorf("survey\n got %+v\nwant %+v", got.Survey, want)
	}
	if got.Position != eventstore.NewPosition(4, 0) {
		t.Errorf("position %v", got.Position)
	}
	if want := []domain.BaselineSurveyAnswered{r2025, r2026}; !reflect.DeepEqual(before.Survey, want) {
		t.Errorf("a view handed out changed: %+v", before.Survey)
	}

	if err := NewOrganisations().Apply(Envelope{Record: eventstore.RecordedEvent{Stream: eventstore.StreamName(eventstore.KindOrganisation, "nobody")},
		Event: r2026}); err == nil {
		t.Errorf("an answer before the organisation was registered was applied")
	}
}
