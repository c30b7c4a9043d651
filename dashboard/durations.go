package dashboard

import (
	"slices"
	"time"

	"github.com/waymark-org/waymark/domain"
)

// Measure is one wait the dashboard reports: between two stages of the journey (From
// the stage the case was at, To the stage it reached: a case that skips a stage
// waits from the one it was at), or from a barrier or need being recorded to its
// resolution (From the barrier or need, To "resolved" or "met").
type Measure struct {
	Kind     DurationKind
	From, To string
}

// waitsEnded are the waits event e ends, and notes when the case reached a stage.
func (ct *caseTrack) waitsEnded(e domain.Event, at time.Time, before, after domain.Case) []wait {
	var out []wait
	if after.Stage.Rank() > before.Stage.Rank() {
		if r := before.Stage.Rank(); r > 0 && ct.reachedAt[r-1] != 0 {
			out = append(out, wait{Measure{DurationStage, string(before.Stage), string(after.Stage)}, days(ct.reachedAt[r-1], at)})
		}
		for r := before.Stage.Rank() + 1; r <= after.Stage.Rank() && r <= stages; r++ {
			ct.reachedAt[r-1] = at.Unix()
		}
	}
	switch e := e.(type) {
	case domain.BarrierResolved:
		if span, ok := before.BarrierHistory.Get(e.Barrier); ok && !span.IdentifiedAt.IsZero() {
			out = append(out, wait{Measure{DurationBarrier, string(e.Barrier), "resolved"}, days(span.IdentifiedAt.Unix(), at)})
		}
	case domain.NeedMet:
		if span, ok := before.NeedHistory.Get(e.Need); ok && !span.IdentifiedAt.IsZero() {
			out = append(out, wait{Measure{DurationNeed, string(e.Need), "met"}, days(span.IdentifiedAt.Unix(), at)})
		}
	}
	return out
}

func days(fromUnix int64, to time.Time) float32 {
	return float32(max(0, to.Unix()-fromUnix)) / (24 * 60 * 60)
}

func (f *Figures) addWait(c Cell, w wait) {
	f.changes++
	byMeasure := f.durations[c]
	if byMeasure == nil {
		byMeasure = map[Measure][]float32{}
		f.durations[c] = byMeasure
	}
	byMeasure[w.m] = append(byMeasure[w.m], w.days)
}

// unwait takes one wait of w's measure and length out of cell c (a case transferred
// in the month it ended takes it along).
func (f *Figures) unwait(c Cell, w wait) {
	f.changes++
	byMeasure := f.durations[c]
	ws := byMeasure[w.m]
	i := slices.Index(ws, w.days)
	if i < 0 {
		return
	}
	ws = slices.Delete(ws, i, i+1)
	switch {
	case len(ws) > 0:
		byMeasure[w.m] = ws
	case len(byMeasure) > 1:
		delete(byMeasure, w.m)
	default:
		delete(f.durations, c)
	}
}
