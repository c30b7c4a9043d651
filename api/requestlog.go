package api

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/waymark-org/waymark/internal/logging"
)

// HeaderRequestID names a request: a caller's own (MaxRequestIDLength of letters,
// digits and - _ . :) is kept, any other is replaced by one Waymark draws; either way
// it comes back in the response and is in the request's log line.
const HeaderRequestID = "X-Request-Id"

// MaxRequestIDLength bounds a caller's request id.
const MaxRequestIDLength = 64

// The paths of the probes, logged at debug level: an orchestrator asks every few
// seconds, and a line each time would bury the requests people make.
const (
	pathHealthz = "/healthz"
	pathReadyz  = "/readyz"
)

// pathGraphQL is where the GraphQL requests that are timed come.
const pathGraphQL = "/graphql"

// LogRequests wraps the public handler: every request gets a request id, and when it
// ends one log line — method, path, status, duration, bytes written, the GraphQL
// operation (type, root fields, the operation name), the caller (subject,
// organisation, role) once authenticated, the request id and the W3C trace and span
// ids of a valid traceparent — at info level (warn for a 5xx; debug for /healthz and
// /readyz). Never the query string, a header's other values, the body, the document
// or its variables. GraphQL requests over HTTP are timed into m by operation.
//
// The lines are logged with logging.Unlimited: a request log is one line per request,
// which the rate limit on repeated messages must not thin.
func LogRequests(logger *slog.Logger, m Metrics, next http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	if m == nil {
		m = noMetrics{}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ex := &exchange{w: w}
		ex.requestID[0] = r.Header.Get(HeaderRequestID)
		if !validRequestID(ex.requestID[0]) {
			ex.requestID[0] = newRequestID()
		}
		w.Header()[HeaderRequestID] = ex.requestID[:]
		if tp := r.Header.Get(HeaderTraceparent); tp != "" {
			if ex.trace, ex.traced = parseTraceparent(tp); ex.traced {
				ex.traceHeader[0] = ex.trace.header
				w.Header()[HeaderTraceparent] = ex.traceHeader[:]
			}
		}
		next.ServeHTTP(ex, r)
		took := time.Since(start)
		socket := isWebsocketUpgrade(r)
		if r.URL.Path == pathGraphQL && !socket {
			m.GraphQL(ex.operationType(), ex.rootFieldLabel(), took)
		}
		ex.log(logger, r, took)
	})
}

// exchange is one request on its way: the response writer that keeps the status, and
// what the handlers inside note about the request for its log line (from the
// request's goroutine, before the handler returns). The handlers find it through the
// response writer they are given (exchangeOf): the request itself is not copied to
// carry it in a context, which would cost the hot read path two allocations.
type exchange struct {
	w       http.ResponseWriter
	status  int
	written int64

	// requestID and traceHeader are the response headers' values, kept here so that
	// setting them allocates nothing more.
	requestID   [1]string
	traceHeader [1]string
	trace       traceparent
	traced      bool
	caller      struct{ subject, organisation, role string }
	operation   struct{ typ, field, fields, name string }
}

// exchangeOf returns the exchange behind a response writer LogRequests made (through
// writers that wrap it and say so with Unwrap, as http.ResponseController asks); nil
// for one it did not.
func exchangeOf(w http.ResponseWriter) *exchange {
	for {
		switch t := w.(type) {
		case *exchange:
			return t
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return nil
		}
	}
}

func (ex *exchange) Header() http.Header { return ex.w.Header() }

func (ex *exchange) WriteHeader(status int) {
	if ex.status == 0 {
		ex.status = status
	}
	ex.w.WriteHeader(status)
}

func (ex *exchange) Write(b []byte) (int, error) {
	if ex.status == 0 {
		ex.status = http.StatusOK
	}
	n, err := ex.w.Write(b)
	ex.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController and the websocket library reach the
// connection (to hijack it, flush, set deadlines).
func (ex *exchange) Unwrap() http.ResponseWriter { return ex.w }

// Flush passes a flush on.
func (ex *exchange) Flush() { _ = http.NewResponseController(ex.w).Flush() }

func (ex *exchange) operationType() string {
	if ex.operation.typ == "" {
		return operationNone
	}
	return ex.operation.typ
}

func (ex *exchange) rootFieldLabel() string {
	if ex.operation.field == "" {
		return operationNone
	}
	return ex.operation.field
}

func (ex *exchange) log(logger *slog.Logger, r *http.Request, took time.Duration) {
	status := ex.status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	level := slog.LevelInfo
	switch {
	case r.URL.Path == pathHealthz || r.URL.Path == pathReadyz:
		level = slog.LevelDebug
	case status >= 500:
		level = slog.LevelWarn
	}
	ctx := logging.Unlimited()
	if !logger.Enabled(ctx, level) {
		return
	}
	path := r.URL.Path
	if status == http.StatusNotFound {
		path = "-" // a path nothing serves is whatever a client or a scanner typed
	}
	attrs := make([]slog.Attr, 0, 16)
	attrs = append(attrs,
		slog.String("request_id", ex.requestID[0]),
		slog.String("method", r.Method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
		slog.Int64("bytes", ex.written),
	)
	if op := ex.operation; op.typ != "" {
		attrs = append(attrs, slog.String("op_type", op.typ), slog.String("op_fields", op.fields))
		if op.name != "" {
			attrs = append(attrs, slog.String("op_name", op.name))
		}
	}
	if c := ex.caller; c.subject != "" {
		attrs = append(attrs, slog.String("subject", c.subject), slog.String("role", c.role))
		if c.organisation != "" { // an admin has none
			attrs = append(attrs, slog.String("org", c.organisation))
		}
	}
	if ex.traced {
		attrs = append(attrs, slog.String("trace_id", ex.trace.traceID), slog.String("span_id", ex.trace.spanID))
	}
	logger.LogAttrs(ctx, level, "request", attrs...)
}

// validRequestID accepts 1 to MaxRequestIDLength letters, digits, '-', '_', '.', ':'.
func validRequestID(id string) bool {
	if id == "" || len(id) > MaxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// newRequestID draws 128 bits as 32 hex digits. A request id must be unique, not
// secret: the runtime's generator does, without a system call.
func newRequestID() string {
	const digits = "0123456789abcdef"
	var b [32]byte
	for half := range 2 {
		v := rand.Uint64()
		for i := range 16 {
			b[half*16+i] = digits[v&0xf]
			v >>= 4
		}
	}
	return string(b[:])
}

// isWebsocketUpgrade reports whether r asks for a websocket: its log line comes when
// the socket closes, and it is no GraphQL request to time.
func isWebsocketUpgrade(r *http.Request) bool {
	return r.Header.Get("Upgrade") != ""
}
