// Package calendar counts business days per jurisdiction: the statutory clocks on
// credit bureau block requests (FCRA §605C in the US) run in business days, with each
// jurisdiction's weekend and public holidays. Calendars are data (calendars.json,
// overridable with a file); this file is pure: no clock, no files.
package calendar

import (
	"fmt"
	"slices"
	"time"
)

// Date is a day of the calendar, without a time or a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the day t falls on in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays is the day n days after d (normalised: 2026-12-32 is 2027-01-01).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC), time.UTC)
}

// Weekday is the day of the week d falls on.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Start is the first instant of d in loc (local midnight; time.Date normalises a
// midnight skipped by a daylight-saving change).
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Calendar is one jurisdiction's business days and statutory block clock.
type Calendar struct {
	Jurisdiction string         // ISO 3166 alpha-2
	Weekend      []time.Weekday // days that are never business days
	Holidays     []Date         // public holidays (observed dates), within HolidayYears
	// HolidayYears are the years whose holidays Holidays lists in full: a day in
	// another year may be a holiday Waymark does not know of (Covers).
	HolidayYears []int
	// BlockDays is the statutory clock in business days (0: no statutory clock).
	BlockDays int
	// Zone is the IANA zone that decides on which local day a request arrives; Loc
	// is it, resolved when the calendar was loaded.
	Zone string
	Loc  *time.Location
}

// BusinessDay reports whether d is neither a weekend day nor a holiday.
func (c Calendar) BusinessDay(d Date) bool {
	return !slices.Contains(c.Weekend, d.Weekday()) && !slices.Contains(c.Holidays, d)
}

// AddBusinessDays returns the first instant (local midnight in the calendar's zone)
// of the n-th business day after the local day from falls on. The day of from itself
// never counts, whether or not it is a business day: a request received on a Saturday
// counts from the Monday, as day 1. n <= 0 returns the start of from's own day.
func (c Calendar) AddBusinessDays(from time.Time, n int) time.Time {
	return c.addBusinessDays(DateOf(from, c.location()), n).Start(c.location())
}

func (c Calendar) addBusinessDays(d Date, n int) Date {
	// A weekend of seven days is refused when a calendar is loaded; the bound keeps a
	// hand-built one from looping for ever.
	for counted, steps := 0, 0; counted < n && steps < 366*max(n, 1); steps++ {
		d = d.AddDays(1)
		if c.BusinessDay(d) {
			counted++
		}
	}
	return d
}

// DueAt is when a block request received at filedAt must have been answered: the end
// of the BlockDays-th business day after the local day of receipt, that is the first
// instant of the following calendar day in the calendar's zone (a dispute is overdue
// from that instant on). FCRA §605C: "not later than 4 business days after the date
// of receipt". The zero time when the jurisdiction has no statutory clock.
func (c Calendar) DueAt(filedAt time.Time) time.Time {
	if c.BlockDays <= 0 {
		return time.Time{}
	}
	last := c.addBusinessDays(DateOf(filedAt, c.location()), c.BlockDays)
	return last.AddDays(1).Start(c.location())
}

// LastDay is the last business day a clock started at filedAt counts (the day before
// DueAt), for Covers.
func (c Calendar) LastDay(filedAt time.Time) Date {
	return c.addBusinessDays(DateOf(filedAt, c.location()), max(c.BlockDays, 0))
}

// Covers reports whether the holidays of every day from from's local day to the day
// to are known: outside HolidayYears, a count treats holidays as business days.
func (c Calendar) Covers(from time.Time, to Date) bool {
	for y := DateOf(from, c.location()).Year; y <= to.Year; y++ {
		if !slices.Contains(c.HolidayYears, y) {
			return false
		}
	}
	return true
}

func (c Calendar) location() *time.Location {
	if c.Loc == nil {
		return time.UTC
	}
	return c.Loc
}
