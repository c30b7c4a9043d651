package analytics

import (
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// Durations are whole calendar days between the two steps' days (UTC), so they say no
// more than the two days published: 23:59 to 00:01 two days later is 2.
func TestDurationsAreWholeDays(t *testing.T) {
	p := testPseudonymizer(t)
	identified := time.Date(2026, 6, 1, 23, 59, 0, 0, time.UTC)
	resolved := time.Date(2026, 6, 3, 0, 1, 0, 0, time.UTC)
	c := domain.Evolve(domain.Case{}, domain.SurvivorReferred{ReferringOrganisation: "fx-shelter", Jurisdiction: "MX", At: identified})
	c = domain.Evolve(c, domain.BarrierIdentified{Barrier: domain.BarrierNoID, At: identified})
	e := domain.BarrierResolved{Barrier: domain.BarrierNoID, At: resolved}
	c = domain.Evolve(c, e)
	rec := eventstore.RecordedEvent{Stream: "case-c1", EventData: eventstore.EventData{ID: "e3", Type: e.EventType()}}
	ce, ok := Map(rec, e, c, p)
	if !ok {
		t.Fatal("not mapped")
	}
	if got := ce.Data["daysOpen"]; got != 2 {
		t.Errorf("daysOpen = %v, want 2 (data %v)", got, ce.Data)
	}
	if ce.Time != "2026-06-03T00:00:00Z" {
		t.Errorf("time = %s", ce.Time)
	}
}

// The fixtures' journeys give every duration the contract names at least once (the
// case after the event still knows when the step began).
func TestFixtureDurationsArePublished(t *testing.T) {
	p := testPseudonymizer(t)
	want := map[string]string{
		"BarrierResolved": "daysOpen", "NeedMet": "daysOpen", "IDDocumentObtained": "daysSinceRequested",
		"IDDocumentRefused": "daysSinceRequested", "CreditDisputeResolved": "daysSinceFiled",
	}
	got := map[string]bool{}
	for _, fe := range loadFixture(t) {
		ce, ok := Map(fe.rec, fe.event, fe.after, p)
		if key, measured := want[fe.rec.Type]; ok && measured {
			if d, ok := ce.Data[key].(int); ok && d >= 0 {
				got[fe.rec.Type] = true
			}
		}
	}
	for typ := range want {
		if !got[typ] {
			t.Errorf("no %s message carries %s", typ, want[typ])
		}
	}
}
