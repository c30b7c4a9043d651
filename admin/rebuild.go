package admin

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Rebuilder is implemented by servers that can rebuild their read models while they
// serve (waymark rebuild): beside the live ones, swapped in atomically once caught up.
type Rebuilder interface {
	// StartRebuild starts a rebuild and returns at once (ErrRefused while one is under
	// way); RebuildStatus says how it goes.
	StartRebuild(ctx context.Context) (RebuildStatus, error)
	RebuildStatus(ctx context.Context) (RebuildStatus, error)
}

// States of a rebuild.
const (
	RebuildNone     = ""         // none since the server started
	RebuildRunning  = "running"  // building beside the live read models
	RebuildSwapped  = "swapped"  // done: the new read models serve
	RebuildFailed   = "failed"   // stopped; the old read models still serve
	RebuildCanceled = "canceled" // the server is stopping
)

// RebuildStatus is how far a rebuild got.
type RebuildStatus struct {
	State string `json:"state"`
	// Events applied to the new read models, and the events the log held when the
	// rebuild began (estimated until the rebuild reaches them: see
	// projections.Progress).
	Events   int64     `json:"events"`
	Total    int64     `json:"total"`
	CaughtUp bool      `json:"caughtUp"` // the new read models reached that head
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Error    string    `json:"error,omitempty"`
	Cases    int       `json:"cases,omitempty"` // in the new read models, once swapped
}

func (s *Server) routeRebuild(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/rebuild", s.startRebuild)
	mux.HandleFunc("GET /v1/rebuild", s.rebuildStatus)
}

func (s *Server) rebuilder(w http.ResponseWriter, r *http.Request) (Rebuilder, bool) {
	rb, ok := s.ops.(Rebuilder)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: this server does not rebuild its read models", ErrRefused))
	}
	return rb, ok
}

func (s *Server) startRebuild(w http.ResponseWriter, r *http.Request) {
	rb, ok := s.rebuilder(w, r)
	if !ok {
		return
	}
	s.log.Info("rebuild of the read models asked for on the admin socket")
	st, err := rb.StartRebuild(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, st)
}

func (s *Server) rebuildStatus(w http.ResponseWriter, r *http.Request) {
	rb, ok := s.rebuilder(w, r)
	if !ok {
		return
	}
	st, err := rb.RebuildStatus(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, st)
}

// StartRebuild has the server rebuild its read models (see Rebuilder).
func (c *Client) StartRebuild(ctx context.Context) (RebuildStatus, error) {
	var st RebuildStatus
	return st, c.do(ctx, http.MethodPost, "/v1/rebuild", &st)
}

// RebuildStatus asks the server how its rebuild goes.
func (c *Client) RebuildStatus(ctx context.Context) (RebuildStatus, error) {
	var st RebuildStatus
	return st, c.do(ctx, http.MethodGet, "/v1/rebuild", &st)
}
