package dashboard

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
)

func refer(j *journey, id, org string, at time.Time, barriers ...domain.Barrier) {
	j.apply(id, domain.SurvivorReferred{ReferringOrganisation: org, Jurisdiction: "MX", Barriers: barriers, At: at})
}

func seriesOf(t *testing.T, v View, fig Figure) Series {
	t.Helper()
	for _, s := range append(append([]Series{}, v.Funnel...), v.Figures...) {
		if s.Figure == fig {
			return s
		}
	}
	t.Fatalf("no series %s", fig)
	return Series{}
}

func mustPublish(t *testing.T, p *Publisher, f *Figures, q Query) View {
	t.Helper()
	v, err := p.Publish(f, q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A hand-computed fixture (k = 3): shelter A refers 4 survivors in January 2026 and 1
// in February, shelter B 3 in January; it is now March 2026.
func TestPublishFixture(t *testing.T) {
	j := &journey{f: NewFigures(), states: map[string]domain.Case{}}
	for i := range 4 {
		refer(j, fmt.Sprint("a", i), "shelter-a", day("2026-01-10T10:00:00Z"), domain.BarrierNoID)
	}
	refer(j, "a4", "shelter-a", day("2026-02-10T10:00:00Z"))
	for i := range 3 {
		refer(j, fmt.Sprint("b", i), "shelter-b", day("2026-01-20T10:00:00Z"))
	}
	p, _ := NewPublisher(3)
	q := Query{Filter: Filter{Jurisdiction: "MX", From: Month{2026, time.January}, To: Month{2026, time.March}}, Now: day("2026-03-15T00:00:00Z")}
	all := mustPublish(t, p, j.f, q)
	if got := fmt.Sprint(all.Months, all.Periods); got != "[2026-01 2026-02 2026-03] [2026-Q1]" {
		t.Errorf("months and periods: %s", got)
	}
	// The table (rows A, B; January, February, March…): [[4 1 0…] [3 0 0…]], year
	// totals 5 and 3, month totals 7, 1, 0…, and 8 in all. February's 1 is withheld
	// wherever it shows (A's February and February's total), and so is January's
	// total (8 − 7 would give February back), and A's January (A's 5 − 4 would).
	// Shelter B's row shows.
	ref := seriesOf(t, all, FigReferrals)
	want := []Count{{Suppressed: true}, {Suppressed: true}, {Value: 0, Provisional: true}}
	for i, c := range ref.Months {
		if c != want[i] {
			t.Errorf("jurisdiction referrals, month %s: %+v, want %+v", all.Months[i], c, want[i])
		}
	}
	if q1 := ref.Periods[0]; !q1.Suppressed || !q1.Provisional {
		t.Errorf("Q1 has a suppressed month and is open: %+v", q1)
	}
	q.Organisation = "shelter-b"
	b := seriesOf(t, mustPublish(t, p, j.f, q), FigReferrals)
	if b.Months[0] != (Count{Value: 3}) || b.Months[1] != (Count{Value: 0}) || b.Periods[0] != (Count{Value: 3, Provisional: true}) {
		t.Errorf("shelter B's referrals: %+v", b.Months)
	}
	q.Organisation = "shelter-a"
	a := seriesOf(t, mustPublish(t, p, j.f, q), FigReferrals)
	if !a.Months[1].Suppressed || !a.Months[0].Suppressed {
		t.Errorf("shelter A's February (1) and, to protect it, January: %+v", a.Months)
	}
	if ref.Periods[0] != (Count{Suppressed: true, Provisional: true}) {
		t.Errorf("the jurisdiction's Q1: %+v", ref.Periods[0])
	}
	if nb := seriesOf(t, mustPublish(t, p, j.f, q), FigBarrierAtReferral.By("no_id")); nb.Months[0] != (Count{Value: 4}) {
		t.Errorf("shelter A's no_id barriers in January: %+v", nb.Months[0])
	}
}

func TestPublishRefusesBadFilters(t *testing.T) {
	p, _ := NewPublisher(5)
	jan := Month{2026, time.January}
	for name, f := range map[string]Filter{
		"no jurisdiction":   {From: jan, To: jan},
		"backwards":         {Jurisdiction: "MX", From: Month{2026, time.March}, To: jan},
		"more than 3 years": {Jurisdiction: "MX", From: Month{2023, time.January}, To: jan},
	} {
		if _, err := p.Publish(NewFigures(), Query{Filter: f, Now: day("2026-03-15T00:00:00Z")}); !errors.Is(err, ErrBadFilter) {
			t.Errorf("%s: %v, want ErrBadFilter", name, err)
		}
	}
	if _, err := NewPublisher(2); err == nil {
		t.Error("k = 2 accepted")
	}
}

// randomYear refers survivors at random to orgs over 2025 (a closed year when it is
// now 2026), with barriers, so that many counts are small.
func randomYear(rng *rand.Rand, orgs, cases int) *journey {
	j := &journey{f: NewFigures(), states: map[string]domain.Case{}}
	barriers := domain.AllBarrier()
	for i := range cases {
		at := time.Date(2025, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 12, 0, 0, 0, time.UTC)
		var bs []domain.Barrier
		if rng.IntN(2) == 0 {
			bs = append(bs, barriers[rng.IntN(3)])
		}
		refer(j, fmt.Sprint("c", i), fmt.Sprint("org-", rng.IntN(orgs)), at, bs...)
	}
	return j
}

// Every filter selects from the same suppressed table: what all of them publish
// together (each organisation's months and year, the jurisdiction's months and year,
// the quarters) is one published table, and it must give nothing back.
func TestPublishFiltersTogetherGiveNothingBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 14))
	for round := range 25 {
		orgs := 2 + rng.IntN(4)
		j := randomYear(rng, orgs, 10+rng.IntN(60))
		p, _ := NewPublisher(3 + rng.IntN(3))
		q := Query{Filter: Filter{Jurisdiction: "MX", From: Month{2025, time.January}, To: Month{2025, time.December}}, Now: day("2026-02-01T00:00:00Z")}
		for _, fig := range []Figure{FigReferrals, FigBarrierAtReferral.By(string(domain.AllBarrier()[0]))} {
			var rows []string
			var tab Table
			for o := range orgs {
				org := fmt.Sprint("org-", o)
				counts := make([]int, 12)
				for m := range 12 {
					counts[m] = j.f.Count(Cell{"MX", org, Month{2025, time.Month(m + 1)}}, fig)
				}
				if j.f.anyIn("MX", org, 2025) {
					rows = append(rows, org)
					tab.Cells = append(tab.Cells, counts)
				}
			}
			union := Published{Total: Count{Suppressed: true}, ColTotals: make([]Count, 12)}
			all := seriesOf(t, mustPublish(t, p, j.f, q), fig)
			copy(union.ColTotals, all.Months)
			union.Total = all.Periods[len(all.Periods)-1]
			for _, org := range rows {
				q := q
				q.Organisation = org
				s := seriesOf(t, mustPublish(t, p, j.f, q), fig)
				union.Cells = append(union.Cells, s.Months)
				union.RowTotals = append(union.RowTotals, s.Periods[len(s.Periods)-1])
				checkQuarters(t, s)
			}
			checkQuarters(t, all)
			checkPublished(t, fmt.Sprintf("round %d, %s", round, fig), tab, p.k, union)
		}
	}
}

// anyIn reports whether an organisation has any count in a jurisdiction-year: the
// rows of that year's tables.
func (f *Figures) anyIn(jurisdiction, org string, year int) bool {
	for c := range f.counts {
		if c.Jurisdiction == jurisdiction && c.Organisation == org && c.Month.Year == year {
			return true
		}
	}
	return false
}

// checkQuarters: a quarter is published only as the sum of its three published months.
func checkQuarters(t *testing.T, s Series) {
	t.Helper()
	for q := range 4 {
		c := s.Periods[q]
		sum, hidden := 0, false
		for _, m := range s.Months[3*q : 3*q+3] {
			sum += m.Value
			hidden = hidden || m.Suppressed
		}
		if c.Suppressed != hidden || (!hidden && c.Value != sum) {
			t.Errorf("%s Q%d: %+v, its months %+v", s.Figure, q+1, c, s.Months[3*q:3*q+3])
		}
	}
}

// Consecutive updates: a survivor referred at a time, published after each. Every
// number published twice in a row either stays or moves by k or more: no update
// shows a change smaller than k.
func TestPublishUpdatesMoveInStepsOfK(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	j := &journey{f: NewFigures(), states: map[string]domain.Case{}}
	p, _ := NewPublisher(5)
	now := day("2026-03-01T00:00:00Z")
	var last []View
	for i := range 120 {
		now = now.Add(time.Duration(1+rng.IntN(300)) * time.Minute)
		refer(j, fmt.Sprint("c", i), fmt.Sprint("org-", rng.IntN(3)), now, domain.AllBarrier()[rng.IntN(2)])
		var views []View
		for _, org := range []string{"", "org-0", "org-1", "org-2"} {
			q := Query{Filter: Filter{Jurisdiction: "MX", Organisation: org, From: Month{2026, time.January}, To: Month{2026, time.March}}, Now: now}
			views = append(views, mustPublish(t, p, j.f, q))
		}
		for vi := range last {
			compareViews(t, fmt.Sprintf("after case %d, view %d", i, vi), last[vi], views[vi], p.k)
		}
		last = views
	}
}

func compareViews(t *testing.T, name string, a, b View, k int) {
	t.Helper()
	for si := range b.Figures {
		sa, sb := a.Figures[si], b.Figures[si]
		for mi := range sb.Months {
			ca, cb := sa.Months[mi], sb.Months[mi]
			if d := cb.Value - ca.Value; !ca.Suppressed && !cb.Suppressed && d != 0 && (d < k && d > -k) {
				t.Fatalf("%s: %s %s moved from %d to %d", name, sb.Figure, b.Months[mi], ca.Value, cb.Value)
			}
		}
	}
}

// Conversions come from the funnel's published, closed period counts alone.
func TestPublishConversions(t *testing.T) {
	j := &journey{f: NewFigures(), states: map[string]domain.Case{}}
	for i := range 10 {
		id := fmt.Sprint("c", i)
		refer(j, id, "shelter-a", day("2026-01-05T00:00:00Z"))
		if i < 6 {
			j.apply(id, domain.IDDocumentRequested{DocumentID: "d", Kind: domain.DocPassport, At: day("2026-02-05T00:00:00Z")})
		}
	}
	p, _ := NewPublisher(5)
	v := mustPublish(t, p, j.f, Query{Filter: Filter{Jurisdiction: "MX", From: Month{2026, time.January}, To: Month{2026, time.June}},
		Now: day("2026-05-10T00:00:00Z")})
	var got []string
	for _, c := range v.Conversions {
		pct := "-"
		if c.Percent != nil {
			pct = fmt.Sprint(*c.Percent)
		}
		got = append(got, fmt.Sprintf("%s>%s %s %s", c.From, c.To, c.Period, pct))
	}
	// Q1: 10 referred, 6 reached ID recovery: 60%; none further (0 of 6: 0%, then 0 of
	// 0: nothing); Q2 is open.
	want := "[referral>id_recovery 2026-Q1 60 referral>id_recovery 2026-Q2 - id_recovery>account_opening 2026-Q1 0 " +
		"id_recovery>account_opening 2026-Q2 - account_opening>credit_repair 2026-Q1 - account_opening>credit_repair 2026-Q2 -]"
	if fmt.Sprint(got) != want {
		t.Errorf("conversions:\n%v\nwant\n%s", got, want)
	}
}

// Waits: medians over closed periods only, withheld below k, cases rounded down to k.
func TestPublishDurations(t *testing.T) {
	j := &journey{f: NewFigures(), states: map[string]domain.Case{}}
	for i := range 6 {
		id := fmt.Sprint("c", i)
		refer(j, id, "shelter-a", day("2026-01-05T00:00:00Z"))
		j.apply(id, domain.IDDocumentRequested{DocumentID: "d", Kind: domain.DocPassport, At: day("2026-01-05T00:00:00Z").Add(time.Duration(i+1) * 24 * time.Hour)})
	}
	p, _ := NewPublisher(5)
	q := Query{Filter: Filter{Jurisdiction: "MX", From: Month{2026, time.January}, To: Month{2026, time.June}}, Now: day("2026-05-10T00:00:00Z")}
	v := mustPublish(t, p, j.f, q)
	var got []string
	for _, d := range v.Durations {
		if d.Kind == DurationStage && d.From == "referral" && d.To == "id_recovery" {
			med := "-"
			if d.Median != nil {
				med = fmt.Sprintf("%.1f/%.1f", *d.Median, *d.P90)
			}
			got = append(got, fmt.Sprintf("%s:%d:%s", d.Period, d.Cases.Value, med))
		}
	}
	// Six waits of 1–6 days: rounded down to 5 cases; median 3 days, P90 6; Q2 is open.
	if fmt.Sprint(got) != "[2026-Q1:5:3.0/6.0 2026-Q2:0:-]" {
		t.Errorf("referral → id_recovery waits: %v", got)
	}
}

func TestPublishOpenCases(t *testing.T) {
	now := day("2026-05-10T00:00:00Z")
	var open []OpenCase
	for i := range 7 {
		open = append(open, OpenCase{Organisation: "a", ReferredAt: now.Add(-10 * 24 * time.Hour), LastEventAt: now.Add(-40 * 24 * time.Hour)})
		_ = i
	}
	for range 4 {
		open = append(open, OpenCase{Organisation: "b", ReferredAt: now.Add(-400 * 24 * time.Hour), LastEventAt: now})
	}
	p, _ := NewPublisher(5)
	v := mustPublish(t, p, NewFigures(), Query{Filter: Filter{Jurisdiction: "MX", From: Month{2026, time.May}, To: Month{2026, time.May}}, Now: now, Open: open, StalledAfter: 30 * 24 * time.Hour})
	if v.OpenCases[0].Count != (Count{Value: 5, Provisional: true}) || v.OpenCases[4].Count != (Count{Value: 0, Provisional: true}) {
		t.Errorf("bands: %+v (a's 7 round down to 5, b's 4 to 0)", v.OpenCases)
	}
	if v.Stalled != (Count{Value: 5, Provisional: true}) {
		t.Errorf("stalled: %+v", v.Stalled)
	}
}
