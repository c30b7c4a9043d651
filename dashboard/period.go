package dashboard

import (
	"errors"
	"fmt"
	"time"
)

// index numbers months in order: January of year 0 is 0.
func (m Month) index() int { return m.Year*12 + int(m.Month) - 1 }

func monthAt(i int) Month { return Month{i / 12, time.Month(i%12 + 1)} }

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || t.Year() < 1 {
		return Month{}, errors.New("not a month: write YYYY-MM, e.g. 2026-03") // the value is not repeated: it could be anything typed in the wrong field
	}
	return MonthOf(t), nil
}

// Period is a quarter (Quarter 1–4) or a whole year (Quarter 0).
type Period struct {
	Year    int
	Quarter int
}

func (p Period) String() string {
	if p.Quarter == 0 {
		return fmt.Sprintf("%04d", p.Year)
	}
	return fmt.Sprintf("%04d-Q%d", p.Year, p.Quarter)
}

// first and last are the period's first and last months.
func (p Period) first() Month {
	if p.Quarter == 0 {
		return Month{p.Year, time.January}
	}
	return Month{p.Year, time.Month(3*p.Quarter - 2)}
}

func (p Period) last() Month {
	if p.Quarter == 0 {
		return Month{p.Year, time.December}
	}
	return Month{p.Year, time.Month(3 * p.Quarter)}
}

// periodsWithin are the quarters and years that lie wholly from from to to, in order
// (a year after its fourth quarter).
func periodsWithin(from, to Month) []Period {
	var out []Period
	for y := from.Year; y <= to.Year; y++ {
		for q := 0; q <= 4; q++ {
			p := Period{y, (q + 1) % 5} // quarters 1–4, then the year
			if p.first().index() >= from.index() && p.last().index() <= to.index() {
				out = append(out, p)
			}
		}
	}
	return out
}
