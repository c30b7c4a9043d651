package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/waymark-org/waymark/app"
)

// Development identity, Step 1 only: the acting user, role and organisation come from
// request headers. This file is the one place that decides who the caller is; Step 2
// replaces it with bearer tokens without touching any resolver.
const (
	HeaderUser         = "X-Waymark-User"
	HeaderRole         = "X-Waymark-Role"
	HeaderOrganisation = "X-Waymark-Org"
	HeaderCorrelation  = "X-Correlation-Id"
)

type actorKey struct{}

// identify puts the caller's Actor in the request context. A request without identity
// still reaches GraphQL (so `{__typename}` answers); every operation that needs an
// actor then fails with UNAUTHENTICATED.
func identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := app.Actor{
			ID:           strings.TrimSpace(r.Header.Get(HeaderUser)),
			Role:         app.Role(strings.TrimSpace(r.Header.Get(HeaderRole))),
			Organisation: strings.TrimSpace(r.Header.Get(HeaderOrganisation)),
		}
		ctx := context.WithValue(r.Context(), actorKey{}, actor)
		if id := r.Header.Get(HeaderCorrelation); id != "" && len(id) <= 100 {
			ctx = app.WithCorrelationID(ctx, id)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// actorFrom returns the caller of a request (the zero Actor when unauthenticated).
func actorFrom(ctx context.Context) app.Actor {
	a, _ := ctx.Value(actorKey{}).(app.Actor)
	return a
}
