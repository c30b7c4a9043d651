package calendar_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/calendar"
)

func us(t *testing.T) calendar.Calendar {
	t.Helper()
	c, ok := calendar.Default().For("US")
	if !ok {
		t.Fatal("no US calendar in the defaults")
	}
	return c
}

func ny(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// The due date is the end of the 4th business day after the local day of receipt:
// the first instant of the next day, New York time.
func TestUSDueAt(t *testing.T) {
	c := us(t)
	tests := []struct {
		name     string
		received time.Time
		due      string // UTC
	}{
		{"Thursday 2 July 2026: Friday 3 July is Independence Day observed, then the weekend: Mon 6 … Thu 9",
			ny(t, "2026-07-02 10:00"), "2026-07-10T04:00:00Z"},
		{"late on Thursday evening in New York is still Thursday (Friday in UTC)",
			ny(t, "2026-07-02 23:30"), "2026-07-10T04:00:00Z"},
		{"on the observed holiday itself: counts from Monday 6 July",
			ny(t, "2026-07-03 09:00"), "2026-07-10T04:00:00Z"},
		{"a Saturday: Monday is day 1, Thursday day 4",
			ny(t, "2026-07-11 12:00"), "2026-07-17T04:00:00Z"},
		{"a Sunday, the same",
			ny(t, "2026-07-12 12:00"), "2026-07-17T04:00:00Z"},
		{"an ordinary Wednesday: Thu, Fri, Mon, Tue",
			ny(t, "2026-07-15 08:00"), "2026-07-22T04:00:00Z"},
		{"the Friday before Labor Day (Monday 7 September): Tue 8 … Fri 11",
			ny(t, "2026-09-04 16:59"), "2026-09-12T04:00:00Z"},
		{"Wednesday 23 December: Thu 24, Christmas Friday, Mon 28, Tue 29, Wed 30 (EST)",
			ny(t, "2026-12-23 11:00"), "2026-12-31T05:00:00Z"},
		{"across the new year: Wed 30, Thu 31, New Year's Day, Mon 4, Tue 5 January 2027",
			ny(t, "2026-12-29 11:00"), "2027-01-06T05:00:00Z"},
		{"across the change to summer time (8 March 2026): due at midnight EDT",
			ny(t, "2026-03-05 11:00"), "2026-03-12T04:00:00Z"},
		{"the end of 2027: New Year's Day 2028 is observed on Friday 31 December: Thu 30, Mon 3 … Wed 5",
			ny(t, "2027-12-29 11:00"), "2028-01-06T05:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.DueAt(tt.received).UTC().Format(time.RFC3339); got != tt.due {
				t.Errorf("DueAt(%s) = %s, want %s", tt.received, got, tt.due)
			}
		})
	}
}

func TestAddBusinessDays(t *testing.T) {
	c := us(t)
	from := ny(t, "2026-07-02 10:00")
	for n, want := range map[int]string{0: "2026-07-02", 1: "2026-07-06", 2: "2026-07-07", 5: "2026-07-10", 6: "2026-07-13"} {
		got := c.AddBusinessDays(from, n)
		if d := calendar.DateOf(got, c.Loc).String(); d != want || !got.Equal(calendar.DateOf(got, c.Loc).Start(c.Loc)) {
			t.Errorf("AddBusinessDays(+%d) = %s, want the start of %s", n, got, want)
		}
	}
}

func TestNoStatutoryClock(t *testing.T) {
	for _, j := range []string{"GB", "MX"} {
		c, ok := calendar.Default().For(j)
		if !ok {
			t.Fatalf("no %s calendar", j)
		}
		if due := c.DueAt(time.Date(2026, 7, 2, 12, 0, 0, 0, time.UTC)); !due.IsZero() {
			t.Errorf("%s: DueAt = %s, want none (no statutory clock)", j, due)
		}
	}
	if _, ok := calendar.Default().For("FR"); ok {
		t.Error("FR has a calendar; none was shipped")
	}
}

// MX counts its bank holidays: Holy Thursday and Good Friday 2026 are not business days.
func TestMXHolidaysCountWhenConfigured(t *testing.T) {
	c, _ := calendar.Default().For("MX")
	c.BlockDays = 2
	got := c.DueAt(time.Date(2026, 4, 1, 12, 0, 0, 0, c.Loc)) // Wednesday
	if want := time.Date(2026, 4, 8, 0, 0, 0, 0, c.Loc); !got.Equal(want) {
		t.Errorf("DueAt = %s, want %s (Mon 6, Tue 7)", got, want)
	}
}

func TestCovers(t *testing.T) {
	c := us(t)
	in := ny(t, "2027-12-20 10:00")
	if !c.Covers(in, c.LastDay(in)) {
		t.Errorf("a clock ending %s is covered", c.LastDay(in))
	}
	late := ny(t, "2027-12-29 10:00")
	if c.Covers(late, c.LastDay(late)) {
		t.Errorf("a clock ending in 2028 (%s) is not covered: its holidays are unknown", c.LastDay(late))
	}
	if c.Covers(ny(t, "2025-12-30 10:00"), calendar.Date{Year: 2026, Month: 1, Day: 5}) {
		t.Error("2025 is not covered")
	}
}

func TestDefaultJurisdictions(t *testing.T) {
	if got := strings.Join(calendar.Default().Jurisdictions(), ","); got != "GB,MX,US" {
		t.Errorf("jurisdictions %s", got)
	}
}

func TestParseRefusesMalformedFiles(t *testing.T) {
	cal := func(fields string) string {
		return `{"calendars":[{"jurisdiction":"US","zone":"America/New_York","weekend":["saturday","sunday"]` + fields + `}]}`
	}
	tests := []struct{ name, file, want string }{
		{"not JSON", `{"calendars":`, "unexpected EOF"},
		{"empty", `{}`, "no calendars"},
		{"trailing data", cal("") + `{}`, "data after the calendars object"},
		{"an unknown field", cal(`,"blockdays":4`), `unknown field "blockdays"`},
		{"a bad jurisdiction", strings.Replace(cal(""), `"US"`, `"usa"`, 1), `jurisdiction "usa" is not an ISO 3166 alpha-2 code`},
		{"no zone", strings.Replace(cal(""), `"America/New_York"`, `""`, 1), "no zone"},
		{"an unknown zone", strings.Replace(cal(""), `"America/New_York"`, `"Mars/Olympus"`, 1), `zone "Mars/Olympus" is not a known IANA time zone`},
		{"a bad weekday", strings.Replace(cal(""), `"sunday"`, `"sonntag"`, 1), `weekend day "sonntag" is not a day of the week`},
		{"a weekday twice", strings.Replace(cal(""), `"sunday"`, `"saturday"`, 1), "weekend day saturday is listed twice"},
		{"no business day", strings.Replace(cal(""), `"saturday","sunday"`,
			`"monday","tuesday","wednesday","thursday","friday","saturday","sunday"`, 1), "no business day left"},
		{"negative block days", cal(`,"block_days":-1`), "block_days -1 is outside 0..60"},
		{"too many block days", cal(`,"block_days":400`), "block_days 400 is outside 0..60"},
		{"a bad date", cal(`,"holiday_years":[2026],"holidays":[{"date":"2026-13-01","name":"x"}]`), `date "2026-13-01" is not YYYY-MM-DD`},
		{"a holiday outside its years", cal(`,"holiday_years":[2026],"holidays":[{"date":"2027-01-01","name":"New Year"}]`),
			"holiday 2027-01-01 (New Year) is in 2027, which holiday_years does not list"},
		{"a holiday twice", cal(`,"holiday_years":[2026],"holidays":[{"date":"2026-01-01"},{"date":"2026-01-01"}]`), "holiday 2026-01-01 is listed twice"},
		{"a year twice", cal(`,"holiday_years":[2026,2026]`), "holiday year 2026 is out of range or listed twice"},
		{"a jurisdiction twice", `{"calendars":[{"jurisdiction":"US","zone":"UTC"},{"jurisdiction":"US","zone":"UTC"}]}`,
			"jurisdiction US is listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := calendar.Parse([]byte(tt.file))
			if !errors.Is(err, calendar.ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse: %v, want ErrMalformed naming %q", err, tt.want)
			}
		})
	}
	if _, err := calendar.Parse([]byte(cal(`,"block_days":4`))); err != nil {
		t.Errorf("a well-formed file: %v", err)
	}
}
