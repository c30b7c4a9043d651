package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
)

// defaultTokenTTL is how long a token issued without --ttl lives.
const defaultTokenTTL = 8 * time.Hour

// maxLifetimeFlag registers --max-token-lifetime: servers refuse tokens that live
// longer, and token issue refuses to mint them. One flag (and WAYMARK_MAX_TOKEN_LIFETIME)
// for both, so that they agree.
func maxLifetimeFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("max-token-lifetime", auth.DefaultMaxLifetime,
		fmt.Sprintf("the longest a token may live (exp − iat); servers refuse longer ones (at most %s)", auth.MaxTTL))
}

// checkMaxLifetime checks the --max-token-lifetime value.
func checkMaxLifetime(d time.Duration) error {
	if d <= 0 || d > auth.MaxTTL {
		return fmt.Errorf("%w: --max-token-lifetime %s: want more than 0 and at most %s", errUsage, d, auth.MaxTTL)
	}
	return nil
}

// tokenIssue mints an access token: waymark token issue --role caseworker --org <id>.
// It refuses what no server would accept: an unknown role, an organisation that is
// not in the directory or whose kind cannot hold the role, a lifetime beyond the
// maximum.
func tokenIssue(ctx context.Context, args []string, out io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("token issue", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	role := fs.String("role", "", "one of "+roleList())
	org := fs.String("org", "", "the organisation id the user acts for (not needed for admin); checked against the directory")
	subject := fs.String("sub", "", "the user's opaque id, never a name: it is written into every event the user records (default: a new random id)")
	ttl := fs.Duration("ttl", defaultTokenTTL, "how long the token is valid (at most --max-token-lifetime)")
	maxLifetime := maxLifetimeFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	r := access.Role(*role)
	switch {
	case *role == "":
		return fmt.Errorf("%w: token issue needs --role (%s)", errUsage, roleList())
	case !r.Valid():
		return fmt.Errorf("%w: --role %q is not a Waymark role: use one of %s", errUsage, *role, roleList())
	case access.NeedsOrganisation(r) && strings.TrimSpace(*org) == "":
		return fmt.Errorf("%w: a %s acts for an organisation: give its id with --org (only an admin may act for none)", errUsage, r)
	}
	if err := checkMaxLifetime(*maxLifetime); err != nil {
		return err
	}
	if *ttl <= 0 {
		return fmt.Errorf("%w: --ttl %s: a token must live for some time", errUsage, *ttl)
	}
	if *ttl > *maxLifetime {
		return fmt.Errorf("%w: --ttl %s is longer than the maximum token lifetime of %s, and servers refuse such tokens: "+
			"ask for less, or raise --max-token-lifetime (WAYMARK_MAX_TOKEN_LIFETIME) here and on the servers", errUsage, *ttl, *maxLifetime)
	}
	sf = sf.resolved()
	key, err := sf.secrets.readSigningKey()
	if err != nil {
		return err
	}
	if *org != "" {
		if err := checkOrganisation(ctx, sf, r, *org, logger); err != nil {
			return err
		}
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

// checkOrganisation refuses a token for an organisation that is not in the directory,
// is not active, or whose kind cannot hold role.
func checkOrganisation(ctx context.Context, sf storeFlags, role access.Role, id string, logger *slog.Logger) error {
	org, err := findOrganisation(ctx, sf, id, logger)
	if errors.Is(err, domain.ErrUnknownOrganisation) {
		return fmt.Errorf("no token: organisation %q is not in the directory of %s; check the id, or register the organisation first", id, sf.dataDir)
	}
	if err != nil {
		return fmt.Errorf("no token: cannot check organisation %q: %w", id, err)
	}
	if !org.Active {
		return fmt.Errorf("no token: organisation %q (%s) is not active", id, org.Name)
	}
	if err := access.CheckRoleKind(role, domain.OrganisationKind(org.Kind)); err != nil {
		return fmt.Errorf("no token for %s (%s): %w", id, org.Name, err)
	}
	return nil
}

func roleList() string {
	var names []string
	for _, r := range access.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// printDemoTokens prints a ready token per demo role, so the demo works in one step.
func printDemoTokens(out io.Writer, sec secretFlags, base string, ttl time.Duration) error {
	key, err := sec.readSigningKey()
	if err != nil {
		return err
	}
	issuer := auth.Issuer{Key: key, Issuer: tokenIssuer, Audience: tokenAudience}
	fmt.Fprintf(out, "\nDemo tokens (valid %s) for %s/graphql — send as 'Authorization: Bearer <token>':\n", ttl, base)
	for _, u := range demo.Users() {
		token, _, err := issuer.Issue(u.Subject, u.Organisation, u.Role, ttl, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-10s %-24s export WAYMARK_TOKEN_%s=%s\n", u.Role, u.Organisation, u.EnvName, token)
	}
	fmt.Fprintln(out)
	return nil
}
