package api

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/time/rate"

	"github.com/waymark-org/waymark/app"
)

// Limits against abuse. Each one has a test in limits_test.go (and the cases one
// request may read personal data of, app.MaxPersonalCasesPerRequest, in
// personal_limit_test.go).
const (
	// MaxDepth bounds how deeply selections nest; the deepest honest query (a case
	// with its identity documents in a page of cases) is 6.
	MaxDepth = 10
	// MaxComplexity bounds gqlgen's complexity score: one per field selected, a
	// cases(first:) page once per case it may hold, an access log or the directory as
	// 20 items, a personal field group 10 and each sealed field in it 5
	// (complexity.go). A full page of 100 cases with every identity field and the
	// documents' numbers costs about 5,300 and fits; the 100-alias query that asked
	// for 10,000 names (170,100) does not, nor do four pages of names.
	MaxComplexity = 6000
)

// depthLimit rejects operations nested deeper than max (fragments included).
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	operation := op.Doc.Operations.ForName(op.OperationName)
	if operation == nil {
		return nil
	}
	if depth := selectionDepth(operation.SelectionSet, map[string]bool{}); depth > d.max {
		err := gqlerror.Errorf("operation nests %d levels deep, more than the limit of %d", depth, d.max)
		errcode.Set(err, "DEPTH_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

func selectionDepth(set ast.SelectionSet, visiting map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			d = 1 + selectionDepth(s.SelectionSet, visiting)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue // validation rejects fragment cycles; do not loop on them here
			}
			visiting[s.Name] = true
			d = selectionDepth(s.Definition.SelectionSet, visiting)
			delete(visiting, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// cors answers browsers from the allowed origins only; other origins get no CORS
// headers, so their pages cannot read responses.
func cors(allowed []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && slices.Contains(allowed, origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Access-Reason, X-Correlation-Id, X-Request-Id, traceparent")
			h.Set("Access-Control-Expose-Headers", "X-Request-Id, traceparent")
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Max-Age", "600")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rateLimiter gives each caller (rateKey: a token; or a remote address) a token
// bucket at its role's rate (RateLimits). Idle buckets are forgotten.
type rateLimiter struct {
	limits RateLimits
	now    func() time.Time
	// refused, if set, is told of each refusal, with who was refused (callerKind).
	refused   func(caller string)
	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newRateLimiter(limits RateLimits, now func() time.Time) *rateLimiter {
	if now == nil {
		now = time.Now
	}
	return &rateLimiter{limits: limits, now: now, buckets: map[string]*bucket{}}
}

// allow takes one request from key's bucket; role ("" for no valid token) sets the
// rate of a bucket made now (a key holds one role: rateKey names it).
func (l *rateLimiter) allow(key string, role app.Role) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		r := l.limits.For(role)
		b = &bucket{limiter: rate.NewLimiter(rate.Limit(r), burst(r))}
		l.buckets[key] = b
	}
	b.seen = now
	if b.limiter.AllowN(now, 1) {
		return true
	}
	if l.refused != nil {
		l.refused(callerKind(key))
	}
	return false
}

// callerKind names the kind of caller a limiter key is for, from the key's prefix
// (auth.go, subscription.go): a closed set, for the metrics.
func callerKind(key string) string {
	switch {
	case strings.HasPrefix(key, tokenKeyPrefix):
		return "token"
	case strings.HasPrefix(key, "ws:"):
		return "socket"
	}
	return "anonymous"
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return strings.TrimSpace(host)
}

// MaxPersonalCases is how many distinct cases' personal data one request may read
// (app.MaxPersonalCasesPerRequest: one full page).
func MaxPersonalCases() int { return app.MaxPersonalCasesPerRequest }
