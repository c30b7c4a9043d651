package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestIssueVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	now := t0.Add(123 * time.Millisecond) // sub-second parts are dropped, as in the token
	tok, issued, err := newIssuer(k).Issue("user-1", "org-1", "caseworker", 8*time.Hour, now)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	want := Claims{
		Subject: "user-1", Organisation: "org-1", Role: "caseworker",
		IssuedAt: t0, ExpiresAt: t0.Add(8 * time.Hour), ID: issued.ID, KeyID: "k1",
	}
	if issued != want {
		t.Fatalf("issued claims = %+v, want %+v", issued, want)
	}
	if len(issued.ID) < 20 {
		t.Errorf("jti %q is too short to be random", issued.ID)
	}
	got, err := newVerifier(t0.Add(time.Hour), k.Public()).Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got != issued {
		t.Fatalf("verified claims = %+v, want %+v", got, issued)
	}
}

func TestIssueDrawsAFreshIDEachTime(t *testing.T) {
	t.Parallel()
	i := newIssuer(newKey(t, "k1"))
	_, a := issue(t, i, "org-1", "caseworker", time.Hour, t0)
	_, b := issue(t, i, "org-1", "caseworker", time.Hour, t0)
	if a.ID == b.ID {
		t.Fatalf("two tokens share jti %q", a.ID)
	}
}

func TestIssueAdminWithoutOrganisation(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	tok, _ := issue(t, newIssuer(k), "", RoleAdmin, time.Hour, t0)
	c, err := newVerifier(t0, k.Public()).Verify(tok)
	if err != nil || c.Role != RoleAdmin || c.Organisation != "" {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
}

func TestIssueRejectsBadRequests(t *testing.T) {
	t.Parallel()
	good := newIssuer(newKey(t, "k1"))
	tests := []struct {
		name               string
		issuer             Issuer
		subject, org, role string
		ttl                time.Duration
		now                time.Time
		wantInMessage      string
	}{
		{"empty subject", good, "", "org-1", "caseworker", time.Hour, t0, "subject"},
		{"blank subject", good, "  ", "org-1", "caseworker", time.Hour, t0, "subject"},
		{"missing role", good, "user-1", "org-1", "", time.Hour, t0, "role"},
		{"missing organisation", good, "user-1", "", "caseworker", time.Hour, t0, "organisation"},
		{"zero ttl", good, "user-1", "org-1", "caseworker", 0, t0, "ttl"},
		{"negative ttl", good, "user-1", "org-1", "caseworker", -time.Hour, t0, "ttl"},
		{"ttl over 31 days", good, "user-1", "org-1", "caseworker", MaxTTL + time.Second, t0, "ttl"},
		{"zero now", good, "user-1", "org-1", "caseworker", time.Hour, time.Time{}, "time"},
		{"no key", Issuer{Issuer: testIssuer, Audience: testAudience}, "user-1", "org-1", "caseworker", time.Hour, t0, "key"},
		{"no issuer", Issuer{Key: good.Key, Audience: testAudience}, "user-1", "org-1", "caseworker", time.Hour, t0, "issuer"},
		{"no audience", Issuer{Key: good.Key, Issuer: testIssuer}, "user-1", "org-1", "caseworker", time.Hour, t0, "audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, _, err := tt.issuer.Issue(tt.subject, tt.org, tt.role, tt.ttl, tt.now)
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("err = %v, want ErrInvalidRequest", err)
			}
			if errors.Is(err, ErrInvalidToken) {
				t.Errorf("a bad request must not look like a bad token: %v", err)
			}
			if tok != "" {
				t.Errorf("token returned with error")
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("err %q does not mention %q", err, tt.wantInMessage)
			}
		})
	}
}

func TestIssueTTLUpperBoundIsInclusive(t *testing.T) {
	t.Parallel()
	k := newKey(t, "k1")
	tok, c := issue(t, newIssuer(k), "org-1", "caseworker", MaxTTL, t0)
	if !c.ExpiresAt.Equal(t0.Add(31 * 24 * time.Hour)) {
		t.Fatalf("ExpiresAt = %s", c.ExpiresAt)
	}
	v := newVerifier(t0.Add(MaxTTL-time.Second), k.Public())
	v.MaxLifetime = MaxTTL
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("Verify just before expiry: %v", err)
	}
}
