package dashboard

import "slices"

// DurationKind is what a duration measures.
type DurationKind string

// The durations measured.
const (
	DurationStage   DurationKind = "stage"   // from reaching one stage to reaching a later one
	DurationBarrier DurationKind = "barrier" // from a barrier recorded to its resolution
	DurationNeed    DurationKind = "need"    // from a need recorded to its being met
)

// AllDurationKind lists the kinds in the schema's order.
func AllDurationKind() []DurationKind {
	return []DurationKind{DurationStage, DurationBarrier, DurationNeed}
}

// Valid reports whether x is one of AllDurationKind.
func (x DurationKind) Valid() bool { return slices.Contains(AllDurationKind(), x) }
