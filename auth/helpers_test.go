package auth

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testIssuer   = "waymark-test"
	testAudience = "waymark-api"
)

// t0 is the fixed "now" of every test: no test reads the wall clock.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newKey(t *testing.T, id string) SigningKey {
	t.Helper()
	k, err := GenerateSigningKey(id)
	if err != nil {
		t.Fatalf("GenerateSigningKey(%q): %v", id, err)
	}
	return k
}

func newIssuer(k SigningKey) Issuer {
	return Issuer{Key: k, Issuer: testIssuer, Audience: testAudience}
}

func newVerifier(now time.Time, keys ...VerifyingKey) Verifier {
	return Verifier{Keys: keys, Issuer: testIssuer, Audience: testAudience, Now: fixedClock(now)}
}

func issue(t *testing.T, i Issuer, org, role string, ttl time.Duration, now time.Time) (string, Claims) {
	t.Helper()
	tok, c, err := i.Issue("user-1", org, role, ttl, now)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return tok, c
}

// validWire is the payload Issue would write for a caseworker at t0, for tests that
// sign hand-made payloads.
func validWire() wireClaims {
	return wireClaims{
		Organisation: "org-1",
		Role:         "caseworker",
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    testIssuer,
			Subject:   "user-1",
			Audience:  jwt.ClaimStrings{testAudience},
			ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour)),
			NotBefore: jwt.NewNumericDate(t0),
			IssuedAt:  jwt.NewNumericDate(t0),
			ID:        "jti-1",
		},
	}
}

// sign signs an arbitrary payload with method and key, setting kid unless empty.
func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign %s: %v", method.Alg(), err)
	}
	return s
}
