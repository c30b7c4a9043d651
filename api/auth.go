package api

import (
	"context"
	"net/http"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/domain"
)

// Request headers besides Authorization.
const (
	// HeaderAccessReason states why the caller reads personal data (break-glass for
	// auditors); it is recorded in the access log with every such read.
	HeaderAccessReason = "X-Access-Reason"
	HeaderCorrelation  = "X-Correlation-Id"
)

// TokenVerifier checks bearer tokens: an auth.Verifier, which NewHandler puts behind
// an auth.VerifyCache, or anything else with the same contract.
type TokenVerifier = auth.TokenVerifier

// Authenticator turns a verified token into the caller: the role must fit the
// organisation's kind, the organisation be active, the token not revoked
// (app.Service.Authenticate).
type Authenticator interface {
	Authenticate(app.Credentials) (app.Actor, error)
}

type actorKey struct{}

// authenticate is the one place that decides who the caller is: a valid bearer token
// of a known user of an active organisation whose kind fits the role, or the request
// is refused with UNAUTHENTICATED before any resolver runs. Callers are rate limited
// per token at their role's rate (rateKey), and failed attempts per remote address.
// The request's own headers (a correlation id, an auditor's reason) are checked here
// too: a malformed one is BAD_USER_INPUT before anything runs.
func authenticate(verifier TokenVerifier, users Authenticator, limiter *rateLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, claims, err := identifyBearer(verifier, users, r.Header.Get("Authorization"))
		key, role := rateKey(actor, claims.ID), actor.Role
		if err != nil {
			key, role = "anon:"+remoteHost(r), ""
		} else {
			noteCaller(w, actor) // for the request's log line (requestlog.go)
		}
		if !limiter.allow(key, role) {
			w.Header().Set("Retry-After", "1")
			writeError(w, r, http.StatusTooManyRequests, "too many requests", CodeRateLimited)
			return
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="waymark"`)
			writeError(w, r, http.StatusUnauthorized, err.Error(), CodeUnauthenticated)
			return
		}
		ctx := context.WithValue(r.Context(), actorKey{}, actor)
		if id := r.Header.Get(HeaderCorrelation); id != "" {
			if err := domain.CheckID(HeaderCorrelation, id); err != nil {
				writeError(w, r, http.StatusBadRequest, err.Error(), CodeBadUserInput)
				return
			}
			ctx = app.WithCorrelationID(ctx, id)
		}
		if reason := r.Header.Get(HeaderAccessReason); reason != "" {
			reason, err := app.CheckAccessReason(reason)
			if err != nil {
				writeError(w, r, http.StatusBadRequest, HeaderAccessReason+": "+err.Error(), CodeBadUserInput)
				return
			}
			ctx = app.WithAccessReason(ctx, reason)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// identifyBearer checks an Authorization value (a request's header, a websocket's
// connection_init payload) and returns the caller with the token's claims (the rate
// limit's key holds its id; a socket ends when it expires).
func identifyBearer(verifier TokenVerifier, users Authenticator, authorization string) (app.Actor, auth.Claims, error) {
	token, err := auth.BearerToken(authorization)
	if err != nil {
		return app.Actor{}, auth.Claims{}, err
	}
	claims, err := verifier.Verify(token)
	if err != nil {
		return app.Actor{}, auth.Claims{}, err
	}
	actor, err := users.Authenticate(app.Credentials{
		Subject: claims.Subject, Role: claims.Role, Organisation: claims.Organisation,
		TokenID: claims.ID, IssuedAt: claims.IssuedAt,
	})
	return actor, claims, err
}

// actorFrom returns the caller of a request (the zero Actor when unauthenticated).
func actorFrom(ctx context.Context) app.Actor {
	a, _ := ctx.Value(actorKey{}).(app.Actor)
	return a
}

// writeError answers a request that is refused before it reaches GraphQL (a bad
// token, the rate limit, a body too large, a request that is not GraphQL): one coded
// error, no data, in the media type the client accepts (errorMedia).
func writeError(w http.ResponseWriter, r *http.Request, status int, message, code string) {
	err := &gqlerror.Error{Message: message, Extensions: map[string]any{"code": code}}
	writeErrors(w, errorMedia(r), status, gqlerror.List{err})
}
