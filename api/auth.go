package api

import (
	"context"
	"net/http"
	"time"

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
// per token subject, and failed attempts per remote address. The request's own
// headers (a correlation id, an auditor's reason) are checked here too: a malformed
// one is BAD_USER_INPUT before anything runs.
func authenticate(verifier TokenVerifier, users Authenticator, limiter *rateLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := identify(verifier, users, r)
		key := "sub:" + actor.ID
		if err != nil {
			key = "anon:" + remoteHost(r)
		}
		if !limiter.allow(key, time.Now()) {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusTooManyRequests, "too many requests", "RATE_LIMITED")
			return
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="waymark"`)
			writeError(w, http.StatusUnauthorized, err.Error(), CodeUnauthenticated)
			return
		}
		ctx := context.WithValue(r.Context(), actorKey{}, actor)
		if id := r.Header.Get(HeaderCorrelation); id != "" {
			if err := domain.CheckID(HeaderCorrelation, id); err != nil {
				writeError(w, http.StatusBadRequest, err.Error(), CodeBadUserInput)
				return
			}
			ctx = app.WithCorrelationID(ctx, id)
		}
		if reason := r.Header.Get(HeaderAccessReason); reason != "" {
			reason, err := app.CheckAccessReason(reason)
			if err != nil {
				writeError(w, http.StatusBadRequest, HeaderAccessReason+": "+err.Error(), CodeBadUserInput)
				return
			}
			ctx = app.WithAccessReason(ctx, reason)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func identify(verifier TokenVerifier, users Authenticator, r *http.Request) (app.Actor, error) {
	actor, _, err := identifyBearer(verifier, users, r.Header.Get("Authorization"))
	return actor, err
}

// identifyBearer is identify for an Authorization value from anywhere (a websocket's
// connection_init payload), with the token's claims (a socket ends when it expires).
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

func writeError(w http.ResponseWriter, status int, message, code string) {
	writeJSON(w, status, map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]string{"code": code}}},
	})
}
