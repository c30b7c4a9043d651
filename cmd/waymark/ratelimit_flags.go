package main

import (
	"flag"

	"github.com/waymark-org/waymark/api"
)

// rateLimitFlag is --rate-limit (WAYMARK_RATE_LIMIT): the requests a second each token
// may make, by role (api.ParseRateLimits). The value is the whole table: a role it
// does not name gets its default= rate.
type rateLimitFlag struct{ limits api.RateLimits }

func registerRateLimitFlag(fs *flag.FlagSet) *rateLimitFlag {
	f := &rateLimitFlag{limits: api.DefaultRateLimits()}
	fs.Var(f, "rate-limit", "requests a second each token may make, by role, as NAME=RATE,... with NAME a role or default "+
		"(every role not named, and requests without a valid token, per address); a token may send twice its rate at once; "+
		"more get HTTP 429 RATE_LIMITED")
	return f
}

func (f *rateLimitFlag) String() string {
	if f == nil {
		return ""
	}
	return f.limits.String()
}

func (f *rateLimitFlag) Set(s string) error {
	limits, err := api.ParseRateLimits(s) // its error names the bad entry; the caller, the flag or variable
	if err != nil {
		return err
	}
	f.limits = limits
	return nil
}

// Type names the value in help (the pflag interface).
func (f *rateLimitFlag) Type() string { return "limits" }
