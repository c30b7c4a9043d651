package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/demo"
)

// tokenIssue mints an access token: waymark token issue --role caseworker --org <id>.
func tokenIssue(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("token issue", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "./data", "data directory (for the default secrets location)")
	var sec secretFlags
	sec.register(fs)
	role := fs.String("role", "", "caseworker, bank, bureau, auditor, analyst or admin")
	org := fs.String("org", "", "the organisation id the user acts for (not needed for admin)")
	subject := fs.String("sub", "", "the user's opaque id, never a name: it is written into every event the user records (default: a new random id)")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the token is valid (at most 744h)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *role == "" {
		return fmt.Errorf("%w: token issue needs --role (caseworker, bank, bureau, auditor, analyst or admin)", errUsage)
	}
	sec = sec.resolve(*dataDir)
	key, err := auth.ReadSigningKey(sec.signingKey)
	if err != nil {
		return fmt.Errorf("signing key %s: %w", sec.signingKey, err)
	}
	if *subject == "" {
		*subject = "u-" + strings.ToLower(rand.Text()[:16])
	}
	token, _, err := auth.Issuer{Key: key, Issuer: tokenIssuer, Audience: tokenAudience}.Issue(*subject, *org, *role, *ttl, time.Now())
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	fmt.Fprintln(out, token)
	return nil
}

// printDemoTokens prints a ready token per demo role, so the demo works in one step.
func printDemoTokens(sec secretFlags, base string) error {
	key, err := auth.ReadSigningKey(sec.signingKey)
	if err != nil {
		return fmt.Errorf("signing key %s: %w", sec.signingKey, err)
	}
	issuer := auth.Issuer{Key: key, Issuer: tokenIssuer, Audience: tokenAudience}
	fmt.Fprintf(os.Stdout, "\nDemo tokens (valid 8h) for %s/graphql — send as 'Authorization: Bearer <token>':\n", base)
	for _, u := range demo.Users() {
		token, _, err := issuer.Issue(u.Subject, u.Organisation, u.Role, 8*time.Hour, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "  %-10s %-24s export WAYMARK_TOKEN_%s=%s\n", u.Role, u.Organisation, u.EnvName, token)
	}
	fmt.Fprintln(os.Stdout)
	return nil
}
