package dashboard

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/waymark-org/waymark/domain"
)

// MaxMonths is the longest range a dashboard covers.
const MaxMonths = 36

// ErrBadFilter is a filter that selects no dashboard; its message says why.
var ErrBadFilter = errors.New("bad dashboard filter")

// Filter selects a dashboard: a jurisdiction, one organisation or all of them (""),
// and whole months.
type Filter struct {
	Jurisdiction string
	Organisation string
	From, To     Month
}

// Check refuses a filter that selects nothing, with a sentence saying why.
func (f Filter) Check() error {
	switch {
	case f.Jurisdiction == "":
		return fmt.Errorf("%w: jurisdiction is required", ErrBadFilter)
	case f.To.index() < f.From.index():
		return fmt.Errorf("%w: toMonth %s is before fromMonth %s", ErrBadFilter, f.To, f.From)
	case f.To.index()-f.From.index()+1 > MaxMonths:
		return fmt.Errorf("%w: a dashboard covers at most %d months; %s to %s is %d", ErrBadFilter, MaxMonths, f.From, f.To, f.To.index()-f.From.index()+1)
	}
	return nil
}

// OpenCase is an open case of the jurisdiction as it stands: who holds it, when it
// was referred, when it last changed.
type OpenCase struct {
	Organisation string
	ReferredAt   time.Time
	LastEventAt  time.Time
}

// Query is what a dashboard is published from besides the figures.
type Query struct {
	Filter
	Now          time.Time     // the current month is the one Now falls in (UTC)
	Open         []OpenCase    // the jurisdiction's open cases now
	StalledAfter time.Duration // an open case with no event for this long is stalled
}

// View is a dashboard as it may be shown.
type View struct {
	Filter
	Months      []Month
	Periods     []Period
	MinCell     int
	Current     Month
	Funnel      []Series
	Conversions []Conversion
	Figures     []Series
	Durations   []Duration
	OpenCases   []Band
	Stalled     Count
}

// Series is one figure, a count per month of View.Months and per period of
// View.Periods.
type Series struct {
	Figure  Figure
	Months  []Count
	Periods []Count
}

// Conversion is the funnel's conversion from one stage to the next over a period:
// To's count per hundred of From's, worked out from published counts alone (nil when
// either is withheld or provisional, or From's is 0).
type Conversion struct {
	From, To domain.Stage
	Period   Period
	Percent  *float64
}

// Duration is one measure's wait over a closed period: how many cases waited (rounded
// down to a multiple of k, so that two periods' counts cannot be subtracted), and
// the median and 90th percentile in days (nil over fewer than k cases, or while the
// period is open).
type Duration struct {
	Measure
	Period      Period
	Cases       Count
	Median, P90 *float64
}

// Band is the open cases referred within an age band.
type Band struct {
	Band  string
	Count Count
}

// Bands are the open cases' age bands, in days since referral.
var Bands = []struct {
	Name     string
	UpToDays int // inclusive; the last band has no bound
}{{"0-30", 30}, {"31-90", 90}, {"91-180", 180}, {"181-365", 365}, {"366+", math.MaxInt}}

// Publisher publishes dashboards with k the smallest count shown. It keeps each
// suppressed table between calls and suppresses it again only when its counts
// changed: a table's suppression depends on its counts alone, so a table published
// twice is published the same way. Safe for concurrent use.
type Publisher struct {
	k      int
	mu     sync.Mutex
	tables map[tableKey]*suppressedTable
}

type tableKey struct {
	jurisdiction string
	year         int
	fig          Figure
}

type suppressedTable struct {
	rows  []string
	cells [][]int
	pub   Published
}

// NewPublisher returns a publisher with k the smallest count shown.
func NewPublisher(k int) (*Publisher, error) {
	if err := CheckMinCell(k); err != nil {
		return nil, err
	}
	return &Publisher{k: k, tables: map[tableKey]*suppressedTable{}}, nil
}

// Publish is the dashboard q selects, from figures f (which the caller keeps still
// meanwhile).
//
// The counts come from fixed tables, one a figure per jurisdiction and calendar
// year: its organisations by its twelve months, with each organisation's year, each
// month's jurisdiction-wide count and the year's as totals, suppressed as a whole. A
// filter only selects from them (an organisation's row, or the totals), so no two
// filters give two sums of the same counts to subtract. The current month is
// provisional: each organisation's count is rounded down to a multiple of k before
// the table is suppressed, so what is published of it moves only in steps of k. A
// quarter is published only when its three months are, as their sum.
func (p *Publisher) Publish(f *Figures, q Query) (View, error) {
	if err := q.Check(); err != nil {
		return View{}, err
	}
	v := View{Filter: q.Filter, MinCell: p.k, Current: MonthOf(q.Now), Periods: periodsWithin(q.From, q.To)}
	for i := q.From.index(); i <= q.To.index(); i++ {
		v.Months = append(v.Months, monthAt(i))
	}
	years := yearsOf(f, q.Jurisdiction, q.From.Year, q.To.Year)
	for _, fig := range funnelFigures() {
		v.Funnel = append(v.Funnel, p.series(years, q, v, fig))
	}
	v.Conversions = conversions(v)
	for _, c := range catalogue() {
		codes := c.codes
		if c.bureaus {
			codes = bureausOf(years, c.fig)
		}
		if len(codes) == 0 && !c.bureaus {
			v.Figures = append(v.Figures, p.series(years, q, v, c.fig))
		}
		for _, code := range codes {
			v.Figures = append(v.Figures, p.series(years, q, v, c.fig.By(code)))
		}
	}
	v.Durations = p.durations(f, q, v)
	v.OpenCases, v.Stalled = p.openCases(q)
	return v, nil
}

// conversions are the funnel's, from its published period counts.
func conversions(v View) []Conversion {
	stages := domain.AllStage()
	var out []Conversion
	for i := 0; i+1 < len(v.Funnel); i++ {
		for pi, per := range v.Periods {
			c := Conversion{From: stages[i], To: stages[i+1], Period: per}
			from, to := v.Funnel[i].Periods[pi], v.Funnel[i+1].Periods[pi]
			if published := func(c Count) bool { return !c.Suppressed && !c.Provisional }; published(from) && published(to) && from.Value > 0 {
				pct := math.Round(1000*float64(to.Value)/float64(from.Value)) / 10
				c.Percent = &pct
			}
			out = append(out, c)
		}
	}
	return out
}

// yearCounts are one jurisdiction-year's counts: by figure, by organisation, by month.
type yearCounts struct {
	year int
	orgs []string // sorted: the table's rows
	figs map[Figure]map[string]*[12]int
}

func yearsOf(f *Figures, jurisdiction string, from, to int) map[int]*yearCounts {
	years := map[int]*yearCounts{}
	for y := from; y <= to; y++ {
		years[y] = &yearCounts{year: y, figs: map[Figure]map[string]*[12]int{}}
	}
	for c, byFig := range f.counts {
		yc := years[c.Month.Year]
		if c.Jurisdiction != jurisdiction || yc == nil {
			continue
		}
		if !slices.Contains(yc.orgs, c.Organisation) {
			yc.orgs = append(yc.orgs, c.Organisation)
		}
		for fig, n := range byFig {
			byOrg := yc.figs[fig]
			if byOrg == nil {
				byOrg = map[string]*[12]int{}
				yc.figs[fig] = byOrg
			}
			months := byOrg[c.Organisation]
			if months == nil {
				months = new([12]int)
				byOrg[c.Organisation] = months
			}
			months[c.Month.Month-1] = n
		}
	}
	for _, yc := range years {
		slices.Sort(yc.orgs)
	}
	return years
}

// bureausOf are the bureaus with any count of fig (items_blocked, items_refused) in
// the years, sorted.
func bureausOf(years map[int]*yearCounts, fig Figure) []string {
	var out []string
	for _, yc := range years {
		for f := range yc.figs {
			if name, code := f.Split(); name == string(fig) && code != "" && !slices.Contains(out, code) {
				out = append(out, code)
			}
		}
	}
	slices.Sort(out)
	return out
}

// series is fig for the view's months and periods.
func (p *Publisher) series(years map[int]*yearCounts, q Query, v View, fig Figure) Series {
	s := Series{Figure: fig}
	pubs := map[int]Published{}
	rowOf := map[int]int{} // the filter's organisation's row in each year's table; −1: none
	for y, yc := range years {
		pubs[y] = p.table(q.Jurisdiction, yc, fig, v.Current)
		rowOf[y] = slices.Index(yc.orgs, q.Organisation)
	}
	provisional := func(m Month) bool { return m.index() >= v.Current.index() }
	monthCount := func(m Month) Count {
		pub, row := pubs[m.Year], rowOf[m.Year]
		var c Count
		switch {
		case q.Organisation == "":
			c = pub.ColTotals[m.Month-1]
		case row >= 0:
			c = pub.Cells[row][m.Month-1]
		}
		c.Provisional = provisional(m)
		return c
	}
	for _, m := range v.Months {
		s.Months = append(s.Months, monthCount(m))
	}
	for _, per := range v.Periods {
		if per.Quarter == 0 {
			pub, row := pubs[per.Year], rowOf[per.Year]
			var c Count
			switch {
			case q.Organisation == "":
				c = pub.Total
			case row >= 0:
				c = pub.RowTotals[row]
			}
			c.Provisional = provisional(per.last())
			s.Periods = append(s.Periods, c)
			continue
		}
		sum := Count{Provisional: provisional(per.last())}
		for i := per.first().index(); i <= per.last().index(); i++ {
			c := monthCount(monthAt(i))
			if c.Suppressed {
				sum = Count{Suppressed: true, Provisional: sum.Provisional}
				break
			}
			sum.Value += c.Value
		}
		s.Periods = append(s.Periods, sum)
	}
	return s
}

// table is fig's table for a jurisdiction-year, suppressed: from the cache when its
// counts did not change.
func (p *Publisher) table(jurisdiction string, yc *yearCounts, fig Figure, current Month) Published {
	cells := make([][]int, len(yc.orgs))
	for r, org := range yc.orgs {
		cells[r] = make([]int, 12)
		if months := yc.figs[fig][org]; months != nil {
			for c := range 12 {
				n := months[c]
				if (Month{yc.year, time.Month(c + 1)}).index() >= current.index() {
					n = n / p.k * p.k // provisional: moves in steps of k
				}
				cells[r][c] = n
			}
		}
	}
	if len(cells) == 0 {
		return Published{ColTotals: make([]Count, 12)} // nobody counted anything: zeros
	}
	key := tableKey{jurisdiction, yc.year, fig}
	p.mu.Lock()
	cached := p.tables[key]
	p.mu.Unlock()
	if cached != nil && slices.Equal(cached.rows, yc.orgs) && slices.EqualFunc(cached.cells, cells, slices.Equal) {
		return cached.pub
	}
	pub, err := Suppress(Table{Cells: cells}, p.k)
	if err != nil {
		// Counts are never negative and k was checked: a bug, and nothing is published.
		pub = suppressedAll(len(cells))
	}
	p.mu.Lock()
	p.tables[key] = &suppressedTable{rows: slices.Clone(yc.orgs), cells: cells, pub: pub}
	p.mu.Unlock()
	return pub
}

func suppressedAll(rows int) Published {
	hidden := Count{Suppressed: true}
	pub := Published{Cells: make([][]Count, rows), RowTotals: make([]Count, rows), ColTotals: make([]Count, 12), Total: hidden}
	for r := range rows {
		pub.Cells[r] = slices.Repeat([]Count{hidden}, 12)
		pub.RowTotals[r] = hidden
	}
	for c := range 12 {
		pub.ColTotals[c] = hidden
	}
	return pub
}

// durations are the view's waits: each measure over each period of the view.
func (p *Publisher) durations(f *Figures, q Query, v View) []Duration {
	var out []Duration
	for _, m := range measures() {
		for _, per := range v.Periods {
			var waits []float64
			for c, byMeasure := range f.durations {
				if c.Jurisdiction != q.Jurisdiction || (q.Organisation != "" && c.Organisation != q.Organisation) ||
					c.Month.index() < per.first().index() || c.Month.index() > per.last().index() {
					continue
				}
				for _, d := range byMeasure[m] {
					waits = append(waits, float64(d))
				}
			}
			d := Duration{Measure: m, Period: per, Cases: Count{Value: len(waits) / p.k * p.k}}
			if per.last().index() >= v.Current.index() {
				d.Cases.Provisional = true
			} else {
				d.Median = p.quantile(waits, 0.5)
				d.P90 = p.quantile(waits, 0.9)
			}
			out = append(out, d)
		}
	}
	return out
}

func (p *Publisher) quantile(values []float64, q float64) *float64 {
	v, ok := Quantile(values, q, p.k)
	if !ok {
		return nil
	}
	v = math.Round(v*10) / 10 // tenths of a day: finer says nothing more
	return &v
}

// openCases are the open cases now by age band, and how many are stalled: each
// organisation's count rounded down to a multiple of k (they change as cases come and
// go, so they are always provisional), a jurisdiction's the sum of its organisations'.
func (p *Publisher) openCases(q Query) ([]Band, Count) {
	type counts struct {
		bands   [5]int
		stalled int
	}
	byOrg := map[string]*counts{}
	for _, oc := range q.Open {
		if q.Organisation != "" && oc.Organisation != q.Organisation {
			continue
		}
		c := byOrg[oc.Organisation]
		if c == nil {
			c = &counts{}
			byOrg[oc.Organisation] = c
		}
		age := int(q.Now.Sub(oc.ReferredAt).Hours() / 24)
		for i, b := range Bands {
			if age <= b.UpToDays {
				c.bands[i]++
				break
			}
		}
		if q.Now.Sub(oc.LastEventAt) >= q.StalledAfter {
			c.stalled++
		}
	}
	bands := make([]Band, len(Bands))
	for i, b := range Bands {
		bands[i] = Band{Band: b.Name, Count: Count{Provisional: true}}
	}
	stalled := Count{Provisional: true}
	for _, c := range byOrg {
		for i := range bands {
			bands[i].Count.Value += c.bands[i] / p.k * p.k
		}
		stalled.Value += c.stalled / p.k * p.k
	}
	return bands, stalled
}

// Code is the series' breakdown code ("" when none).
func (s Series) Code() string { _, c := s.Figure.Split(); return c }

// Name is what the series counts.
func (s Series) Name() string { n, _ := s.Figure.Split(); return n }
