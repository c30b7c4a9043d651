package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/waymark-org/waymark/internal/datadir"
)

// maxRequestBody bounds what a request may carry; today's requests carry nothing.
const maxRequestBody = 64 << 10

// Server answers on a data directory's admin socket.
type Server struct {
	path    string
	dataDir string
	ops     Operations
	log     *slog.Logger
	http    *http.Server
	ln      peerListener
}

// Listen makes the admin socket of the data directory whose lock the caller holds,
// removing a stale one, and returns the server; run Serve, and Close when done.
// Only processes running as this process's effective user get an answer.
func Listen(lock *datadir.Lock, ops Operations, logger *slog.Logger) (*Server, error) {
	return listen(lock, ops, logger, os.Geteuid())
}

// listen is Listen admitting peers of uid (tests use another uid to see a refusal).
func listen(lock *datadir.Lock, ops Operations, logger *slog.Logger, uid int) (*Server, error) {
	if lock == nil || !lock.Held() {
		return nil, errors.New("admin socket: the data directory's lock is not held")
	}
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{path: SocketPath(lock.Dir()), dataDir: lock.Dir(), ops: ops, log: logger.With("component", "admin")}
	ln, err := listenSocket(s.path)
	if err != nil {
		return nil, err
	}
	s.ln = peerListener{UnixListener: ln, uid: uid, log: s.log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("POST /v1/keys/rotate", s.rotateKeys)
	mux.HandleFunc("GET /v1/organisations/{id}", s.organisation)
	mux.HandleFunc("POST /v1/audit/checkpoint", s.checkpoint) // audit.go
	mux.HandleFunc("GET /v1/audit/checkpoints", s.checkpoints)
	mux.HandleFunc("POST /v1/audit/verify", s.verify)
	s.routeReplay(mux)
	s.routeRebuild(mux)
	s.routeRetention(mux)                       // retention.go
	s.routeNATSUsers(mux)                       // natsusers.go
	s.routeAnalytics(mux)                       // analytics.go
	s.routeBackup(mux)                          // backup.go
	mux.HandleFunc("POST /v1/export", s.export) // export.go
	s.http = &http.Server{
		Handler:           http.MaxBytesHandler(mux, maxRequestBody),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		// No write timeout: a key rotation takes as long as there are case keys, a
		// timeline as long as the case's events.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Path is the socket's path.
func (s *Server) Path() string { return s.path }

// Serve answers requests until Close; it then returns nil.
func (s *Server) Serve() error {
	if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("admin socket: %w", err)
	}
	return nil
}

// Close stops accepting, waits for the requests under way (until ctx ends) and
// removes the socket.
func (s *Server) Close(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if rmErr := os.Remove(s.path); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = errors.Join(err, fmt.Errorf("remove admin socket: %w", rmErr))
	}
	return err
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.ops.Status(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st.PID, st.DataDir = os.Getpid(), s.dataDir
	s.reply(w, st)
}

func (s *Server) rotateKeys(w http.ResponseWriter, r *http.Request) {
	s.log.Info("key rotation asked for on the admin socket")
	rot, err := s.ops.RotateKeys(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("keys rotated", "active", rot.Active, "rewrapped", rot.Rewrapped)
	s.reply(w, rot)
}

func (s *Server) organisation(w http.ResponseWriter, r *http.Request) {
	org, err := s.ops.Organisation(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, org)
}

// errorBody is every failed reply.
type errorBody struct {
	Code  string `json:"code"` // not_found, refused, internal
	Error string `json:"error"`
}

const (
	codeNotFound = "not_found"
	codeRefused  = "refused"
	codeInternal = "internal"
)

// fail replies with err's sentence. The peer is the server's own user, who may read
// the server's logs anyway; no operation's error carries personal data or keys.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	body, status := errorBody{Code: codeInternal, Error: err.Error()}, http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrNotFound):
		body.Code, status = codeNotFound, http.StatusNotFound
	case errors.Is(err, ErrRefused):
		body.Code, status = codeRefused, http.StatusConflict
	default:
		s.log.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.log.Warn("admin reply not sent", "err", err)
	}
}
