package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// algEdDSA is the only signing algorithm Verify accepts.
const algEdDSA = "EdDSA"

// DefaultMaxLifetime is the longest lifetime (exp − iat) a Verifier accepts when its
// MaxLifetime is not set. A stolen token is good until it expires: one that claims to
// live for years is refused however valid its signature.
const DefaultMaxLifetime = 12 * time.Hour

// Verifier checks access tokens: an EdDSA signature by one of Keys (chosen by the
// token's kid), iss equal to Issuer, aud containing Audience, exp present and in the
// future, nbf and iat not in the future (each with Leeway for clock skew), iat present
// and exp − iat at most MaxLifetime, and the sub, role and org claims (see Claims).
// Now defaults to time.Now, MaxLifetime to DefaultMaxLifetime.
//
// A Verifier is a value with no mutable state; one may serve many goroutines.
type Verifier struct {
	Keys        []VerifyingKey
	Issuer      string
	Audience    string
	Now         func() time.Time
	Leeway      time.Duration
	MaxLifetime time.Duration
}

// Verify returns the claims of a valid token. Every refusal wraps one of the
// sentinels in errors.go and matches ErrInvalidToken; a Verifier without Issuer or
// Audience refuses every token with ErrInvalidRequest instead (fail closed).
func (v Verifier) Verify(token string) (Claims, error) {
	if v.Issuer == "" || v.Audience == "" {
		return Claims{}, fmt.Errorf("%w: verifier issuer and audience must be configured", ErrInvalidRequest)
	}
	if v.MaxLifetime < 0 {
		return Claims{}, fmt.Errorf("%w: verifier maximum token lifetime %s is negative", ErrInvalidRequest, v.MaxLifetime)
	}
	if token == "" {
		return Claims{}, fmt.Errorf("%w: empty token", ErrMissingToken)
	}
	now := v.Now
	if now == nil {
		now = time.Now
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{algEdDSA}),
		jwt.WithIssuer(v.Issuer),
		jwt.WithAudience(v.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(now),
		jwt.WithLeeway(v.Leeway),
	)
	var (
		w      wireClaims
		kid    string
		keyErr error
	)
	t, err := parser.ParseWithClaims(token, &w, func(t *jwt.Token) (any, error) {
		var k VerifyingKey
		k, keyErr = v.key(t)
		kid = k.ID
		return k.Public, keyErr
	})
	switch {
	case keyErr != nil:
		return Claims{}, keyErr
	case err != nil:
		return Claims{}, refusal(err, t, kid, &w)
	}
	if err := v.checkLifetime(&w); err != nil {
		return Claims{}, err
	}
	if err := checkIdentity(w.Subject, w.Organisation, w.Role); err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidClaims, err)
	}
	return w.claims(kid), nil
}

// checkLifetime refuses a token without iat (its lifetime cannot be known) or one
// that lives longer than the maximum. The parser has already checked that iat is not
// in the future and exp not in the past.
func (v Verifier) checkLifetime(w *wireClaims) error {
	if w.IssuedAt == nil {
		return fmt.Errorf("%w: no iat claim: the token's lifetime cannot be checked", ErrInvalidClaims)
	}
	limit := v.MaxLifetime
	if limit == 0 {
		limit = DefaultMaxLifetime
	}
	if lifetime := w.ExpiresAt.Sub(w.IssuedAt.Time); lifetime > limit {
		return fmt.Errorf("%w: issued at %s to expire at %s, %s, more than the maximum %s",
			ErrLifetimeTooLong, formatDate(w.IssuedAt), formatDate(w.ExpiresAt), lifetime, limit)
	}
	return nil
}

// key picks the verifying key named by the token's kid header. The algorithm was
// already checked against WithValidMethods; it is checked again so that no other
// method can ever be handed an Ed25519 key.
func (v Verifier) key(t *jwt.Token) (VerifyingKey, error) {
	if _, ok := t.Method.(*jwt.SigningMethodEd25519); !ok {
		return VerifyingKey{}, fmt.Errorf("%w: signing algorithm %q not allowed", ErrBadSignature, clip(t.Method.Alg()))
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return VerifyingKey{}, fmt.Errorf("%w: token names no key id", ErrUnknownKey)
	}
	for _, k := range v.Keys {
		if k.ID == kid {
			return k, nil
		}
	}
	return VerifyingKey{}, fmt.Errorf("%w: no verifying key with id %q", ErrUnknownKey, clip(kid))
}

// refusal maps an error from the jwt parser to this package's sentinels. t is what
// the parser returned (possibly nil), kid the key chosen, w the decoded payload. The
// order decides which reason is reported when several hold: the token's form, then
// who signed it, then whom it is for, then when it is valid.
func refusal(err error, t *jwt.Token, kid string, w *wireClaims) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fmt.Errorf("%w: cannot decode token", ErrMalformedToken)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		if alg := algOf(t); alg != algEdDSA {
			return fmt.Errorf("%w: signing algorithm %q not allowed", ErrBadSignature, clip(alg))
		}
		return fmt.Errorf("%w: signature does not verify with key %q", ErrBadSignature, kid)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return fmt.Errorf("%w: issuer %q", ErrWrongIssuer, clip(w.Issuer))
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return fmt.Errorf("%w: audience %q", ErrWrongAudience, clip(strings.Join(w.Audience, ",")))
	case errors.Is(err, jwt.ErrTokenExpired):
		return fmt.Errorf("%w: expired at %s", ErrExpiredToken, formatDate(w.ExpiresAt))
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return fmt.Errorf("%w: not valid before %s", ErrInvalidClaims, formatDate(later(w.NotBefore, w.IssuedAt)))
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return fmt.Errorf("%w: a required claim (iss, aud or exp) is missing", ErrInvalidClaims)
	default:
		return fmt.Errorf("%w: claims do not validate", ErrInvalidClaims)
	}
}

// algOf is the alg header of a parsed (not necessarily verified) token.
func algOf(t *jwt.Token) string {
	if t == nil {
		return ""
	}
	alg, _ := t.Header["alg"].(string)
	return alg
}

// clip bounds an attacker-chosen string before it reaches an error message.
func clip(s string) string {
	const limit = 64
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}

func formatDate(d *jwt.NumericDate) string {
	if d == nil {
		return "(unset)"
	}
	return d.UTC().Format(time.RFC3339)
}

func later(a, b *jwt.NumericDate) *jwt.NumericDate {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.After(b.Time):
		return a
	default:
		return b
	}
}
