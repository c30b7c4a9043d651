package auth

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxTTL is the longest lifetime Issue grants a token.
const MaxTTL = 31 * 24 * time.Hour

// Issuer mints access tokens signed with Key, naming Issuer as "iss" and Audience as
// "aud".
type Issuer struct {
	Key      SigningKey
	Issuer   string
	Audience string
}

// Issue mints a token for subject (a user id) in organisation with role, valid from
// now for ttl (0 < ttl ≤ MaxTTL). The token carries the kid header and the claims
// iss, aud, sub, iat, nbf (both now), exp (now+ttl), a random jti, "org" (omitted for
// an admin without one) and "role". Times are kept to the second, as in the token,
// so the returned Claims equal what Verify returns for it.
func (i Issuer) Issue(subject, organisation, role string, ttl time.Duration, now time.Time) (token string, c Claims, err error) {
	if err := i.check(); err != nil {
		return "", Claims{}, err
	}
	if err := checkIdentity(subject, organisation, role); err != nil {
		return "", Claims{}, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", Claims{}, fmt.Errorf("%w: ttl %s is outside (0, %s]", ErrInvalidRequest, ttl, MaxTTL)
	}
	if now.IsZero() {
		return "", Claims{}, fmt.Errorf("%w: issue time is zero", ErrInvalidRequest)
	}

	issued := now.UTC().Truncate(time.Second)
	expires := now.Add(ttl).UTC().Truncate(time.Second)
	w := wireClaims{
		Organisation: organisation,
		Role:         role,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.Issuer,
			Subject:   subject,
			Audience:  jwt.ClaimStrings{i.Audience},
			ExpiresAt: jwt.NewNumericDate(expires),
			NotBefore: jwt.NewNumericDate(issued),
			IssuedAt:  jwt.NewNumericDate(issued),
			ID:        rand.Text(),
		},
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, w)
	t.Header["kid"] = i.Key.ID
	token, err = t.SignedString(i.Key.Private)
	if err != nil {
		return "", Claims{}, fmt.Errorf("sign token with key %q: %w", i.Key.ID, err)
	}
	return token, w.claims(i.Key.ID), nil
}

// check reports whether i is configured to mint tokens.
func (i Issuer) check() error {
	if err := i.Key.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	if i.Issuer == "" || i.Audience == "" {
		return fmt.Errorf("%w: issuer and audience must be configured", ErrInvalidRequest)
	}
	return nil
}
