package calendar

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // zones resolve the same on a host without a zoneinfo database
)

// Set is the calendars of every jurisdiction Waymark knows; a jurisdiction without one
// has no statutory clock.
type Set struct {
	byJurisdiction map[string]Calendar
}

// For returns the calendar of a jurisdiction (ISO 3166 alpha-2), or false.
func (s *Set) For(jurisdiction string) (Calendar, bool) {
	if s == nil {
		return Calendar{}, false
	}
	c, ok := s.byJurisdiction[jurisdiction]
	return c, ok
}

// Jurisdictions lists the jurisdictions s has a calendar for, sorted.
func (s *Set) Jurisdictions() []string {
	out := make([]string, 0, len(s.byJurisdiction))
	for j := range s.byJurisdiction {
		out = append(out, j)
	}
	slices.Sort(out)
	return out
}

//go:embed calendars.json
var defaultCalendars []byte

// Default returns the calendars Waymark ships with (calendars.json).
func Default() *Set {
	s, err := Parse(defaultCalendars)
	if err != nil {
		panic("calendar: the embedded calendars.json is malformed: " + err.Error()) // caught by TestDefault
	}
	return s
}

// ErrMalformed marks a calendar file that cannot be used; its message names the
// problem.
var ErrMalformed = errors.New("malformed calendar file")

// MaxBlockDays bounds a statutory clock: a longer one is a typo, not a law.
const MaxBlockDays = 60

// fileFormat is calendars.json.
type fileFormat struct {
	Calendars []calendarFormat `json:"calendars"`
}

type calendarFormat struct {
	Jurisdiction string          `json:"jurisdiction"`
	Zone         string          `json:"zone"`
	Weekend      []string        `json:"weekend"`
	BlockDays    int             `json:"block_days"` // absent or 0: no statutory clock
	Note         string          `json:"note"`       // for people: where the clock and holidays come from
	Years        []int           `json:"holiday_years"`
	Holidays     []holidayFormat `json:"holidays"`
}

type holidayFormat struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

// Parse reads a calendar file. Every problem is refused with a sentence naming it,
// wrapping ErrMalformed.
func Parse(raw []byte) (*Set, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f fileFormat
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the calendars object", ErrMalformed)
	}
	if len(f.Calendars) == 0 {
		return nil, fmt.Errorf("%w: no calendars (expected {\"calendars\": [...]})", ErrMalformed)
	}
	s := &Set{byJurisdiction: map[string]Calendar{}}
	for i, cf := range f.Calendars {
		c, err := cf.calendar()
		if err != nil {
			return nil, fmt.Errorf("%w: calendars[%d] (%s): %v", ErrMalformed, i, cf.Jurisdiction, err)
		}
		if _, dup := s.byJurisdiction[c.Jurisdiction]; dup {
			return nil, fmt.Errorf("%w: calendars[%d]: jurisdiction %s is listed twice", ErrMalformed, i, c.Jurisdiction)
		}
		s.byJurisdiction[c.Jurisdiction] = c
	}
	return s, nil
}

func (cf calendarFormat) calendar() (Calendar, error) {
	if !validJurisdiction(cf.Jurisdiction) {
		return Calendar{}, fmt.Errorf("jurisdiction %q is not an ISO 3166 alpha-2 code such as US", cf.Jurisdiction)
	}
	if cf.Zone == "" {
		return Calendar{}, errors.New("no zone (an IANA name such as America/New_York)")
	}
	loc, err := time.LoadLocation(cf.Zone)
	if err != nil {
		return Calendar{}, fmt.Errorf("zone %q is not a known IANA time zone", cf.Zone)
	}
	if cf.BlockDays < 0 || cf.BlockDays > MaxBlockDays {
		return Calendar{}, fmt.Errorf("block_days %d is outside 0..%d", cf.BlockDays, MaxBlockDays)
	}
	c := Calendar{Jurisdiction: cf.Jurisdiction, BlockDays: cf.BlockDays, Zone: cf.Zone, Loc: loc}
	for _, w := range cf.Weekend {
		day, ok := weekdays[strings.ToLower(w)]
		if !ok {
			return Calendar{}, fmt.Errorf("weekend day %q is not a day of the week (monday … sunday)", w)
		}
		if slices.Contains(c.Weekend, day) {
			return Calendar{}, fmt.Errorf("weekend day %s is listed twice", w)
		}
		c.Weekend = append(c.Weekend, day)
	}
	if len(c.Weekend) == len(weekdays) {
		return Calendar{}, errors.New("every day of the week is a weekend day: no business day left")
	}
	for _, y := range cf.Years {
		if y < 1970 || y > 9999 || slices.Contains(c.HolidayYears, y) {
			return Calendar{}, fmt.Errorf("holiday year %d is out of range or listed twice", y)
		}
		c.HolidayYears = append(c.HolidayYears, y)
	}
	for _, h := range cf.Holidays {
		d, err := ParseDate(h.Date)
		if err != nil {
			return Calendar{}, fmt.Errorf("holiday %q: %v", h.Name, err)
		}
		if !slices.Contains(c.HolidayYears, d.Year) {
			return Calendar{}, fmt.Errorf("holiday %s (%s) is in %d, which holiday_years does not list", d, h.Name, d.Year)
		}
		if slices.Contains(c.Holidays, d) {
			return Calendar{}, fmt.Errorf("holiday %s is listed twice", d)
		}
		c.Holidays = append(c.Holidays, d)
	}
	return c, nil
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func validJurisdiction(j string) bool {
	return len(j) == 2 && j[0] >= 'A' && j[0] <= 'Z' && j[1] >= 'A' && j[1] <= 'Z'
}
