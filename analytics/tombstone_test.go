package analytics

import (
	"strings"
	"testing"
	"time"
)

// A tombstone validates against its schema (through the shared Validator, which every
// case message passes too), says only the pseudonym, the day and the jurisdiction, and
// gets a new id for a new entry into the feed or another jurisdiction.
func TestTombstone(t *testing.T) {
	p := testPseudonymizer(t)
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	const caseID = "000000f1-0000-7000-8000-000000000017"
	at := time.Date(2026, 6, 1, 9, 30, 15, 0, time.UTC)
	ce, ok := Tombstone(caseID, "entry-1", "MX", at, p)
	if !ok {
		t.Fatal("no tombstone")
	}
	raw, err := ce.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Validate(raw); err != nil {
		t.Errorf("%s: %v", raw, err)
	}
	if ce.Subject != p.Pseudonym(caseID) || ce.Time != "2026-06-01T00:00:00Z" || ce.Type != "org.waymark.case.tombstone.v1" || len(ce.Data) != 1 {
		t.Errorf("tombstone %+v", ce)
	}
	if found := leaks(raw, []string{caseID, "entry-1", "09:30"}); len(found) > 0 {
		t.Errorf("the tombstone holds %q", found)
	}
	again, _ := Tombstone(caseID, "entry-2", "MX", at, p)
	other, _ := Tombstone(caseID, "entry-1", "US", at, p)
	same, _ := Tombstone(caseID, "entry-1", "MX", at.Add(time.Hour), p)
	if again.ID == ce.ID || other.ID == ce.ID || same.ID != ce.ID {
		t.Errorf("tombstone ids: %s %s %s %s", ce.ID, again.ID, other.ID, same.ID)
	}
	if _, ok := Tombstone(caseID, "entry-1", "", at, p); ok {
		t.Error("a tombstone without a jurisdiction")
	}
	if _, ok := Tombstone(caseID, "entry-1", "MX", at, Pseudonymizer{}); ok {
		t.Error("a tombstone without a key")
	}
	// Positive control: the validator refuses a tombstone with a cause in it.
	bad := strings.Replace(string(raw), `"data":{`, `"data":{"reasonCode":"consent_withdrawn",`, 1)
	if err := v.Validate([]byte(bad)); err == nil {
		t.Error("a tombstone with a cause validated")
	}
}
