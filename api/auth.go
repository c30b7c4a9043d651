package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
)

// Request headers besides Authorization.
const (
	// HeaderAccessReason states why the caller reads personal data (break-glass for
	// auditors); it is recorded in the access log with every such read.
	HeaderAccessReason = "X-Access-Reason"
	HeaderCorrelation  = "X-Correlation-Id"
)

// TokenVerifier checks bearer tokens (auth.Verifier).
type TokenVerifier interface {
	Verify(token string) (auth.Claims, error)
}

type actorKey struct{}

// authenticate is the one place that decides who the caller is: a valid bearer token,
// or the request is refused with UNAUTHENTICATED before any resolver runs. Callers are
// rate limited per token subject, and failed attempts per remote address.
func authenticate(verifier TokenVerifier, limiter *rateLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := identify(verifier, r)
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
		if id := r.Header.Get(HeaderCorrelation); id != "" && len(id) <= 100 {
			ctx = app.WithCorrelationID(ctx, id)
		}
		if reason := strings.TrimSpace(r.Header.Get(HeaderAccessReason)); reason != "" && len(reason) <= 500 {
			ctx = app.WithAccessReason(ctx, reason)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

var errBadRole = errors.New("the token's role is not a Waymark role")

func identify(verifier TokenVerifier, r *http.Request) (app.Actor, error) {
	token, err := auth.BearerToken(r.Header.Get("Authorization"))
	if err != nil {
		return app.Actor{}, err
	}
	claims, err := verifier.Verify(token)
	if err != nil {
		return app.Actor{}, err
	}
	actor := app.Actor{ID: claims.Subject, Role: access.Role(claims.Role), Organisation: claims.Organisation}
	if !actor.Authenticated() {
		return app.Actor{}, errBadRole
	}
	return actor, nil
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
