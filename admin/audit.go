package admin

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/waymark-org/waymark/audit"
)

// Auditing through the admin socket: a server owns the event store and the only audit
// Signer, so a checkpoint made on demand, the export of the stored checkpoints and a
// verification while it runs are all its to do. Checkpoints carry stream names and
// hashes, never personal data; a verification request carries the auditor's public
// key only.

// CheckpointMade summarises a checkpoint made on demand (the checkpoint itself may
// name a head for every stream in the store: export it to see it whole).
type CheckpointMade struct {
	Made      bool      `json:"made"` // false: nothing changed since Sequence, none made
	Sequence  uint64    `json:"sequence"`
	At        time.Time `json:"at"`
	Events    uint64    `json:"events"`  // in the global log up to it
	Streams   int       `json:"streams"` // heads it names
	AccessSeq uint64    `json:"access_seq"`
	KeyID     string    `json:"key_id"`
	Hash      string    `json:"hash"`
}

// Summary describes c for a CheckpointMade.
func Summary(c audit.Checkpoint, made bool) CheckpointMade {
	return CheckpointMade{Made: made, Sequence: c.Sequence, At: c.At, Events: c.Events, Streams: len(c.Heads),
		AccessSeq: c.AccessSeq, KeyID: c.KeyID, Hash: c.Hash()}
}

// VerifyRequest asks for a verification: of one case, or of everything.
type VerifyRequest struct {
	Case string `json:"case,omitempty"` // "" for everything
	// CheckpointsFile names a file of checkpoints (one JSON a line) to compare with,
	// by absolute path: the server runs as the caller's own user (the socket admits no
	// other), so it reads nothing the caller could not. "" compares with the stored
	// checkpoints when Key is given.
	CheckpointsFile string `json:"checkpoints_file,omitempty"`
	// Key is the audit public key the auditor pins (none: chains only).
	Key ed25519.PublicKey `json:"key,omitempty"`
}

// VerifyReport is what a verification went through and, when it failed, why.
type VerifyReport struct {
	Case          string `json:"case,omitempty"`
	Streams       int    `json:"streams"`
	Events        uint64 `json:"events"`
	AccessEntries uint64 `json:"access_entries"`
	Checkpoints   int    `json:"checkpoints"` // compared with the history
	HeadHash      string `json:"head_hash,omitempty"`
	Signed        bool   `json:"signed"` // checkpoints checked with a pinned key
	// Failure is the sentence of a history that does not verify ("" when it does);
	// Break is its first broken link, when it is one (not, say, a signature).
	Failure string       `json:"failure,omitempty"`
	Break   *audit.Break `json:"break,omitempty"`
}

func (s *Server) checkpoint(w http.ResponseWriter, r *http.Request) {
	made, err := s.ops.Checkpoint(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if made.Made {
		s.log.Info("checkpoint made on demand", "sequence", made.Sequence, "events", made.Events, "streams", made.Streams)
	}
	s.reply(w, made)
}

// checkpoints streams every stored checkpoint, one JSON a line: they can outgrow any
// reply the client would buffer.
func (s *Server) checkpoints(w http.ResponseWriter, r *http.Request) {
	cps, err := s.ops.Checkpoints(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for _, c := range cps {
		if err := enc.Encode(c); err != nil {
			s.log.Warn("checkpoint export not sent", "err", err)
			return
		}
	}
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	var req VerifyRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(w, r, fmt.Errorf("%w: not a verification request: %v", ErrRefused, err))
		return
	}
	rep, err := s.ops.Verify(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.Failure != "" {
		s.log.Warn("verification failed", "case", rep.Case, "failure", rep.Failure)
	}
	s.reply(w, rep)
}

// Checkpoint has the server make a checkpoint now (none when nothing changed).
func (c *Client) Checkpoint(ctx context.Context) (CheckpointMade, error) {
	var made CheckpointMade
	return made, c.do(ctx, http.MethodPost, "/v1/audit/checkpoint", &made)
}

// Checkpoints returns every checkpoint the server has stored, oldest first.
func (c *Client) Checkpoints(ctx context.Context) ([]audit.Checkpoint, error) {
	const path = "/v1/audit/checkpoints"
	resp, err := c.send(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out []audit.Checkpoint
	dec := json.NewDecoder(resp.Body)
	for {
		var cp audit.Checkpoint
		err := dec.Decode(&cp)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("admin GET %s: checkpoint %d: %w", path, len(out)+1, err)
		}
		out = append(out, cp)
	}
}

// Verify has the server verify its own store.
func (c *Client) Verify(ctx context.Context, req VerifyRequest) (VerifyReport, error) {
	const path = "/v1/audit/verify"
	body, err := json.Marshal(req)
	if err != nil {
		return VerifyReport{}, err
	}
	resp, err := c.send(ctx, http.MethodPost, path, body)
	if err != nil {
		return VerifyReport{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody))
	if err != nil {
		return VerifyReport{}, fmt.Errorf("admin POST %s: read reply: %w", path, err)
	}
	var rep VerifyReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		return VerifyReport{}, fmt.Errorf("admin POST %s: decode reply: %w", path, err)
	}
	return rep, nil
}

// send sends a request with an optional JSON body and returns a successful reply for
// the caller to read (and close); a failed one becomes the server's error, as do
// gives it.
func (c *Client) send(ctx context.Context, method, path string, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://waymark-admin"+path, rd)
	if err != nil {
		return nil, fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody))
	var e errorBody
	if json.Unmarshal(raw, &e) != nil || e.Error == "" {
		return nil, fmt.Errorf("admin %s %s: %s", method, path, resp.Status)
	}
	switch e.Code {
	case codeNotFound:
		return nil, &remoteError{kind: ErrNotFound, msg: e.Error}
	case codeRefused:
		return nil, &remoteError{kind: ErrRefused, msg: e.Error}
	}
	return nil, fmt.Errorf("the server failed: %s", e.Error)
}
