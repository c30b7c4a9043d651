package api

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/waymark-org/waymark/app"
)

// RateLimits is how many requests a second each caller may make, by role. A caller is
// one token (rateKey): each bucket refills at its role's rate and holds twice as many
// requests (at least one), so a client may send a short burst. Past it a request is
// answered 429 with Retry-After and RATE_LIMITED.
type RateLimits struct {
	// Default applies to every role Roles does not name, and to requests without a
	// valid token (limited per remote address).
	Default float64
	// Roles overrides Default for some roles.
	Roles map[app.Role]float64
}

// DefaultRate is RateLimits.Default unless configured: what a person at a screen, or a
// caseworker's own tooling, needs.
const DefaultRate = 20

// DefaultRateLimits: the integrations — banks' and bureaus' systems working through
// their queues — get five times what a person does.
func DefaultRateLimits() RateLimits {
	return RateLimits{Default: DefaultRate, Roles: map[app.Role]float64{app.RoleBank: 100, app.RoleBureau: 100}}
}

// For returns role's rate ("" is a caller without a valid token: the default).
func (l RateLimits) For(role app.Role) float64 {
	if r, ok := l.Roles[role]; ok {
		return r
	}
	return l.Default
}

// burst is how many requests a full bucket holds at rate: twice the rate, at least one.
func burst(rate float64) int {
	return int(max(1, min(2*rate, math.MaxInt32)))
}

// String writes l as ParseRateLimits reads it: default first, then the roles in
// app.Roles' order.
func (l RateLimits) String() string {
	parts := []string{"default=" + formatRate(l.Default)}
	for _, role := range app.Roles() {
		if r, ok := l.Roles[role]; ok {
			parts = append(parts, string(role)+"="+formatRate(r))
		}
	}
	return strings.Join(parts, ",")
}

func formatRate(r float64) string { return strconv.FormatFloat(r, 'g', -1, 64) }

// ErrBadRateLimits is a rate-limit table ParseRateLimits refuses; the message names
// the part that is wrong.
var ErrBadRateLimits = errors.New("bad rate limits")

// ParseRateLimits reads a table of rates: comma-separated NAME=RATE entries, NAME a
// role or "default" (the rate of every role not named; DefaultRate when left out),
// RATE requests a second, above 0 (fractions allowed). The table is the whole of the
// limits: a role not named gets the default, whatever DefaultRateLimits gives it.
func ParseRateLimits(s string) (RateLimits, error) {
	out := RateLimits{Default: DefaultRate, Roles: map[app.Role]float64{}}
	bad := func(part, format string, args ...any) (RateLimits, error) {
		return RateLimits{}, fmt.Errorf("%w: %q: %s", ErrBadRateLimits, part, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(s) == "" {
		return bad(s, "empty: want NAME=RATE entries, e.g. default=20,bank=100")
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		name, value, ok := strings.Cut(part, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || value == "" {
			return bad(part, "want NAME=RATE, e.g. bank=100")
		}
		if name != "default" && !app.Role(name).Valid() {
			return bad(part, "%q is not a role: want default or one of %s", name, roleNames())
		}
		if seen[name] {
			return bad(part, "%s is named twice", name)
		}
		seen[name] = true
		rate, err := strconv.ParseFloat(value, 64)
		if err != nil || !(rate > 0) || math.IsInf(rate, 0) {
			return bad(part, "the rate must be a number of requests a second above 0")
		}
		if name == "default" {
			out.Default = rate
		} else {
			out.Roles[app.Role(name)] = rate
		}
	}
	return out, nil
}

func roleNames() string {
	var names []string
	for _, r := range app.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// rateKey is the bucket of a caller with a valid token: its role, organisation,
// subject and token id (jti). Two people, or two systems, of one organisation on
// tokens of their own never share a bucket, however their subjects were chosen; one
// token always draws on the same bucket, so it cannot escape its limit (only an
// operator with the signing key mints another). A request without a valid token draws
// on its remote address's bucket at the default rate, so failed attempts are limited
// too.
func rateKey(actor app.Actor, tokenID string) string {
	return tokenKeyPrefix + strings.Join([]string{string(actor.Role), actor.Organisation, actor.ID, tokenID}, "\x00")
}

// tokenKeyPrefix starts every rateKey (callerKind tells a token's bucket by it).
const tokenKeyPrefix = "token\x00"
