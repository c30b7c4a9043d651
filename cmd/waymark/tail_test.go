package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestTailRefusesBadCommandLines(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no login":              {nil, "needs a NATS login"},
		"user without password": {[]string{"--nats-user", "a"}, "go together"},
		"user and creds":        {[]string{"--nats-user", "a", "--nats-password", "p", "--nats-creds", "x.creds"}, "not both"},
		"negative count":        {[]string{"--nats-user", "a", "--nats-password", "p", "--count", "-1"}, "--count -1"},
		"events subject":        {[]string{"--nats-user", "a", "--nats-password", "p", "--subject", "waymark.events.>"}, "within waymark.analytics.>"},
		"the prefix alone":      {[]string{"--nats-user", "a", "--nats-password", "p", "--subject", "waymark.analytics."}, "within"},
		"empty token":           {[]string{"--nats-user", "a", "--nats-password", "p", "--subject", "waymark.analytics..mx"}, "within"},
		"everything":            {[]string{"--nats-user", "a", "--nats-password", "p", "--subject", ">"}, "within"},
		"cert without key":      {[]string{"--nats-user", "a", "--nats-password", "p", "--nats-cert", "c.pem"}, "--nats-cert and --nats-key go together"},
		"space in subject":      {[]string{"--nats-user", "a", "--nats-password", "p", "--subject", "waymark.analytics.m x"}, "within"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("WAYMARK_NATS_PASSWORD", "") // the environment must not fill in a login
			err := run(context.Background(), append([]string{"tail"}, tc.args...), quietLogger())
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a usage error saying %q", err, tc.want)
			}
		})
	}
}
