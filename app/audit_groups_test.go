package app

import (
	"testing"

	"github.com/waymark-org/waymark/domain"
)

// Every case event's data and personal part belong to a field group, or a case's
// history would show a new event to nobody (or, worse, to the wrong callers).
func TestEveryCaseEventHasItsGroups(t *testing.T) {
	for _, spec := range domain.Events() {
		if spec.Aggregate != domain.AggregateCase {
			continue
		}
		if _, ok := eventGroups[spec.Type]; !ok {
			t.Errorf("%s has no field groups in eventGroups (app/audit_groups.go)", spec.Type)
		}
	}
	for name := range eventGroups {
		if spec, ok := domain.EventSpecFor(name); !ok || spec.Aggregate != domain.AggregateCase {
			t.Errorf("eventGroups lists %s, which is not a case event", name)
		}
	}
}
