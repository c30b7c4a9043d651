package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The dashboard's funnel as the page shows it (dashboardweb's counts.js), worked out
// here from the API's answer, for the browser test to compare with the page.

// dashCount is DashboardCount.
type dashCount struct {
	Value       *int `json:"value"`
	Suppressed  bool `json:"suppressed"`
	Provisional bool `json:"provisional"`
}

type dashSeries struct {
	Code    string      `json:"code"`
	Months  []dashCount `json:"months"`
	Periods []dashCount `json:"periods"`
}

type dashAnswer struct {
	Months   []string     `json:"months"`
	Periods  []string     `json:"periods"`
	MinCell  int          `json:"minCell"`
	Position string       `json:"position"`
	Funnel   []dashSeries `json:"funnel"`
}

// englishNumber is Intl.NumberFormat('en') for a whole number.
func englishNumber(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// countText is how the page shows a count (counts.js): "<k" withheld, "≥ n" provisional.
func countText(c dashCount, k int) string {
	if c.Suppressed || c.Value == nil {
		return fmt.Sprintf("<%d", k)
	}
	if c.Provisional {
		return "≥ " + englishNumber(*c.Value)
	}
	return englishNumber(*c.Value)
}

// periodMonths lists the months of "2026" or "2026-Q2".
func periodMonths(p string) []string {
	year, q, quarter := strings.Cut(p, "-Q")
	first, n := 1, 12
	if quarter {
		qi, _ := strconv.Atoi(q)
		first, n = (qi-1)*3+1, 3
	}
	var out []string
	for m := first; m < first+n; m++ {
		out = append(out, fmt.Sprintf("%s-%02d", year, m))
	}
	return out
}

// funnelTotal is the page's total for a stage: the count of the period that is exactly
// the months shown, else the sum of the published months ("≥" when any was withheld or
// is provisional; "all withheld" when none was published).
func funnelTotal(d dashAnswer, s dashSeries) string {
	for i, p := range d.Periods {
		if slices.Equal(periodMonths(p), d.Months) {
			return countText(s.Periods[i], d.MinCell)
		}
	}
	sum, published, lower := 0, 0, false
	for _, c := range s.Months {
		if c.Suppressed || c.Value == nil {
			lower = true
			continue
		}
		sum += *c.Value
		published++
		lower = lower || c.Provisional
	}
	switch {
	case published == 0:
		return "all withheld"
	case lower:
		return "≥ " + englishNumber(sum)
	}
	return englishNumber(sum)
}

// expectedFunnel is the funnel table the page should show for d: per stage, its code,
// then its count for each month, then its total.
func expectedFunnel(d dashAnswer) [][]string {
	var rows [][]string
	for _, s := range d.Funnel {
		row := []string{s.Code}
		for _, c := range s.Months {
			row = append(row, countText(c, d.MinCell))
		}
		rows = append(rows, append(row, funnelTotal(d, s)))
	}
	return rows
}
