package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/app"
)

// Subscriptions (workChanged) run over a websocket at /graphql speaking
// graphql-transport-ws. A browser cannot set headers on a websocket, so the token
// travels in the connection_init payload ({"Authorization": "Bearer <jwt>"}) and is
// checked there, exactly as the Authorization header is for POST and GET; without a
// valid one the socket is closed with 4403 before any operation runs. Every operation
// on the socket goes through the same handler, so the depth and complexity limits,
// the error presenter and the access-log collector apply as they do to POST.
//
// Limits: a token subject holds at most projections.MaxWorkSubscriptionsPerKey (4)
// subscriptions, an organisation projections.MaxWorkSubscriptionsPerOrganisation (32),
// a server projections.MaxWorkSubscriptions (1024); past them a subscription is
// refused with RATE_LIMITED. A subscriber more than projections.WorkSubscriptionBuffer
// (64) changes behind is completed, never waited for.

const (
	// CodeRateLimited is a caller over its request rate, or over its subscriptions.
	CodeRateLimited = "RATE_LIMITED"
	// socketInitTimeout bounds how long an unauthenticated socket may stay open.
	socketInitTimeout = 5 * time.Second
	// socketPing keeps idle sockets (and the proxies between) alive.
	socketPing = 25 * time.Second
	// socketRecheck is how often an open socket's token is checked again by default.
	socketRecheck = 30 * time.Second
	// closeForbidden is graphql-transport-ws's close code for a refused connection_init.
	closeForbidden = 4403
)

type socketKey struct{}

// socketExpiryKey holds when the socket's token expires: its subscriptions end then.
type socketExpiryKey struct{}

// workSocket is the websocket transport: InitFunc authenticates the connection.
func workSocket(verifier TokenVerifier, users Authenticator, limiter *rateLimiter, origins []string, recheck time.Duration) transport.Websocket {
	if recheck <= 0 {
		recheck = socketRecheck
	}
	return transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{
			// The browser's Origin must be the API's own host or a CORS origin: another
			// site's page cannot open a socket with a token it stole into a variable.
			OriginPatterns: originHosts(origins),
		}},
		InitTimeout:           socketInitTimeout,
		KeepAlivePingInterval: socketPing, // graphql-ws (legacy) clients
		PingPongInterval:      socketPing, // graphql-transport-ws clients answer pings with pongs
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			actor, claims, err := identifyBearer(verifier, users, payload.Authorization())
			refused := transport.WithWebsocketCloseCode(ctx, closeForbidden)
			if err != nil {
				return transport.AppendCloseReason(refused, "unauthenticated"), nil, errors.New("not authenticated: send {\"Authorization\": \"Bearer <token>\"} in connection_init")
			}
			if !limiter.allow(rateKey(actor, claims.ID), actor.Role) {
				return transport.AppendCloseReason(refused, "rate limited"), nil, errors.New("too many requests")
			}
			ctx = context.WithValue(ctx, actorKey{}, actor)
			ctx = context.WithValue(ctx, socketExpiryKey{}, claims.ExpiresAt)
			// The socket lives only while its token would still be accepted: checked
			// again every recheck, it is closed once the token expired, was revoked, or
			// its user or organisation was deactivated (gqlgen closes the socket when
			// the context it runs on ends).
			ctx, cancel := context.WithCancel(ctx)
			authorization := payload.Authorization()
			go recheckSocket(ctx, cancel, recheck, func() error {
				_, _, err := identifyBearer(verifier, users, authorization)
				return err
			})
			return context.WithValue(ctx, socketKey{}, true), nil, nil
		},
	}
}

// recheckSocket calls check every interval until ctx ends, and ends the socket
// (cancel) the first time it fails.
func recheckSocket(ctx context.Context, cancel context.CancelFunc, interval time.Duration, check func() error) {
	defer cancel()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if check() != nil {
				return
			}
		}
	}
}

// originHosts turns CORS origins (https://app.example:8443) into the host patterns
// the websocket library checks the Origin header against.
func originHosts(origins []string) []string {
	var hosts []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}

// socketsFirst hands websocket upgrades to gql, which authenticates them in
// connection_init (workSocket), and everything else to next. Upgrade attempts are
// rate limited per remote address.
func socketsFirst(gql http.Handler, limiter *rateLimiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !limiter.allow("ws:"+remoteHost(r), "") {
			w.Header().Set("Retry-After", "1")
			writeError(w, r, http.StatusTooManyRequests, "too many requests", CodeRateLimited)
			return
		}
		gql.ServeHTTP(w, r)
	})
}

// socketSubscriptionsOnly keeps the websocket to subscriptions: queries and
// mutations go by POST or GET, through the per-request rate limit, the body limit and
// the request headers (a correlation id, an auditor's reason).
type socketSubscriptionsOnly struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = socketSubscriptionsOnly{}

func (socketSubscriptionsOnly) ExtensionName() string                   { return "SocketSubscriptionsOnly" }
func (socketSubscriptionsOnly) Validate(graphql.ExecutableSchema) error { return nil }
func (socketSubscriptionsOnly) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	onSocket, _ := ctx.Value(socketKey{}).(bool)
	if op.Operation == nil || onSocket == (op.Operation.Operation == ast.Subscription) {
		return nil
	}
	err := gqlerror.Errorf("subscriptions run over the websocket (graphql-transport-ws); queries and mutations by POST or GET")
	if onSocket {
		err = gqlerror.Errorf("over the websocket only subscriptions run; send queries and mutations by POST or GET")
	}
	errcode.Set(err, CodeBadRequest)
	return err
}

// subscribeWork subscribes the caller to its organisation's work queue, until its
// token expires (judged on the service's clock, as tokens are): the subscription is
// then completed, and the client reconnects with a fresh token.
func (r *Resolver) subscribeWork(ctx context.Context) (<-chan *app.WorkChange, error) {
	cancel := context.CancelFunc(func() {})
	if exp, ok := ctx.Value(socketExpiryKey{}).(time.Time); ok && !exp.IsZero() {
		ctx, cancel = context.WithTimeout(ctx, exp.Sub(r.svc.Now()))
	}
	ch, err := r.svc.SubscribeWork(ctx, actorFrom(ctx))
	if err != nil {
		cancel()
	} else {
		context.AfterFunc(ctx, cancel) // releases the timer once the subscription ends
	}
	if errors.Is(err, app.ErrTooManySubscriptions) {
		coded := gqlerror.Errorf("%s", err.Error())
		errcode.Set(coded, CodeRateLimited)
		return nil, coded
	}
	if errors.Is(err, app.ErrWorkRetired) {
		coded := gqlerror.Errorf("the read models are being replaced by a rebuild: reconnect and subscribe again")
		errcode.Set(coded, CodeUnavailable)
		return nil, coded
	}
	return ch, err
}
