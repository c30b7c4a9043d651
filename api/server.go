package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/api/graphiql"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
)

// MaxBodyBytes caps a request body; a GraphQL command is a few kilobytes.
const MaxBodyBytes = 1 << 20

// Readiness says whether the read models have caught up with the log.
type Readiness interface{ Ready() bool }

// Config wires the HTTP handler.
type Config struct {
	Service   *app.Service
	Readiness Readiness
	Verifier  TokenVerifier
	Logger    *slog.Logger
	// Dev turns on introspection and the GraphiQL page (--dev, --demo).
	Dev bool
	// CORSOrigins may call the API from a browser; none by default.
	CORSOrigins []string
	// RateLimits limit each token by its role (DefaultRateLimits when Default is 0).
	RateLimits RateLimits
	// RateClock is the rate limiter's clock (default time.Now); tests stop it.
	RateClock func() time.Time
	// SocketRecheck is how often an open websocket's token is checked again (expired,
	// revoked, its user or organisation deactivated: the socket is closed); default 30s.
	SocketRecheck time.Duration
	// Metrics counts rate-limit refusals (metrics.go; nil: nothing). GraphQL requests
	// are timed by LogRequests, around the handler.
	Metrics Metrics
	// RequestTimeout bounds the work of one request (a query, a mutation, a CSV; not
	// a websocket): DefaultRequestTimeout when 0. Tests shorten it.
	RequestTimeout time.Duration
}

// DefaultRequestTimeout is how long a request may work: under the server's write
// timeout (NewServer), so that its answer, an UNAVAILABLE past it, can still be
// written. Past the write timeout nobody could read the answer, and a request left
// waiting on a store that does not answer would hold its client, and what it holds,
// for ever.
const DefaultRequestTimeout = 25 * time.Second

// NewHandler returns Waymark's HTTP handler: GraphQL at /graphql (POST and GET),
// /healthz and /readyz, and with Dev the GraphiQL page at /.
func NewHandler(cfg Config) http.Handler {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.RateLimits.Default == 0 {
		cfg.RateLimits = DefaultRateLimits()
	}
	resolver := &Resolver{svc: cfg.Service}
	schema := graph.NewExecutableSchema(graph.Config{
		Resolvers:  resolver,
		Directives: graph.DirectiveRoot{Group: resolver.groupDirective},
		Complexity: complexity(),
	})
	limiter := newRateLimiter(cfg.RateLimits, cfg.RateClock)
	if cfg.Metrics != nil {
		limiter.refused = cfg.Metrics.RateLimited
	}
	verifier := cfg.Verifier
	if v, ok := verifier.(auth.Verifier); ok {
		// A client sends its token with every request: its signature is checked once.
		verifier = v.Cached(0)
	}
	gql := handler.New(schema)
	gql.AddTransport(transport.Options{})
	gql.AddTransport(getTransport{})
	gql.AddTransport(postTransport{})
	gql.AddTransport(workSocket(verifier, cfg.Service, limiter, cfg.CORSOrigins, cfg.SocketRecheck)) // subscriptions (subscription.go)
	gql.AddTransport(otherMethods{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if cfg.Dev {
		gql.Use(extension.Introspection{})
	}
	gql.Use(exactVariables{schema: schema.Schema()})
	gql.Use(recordAccess{svc: cfg.Service, logger: logger})
	gql.Use(depthLimit{max: MaxDepth})
	gql.Use(socketSubscriptionsOnly{})
	gql.Use(extension.FixedComplexityLimit(MaxComplexity))
	gql.SetErrorPresenter(presentError(logger, schema.Schema()))
	gql.SetRecoverFunc(func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "resolver panic", "panic", safeDescription(fmt.Errorf("%v", p)))
		return graphql.ErrorOnPath(ctx, errInternal)
	})

	mux := http.NewServeMux()
	timeout := cfg.RequestTimeout
	if timeout == 0 {
		timeout = DefaultRequestTimeout
	}
	mux.Handle("/graphql", noStore(cors(cfg.CORSOrigins, socketsFirst(gql, limiter, bounded(timeout, limitBody(authenticate(verifier, cfg.Service, limiter, gql)))))))
	if cfg.Dev {
		// GraphiQL from files embedded in the binary (api/graphiql): no CDN.
		page := graphiql.Handler()
		mux.Handle("GET "+graphiql.PagePath+"{$}", page)
		mux.Handle("GET "+graphiql.AssetPrefix, page)
	}
	mux.Handle("GET /dashboard.csv", cors(cfg.CORSOrigins, bounded(timeout, authenticate(verifier, cfg.Service, limiter, dashboardCSV(cfg.Service)))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if cfg.Readiness != nil && !cfg.Readiness.Ready() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "catching up"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	return mux
}

type internalError struct{}

func (internalError) Error() string { return "internal error" }

var errInternal error = internalError{}

// bounded gives a request's work a deadline: every wait under it (a store, the read
// models, the key store) ends by then, answered UNAVAILABLE (presentError).
func bounded(timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			writeError(w, r, http.StatusRequestEntityTooLarge, bodyTooLarge, CodePayloadTooLarge)
			return
		}
		// A body without a length (chunked) is cut off at the limit while it is read:
		// postTransport answers that with the same 413.
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// noStore keeps every GraphQL answer out of caches, the browser's and any proxy's:
// most may carry personal data, and telling which do is not worth the risk.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// NewServer returns an http.Server with timeouts on every phase.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
