// Package retention is how long Waymark keeps what it holds, per jurisdiction, as
// data: how many years after a case was closed its survivor's personal data is erased
// (through the same erasure command as any other, reason retention_policy), and how
// many years an access-log entry stays in the access log's read model. It is pure:
// no I/O beyond parsing the bytes it is given, no clock (callers pass the time).
//
// The defaults are embedded (defaults.json) and explained in the README's Retention
// section; `serve --retention FILE` replaces them whole.
package retention

import (
	_ "embed"
	"errors"
	"fmt"
	"time"
)

// Policy is one jurisdiction's retention. A number of years of 0 means never: the data
// is kept until someone erases it by hand.
type Policy struct {
	Jurisdiction                  string `json:"jurisdiction"` // ISO 3166-1 alpha-2; "" for the default
	ErasePersonalAfterClosedYears int    `json:"erasePersonalAfterClosedYears"`
	DropAccessLogAfterYears       int    `json:"dropAccessLogAfterYears"`
}

// MaxYears bounds a policy's years: a larger number is a typo (a date, a number of
// days), never a policy.
const MaxYears = 100

// ErrInvalid is a policy file that cannot be used; the error says why in a sentence.
var ErrInvalid = errors.New("invalid retention policy")

// Label names the policy in ids and listings: "MX:10y" (erasure years), "default:6y".
func (p Policy) Label() string {
	j := p.Jurisdiction
	if j == "" {
		j = "default"
	}
	return fmt.Sprintf("%s:%dy", j, p.ErasePersonalAfterClosedYears)
}

// EraseBefore is the closure time before which a case's personal data is due for
// erasure at now; ok is false when this policy never erases.
func (p Policy) EraseBefore(now time.Time) (cutoff time.Time, ok bool) {
	if p.ErasePersonalAfterClosedYears <= 0 {
		return time.Time{}, false
	}
	return now.AddDate(-p.ErasePersonalAfterClosedYears, 0, 0), true
}

// DropAccessBefore is the time before which access-log entries of this jurisdiction's
// cases are dropped at now; ok is false when they are kept for ever.
func (p Policy) DropAccessBefore(now time.Time) (cutoff time.Time, ok bool) {
	if p.DropAccessLogAfterYears <= 0 {
		return time.Time{}, false
	}
	return now.AddDate(-p.DropAccessLogAfterYears, 0, 0), true
}

// Policies are every jurisdiction's policy and the default for the others.
type Policies struct {
	Default        Policy
	ByJurisdiction map[string]Policy
}

// For returns the policy of a jurisdiction: its own, or the default.
func (ps Policies) For(jurisdiction string) Policy {
	if p, ok := ps.ByJurisdiction[jurisdiction]; ok {
		return p
	}
	return ps.Default
}

// List returns the jurisdictions' own policies in code order, then the default.
func (ps Policies) List() []Policy {
	out := make([]Policy, 0, len(ps.ByJurisdiction)+1)
	for _, j := range sortedKeys(ps.ByJurisdiction) {
		out = append(out, ps.ByJurisdiction[j])
	}
	return append(out, ps.Default)
}

//go:embed defaults.json
var defaultsFile []byte

// Defaults returns the policies Waymark ships with (defaults.json).
func Defaults() Policies {
	ps, err := Parse(defaultsFile)
	if err != nil {
		panic(fmt.Sprintf("retention: the embedded defaults do not parse: %v", err)) // a test keeps them parsing
	}
	return ps
}

// DefaultsFile returns the embedded defaults' bytes, a starting point for a file of
// one's own.
func DefaultsFile() []byte { return append([]byte(nil), defaultsFile...) }
