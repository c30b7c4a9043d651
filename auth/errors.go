package auth

import "errors"

// ErrInvalidToken is the parent of every sentinel below: errors.Is(err, ErrInvalidToken)
// holds for any reason a request's token was refused, so the edge can map all of
// them to UNAUTHENTICATED in one place and branch on the finer ones only to log.
var ErrInvalidToken = errors.New("invalid token")

// Sentinel errors returned (wrapped with context) by Verify and BearerToken. Each
// one also matches ErrInvalidToken. No message ever carries a token, a signature or
// key material; key ids, issuers and times may appear.
var (
	ErrMissingToken   error = tokenError("missing token")
	ErrMalformedToken error = tokenError("malformed token")
	ErrExpiredToken   error = tokenError("expired token")
	ErrBadSignature   error = tokenError("bad token signature")
	ErrUnknownKey     error = tokenError("unknown token signing key")
	ErrWrongIssuer    error = tokenError("wrong token issuer")
	ErrWrongAudience  error = tokenError("wrong token audience")
	// ErrInvalidClaims: a required claim is missing or empty (sub, role, org for
	// every role but admin, exp, iat, iss, aud), or the token is not valid yet (nbf
	// or iat in the future beyond the leeway).
	ErrInvalidClaims error = tokenError("invalid token claims")
	// ErrLifetimeTooLong: exp − iat is more than the verifier's maximum lifetime.
	ErrLifetimeTooLong error = tokenError("token lifetime too long")
)

// ErrInvalidRequest: Issue was asked for a token it must not mint (empty subject or
// role, no organisation for a role other than admin, ttl out of bounds), or an
// Issuer or Verifier is not configured. It is deliberately NOT an ErrInvalidToken:
// it is the caller's mistake, not a client's bad credential.
var ErrInvalidRequest = errors.New("invalid token request")

// ErrInvalidKey: a key or key file is unusable (bad id, wrong PEM type, not Ed25519,
// wrong length, two different keys under one id). Writing a key over an existing
// file fails with an error matching fs.ErrExist instead.
var ErrInvalidKey = errors.New("invalid key")

// tokenError is a sentinel that is also an ErrInvalidToken.
type tokenError string

func (e tokenError) Error() string { return string(e) }

// Is makes every tokenError match ErrInvalidToken.
func (e tokenError) Is(target error) bool { return target == ErrInvalidToken }
