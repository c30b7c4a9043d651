package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// RetentionKeeper is implemented by servers that apply retention policies (waymark
// retention). Kept apart from Operations so that a server without it still builds:
// the socket refuses the request instead.
type RetentionKeeper interface {
	// RetentionPlan lists what a retention run would do now, changing nothing.
	RetentionPlan(ctx context.Context, req RetentionRequest) (RetentionResult, error)
	// RetentionRun runs retention now.
	RetentionRun(ctx context.Context, req RetentionRequest) (RetentionResult, error)
}

// RetentionRequest is a retention dry run's or run's options.
type RetentionRequest struct {
	// PoliciesFile, if set, is a policy file read by the server (it runs as the
	// same user) instead of its own --retention; malformed: ErrRefused.
	PoliciesFile string `json:"policiesFile,omitempty"`
	// Batch bounds the cases listed or erased (0: the server's own batch).
	Batch int `json:"batch,omitempty"`
}

// RetentionCase is a case due for erasure: ids, a code, a date and the policy — no
// personal data.
type RetentionCase struct {
	CaseID       string    `json:"caseId"`
	Jurisdiction string    `json:"jurisdiction"`
	ClosedAt     time.Time `json:"closedAt"`
	Policy       string    `json:"policy"` // e.g. "MX:10y", "default:6y"
}

// RetentionResult is what a dry run would do, or what a run did.
type RetentionResult struct {
	At               time.Time       `json:"at"`
	DryRun           bool            `json:"dryRun"`
	Due              []RetentionCase `json:"due"`     // listed (a dry run) or tried (a run), at most a batch
	MoreDue          int             `json:"moreDue"` // due beyond the batch
	Erased           []string        `json:"erased,omitempty"`
	Skipped          []string        `json:"skipped,omitempty"` // "<case id>: <why>"
	AccessLogDropped int             `json:"accessLogDropped"`
}

func (s *Server) routeRetention(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/retention/plan", func(w http.ResponseWriter, r *http.Request) { s.retention(w, r, false) })
	mux.HandleFunc("POST /v1/retention/run", func(w http.ResponseWriter, r *http.Request) { s.retention(w, r, true) })
}

func (s *Server) retention(w http.ResponseWriter, r *http.Request, run bool) {
	rk, ok := s.ops.(RetentionKeeper)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: this server does not apply retention policies", ErrRefused))
		return
	}
	var req RetentionRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, r, fmt.Errorf("%w: not a retention request: %v", ErrRefused, err))
		return
	}
	var (
		res RetentionResult
		err error
	)
	if run {
		s.log.Info("retention run asked for on the admin socket")
		res, err = rk.RetentionRun(r.Context(), req)
	} else {
		res, err = rk.RetentionPlan(r.Context(), req)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.reply(w, res)
}

// RetentionPlan asks the server what a retention run would do now.
func (c *Client) RetentionPlan(ctx context.Context, req RetentionRequest) (RetentionResult, error) {
	return c.retention(ctx, "/v1/retention/plan", req)
}

// RetentionRun has the server run retention now.
func (c *Client) RetentionRun(ctx context.Context, req RetentionRequest) (RetentionResult, error) {
	return c.retention(ctx, "/v1/retention/run", req)
}

func (c *Client) retention(ctx context.Context, path string, req RetentionRequest) (RetentionResult, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return RetentionResult{}, err
	}
	resp, err := c.send(ctx, http.MethodPost, path, body)
	if err != nil {
		return RetentionResult{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody))
	if err != nil {
		return RetentionResult{}, fmt.Errorf("admin POST %s: read reply: %w", path, err)
	}
	var res RetentionResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return RetentionResult{}, fmt.Errorf("admin POST %s: decode reply: %w", path, err)
	}
	return res, nil
}
