package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waymark-org/waymark/api"
)

// startWait bounds how long a request that comes while serve starts waits for it
// (the demo seed takes seconds, and longer on a loaded machine); after it, the
// request gets 503 UNAVAILABLE with Retry-After.
const startWait = 2 * time.Minute

// front is serve's HTTP listener, bound before anything slow so that a port in use
// fails the start at once and a browser never meets a closed port. Until the node
// serves (startNode, the demo seed, ...), /healthz answers 200 and /readyz 503 with
// what is under way; every other request waits for the node (up to startWait), so
// that a newcomer's first request, sent with the demo token printed at once, is
// answered from the whole demo rather than refused. Then the node's handler takes
// over (its /readyz says whether the read models have caught up).
type front struct {
	ln      net.Listener
	srv     *http.Server
	errc    chan error                   // the server's end
	handler atomic.Pointer[http.Handler] // nil while starting
	serving chan struct{}                // closed once handler is set
	wait    time.Duration                // startWait (shorter in tests)
	status  atomic.Pointer[string]       // what /readyz says while starting
	stop    sync.Once
	stopErr error
}

// listenFront binds addr and starts answering on it.
func listenFront(addr string) (*front, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, listenError("http-addr", addr, err)
	}
	return startFront(ln, api.NewServer(addr, nil)), nil
}

// startFront serves srv (its timeouts; the front is its handler) on ln.
func startFront(ln net.Listener, srv *http.Server) *front {
	f := &front{ln: ln, srv: srv, errc: make(chan error, 1), serving: make(chan struct{}), wait: startWait}
	f.setStatus("starting")
	srv.Handler = http.HandlerFunc(f.serveHTTP)
	go func() { f.errc <- srv.Serve(ln) }()
	return f
}

// base is the URL the front answers on.
func (f *front) base() string { return "http://" + f.ln.Addr().String() }

// setStatus says what the start is doing (on /readyz, while starting).
func (f *front) setStatus(s string) { f.status.Store(&s) }

// serve hands every request from now on, and those waiting, to h.
func (f *front) serve(h http.Handler) {
	f.handler.Store(&h)
	close(f.serving)
}

// shutdown stops the server, letting requests under way finish within ctx.
func (f *front) shutdown(ctx context.Context) error {
	f.stop.Do(func() {
		if err := f.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			f.stopErr = err
		}
	})
	return f.stopErr
}

func (f *front) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if h := f.handler.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	status := *f.status.Load()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/healthz":
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	case "/readyz":
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
	default:
		// The server's read and write deadlines run from the request's arrival and are
		// shorter than the wait: a waiting request would lose its connection (the
		// client sees EOF) before the node answers it. Its deadlines move past the
		// wait, and start again when the node takes it.
		rc := http.NewResponseController(w)
		f.extendDeadlines(rc, f.wait)
		wait := time.NewTimer(f.wait)
		defer wait.Stop()
		select {
		case <-f.serving:
			f.extendDeadlines(rc, 0)
			(*f.handler.Load()).ServeHTTP(w, r)
			return
		case <-r.Context().Done():
			return // the client gave up
		case <-wait.C:
		}
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
			"message": "Waymark is starting (" + status + "): try again shortly", "extensions": map[string]string{"code": api.CodeUnavailable},
		}}})
	}
}

// extendDeadlines gives the request's connection the server's read and write timeouts
// from now plus extra. A connection that cannot move its deadlines keeps them.
func (f *front) extendDeadlines(rc *http.ResponseController, extra time.Duration) {
	now := time.Now()
	if f.srv.ReadTimeout > 0 {
		_ = rc.SetReadDeadline(now.Add(extra + f.srv.ReadTimeout))
	}
	if f.srv.WriteTimeout > 0 {
		_ = rc.SetWriteDeadline(now.Add(extra + f.srv.WriteTimeout))
	}
}

// checkFree fails at once when addr cannot be listened on (the embedded NATS server
// would only say, after a wait, that it is not ready). It closes its listener at once:
// the server binds the port itself a moment later.
func checkFree(flagName, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError(flagName, addr, err)
	}
	return ln.Close()
}

// listenError says which address of which flag could not be listened on, and why
// ("address already in use"), without the socket call's own words.
func listenError(flagName, addr string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		err = op.Err
	}
	var sys *os.SyscallError
	if errors.As(err, &sys) {
		err = sys.Err
	}
	return fmt.Errorf("listen on %s (--%s): %w", addr, flagName, err)
}
