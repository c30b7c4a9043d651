package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// Exports: a case's audit bundle, or a survivor's own record on her recorded
// subject-access request, built by the server that owns the data directory on its own
// stores and sent back whole. The survivor's record is the one reply of this channel
// that holds personal data: the server records its decryption in the access log
// first, and the command writes it to a 0600 file for the caseworker to hand over.

// ExportRequest asks for one export.
type ExportRequest struct {
	CaseID string `json:"case_id"`
	// ForSurvivor: her own record (on RequestID, or her latest recorded request),
	// instead of the audit bundle.
	ForSurvivor bool   `json:"for_survivor,omitempty"`
	RequestID   string `json:"request_id,omitempty"`
	// AuditKeyPEM is put in an audit bundle for information only.
	AuditKeyPEM []byte `json:"audit_key_pem,omitempty"`
}

// Exporter is what a server does for exports; a server whose operations are not an
// Exporter answers them with 404 not found.
type Exporter interface {
	// Export writes the export to w, or fails before writing anything that is sent
	// (the admin server holds the reply until Export returns). ErrNotFound for an
	// unknown case, ErrRefused for a survivor's record without a recorded request.
	Export(ctx context.Context, req ExportRequest, w io.Writer) error
}

// MaxExport bounds an export's reply: far above any case's.
const MaxExport = 1 << 30

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	ex, ok := s.ops.(Exporter)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: this server makes no exports", ErrNotFound))
		return
	}
	var req ExportRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.CaseID == "" {
		s.fail(w, r, fmt.Errorf("%w: not an export request (%v)", ErrRefused, err))
		return
	}
	// Never the case id or anything else of the request in the log: the id is
	// enough to tie a line to a survivor.
	s.log.Info("export asked for on the admin socket", "for_survivor", req.ForSurvivor)
	var buf bytes.Buffer
	if err := ex.Export(r.Context(), req, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	if _, err := buf.WriteTo(w); err != nil {
		s.log.Warn("admin export not sent", "err", err)
	}
}

// Export has the server build an export and writes it to w.
func (c *Client) Export(ctx context.Context, req ExportRequest, w io.Writer) error {
	const path = "/v1/export"
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("admin export: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://waymark-admin"+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("admin export: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(hreq)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("admin export: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return replyError(resp, path)
	}
	n, err := io.Copy(w, io.LimitReader(resp.Body, MaxExport+1))
	if err != nil {
		return fmt.Errorf("admin export: read reply: %w", err)
	}
	if n > MaxExport || resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("admin export: the reply was cut short or too long (%d bytes of %d)", n, resp.ContentLength)
	}
	return nil
}

// replyError turns a failed reply into the error its code names.
func replyError(resp *http.Response, path string) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody))
	var e errorBody
	if json.Unmarshal(raw, &e) != nil || e.Error == "" {
		return fmt.Errorf("admin POST %s: %s", path, resp.Status)
	}
	switch e.Code {
	case codeNotFound:
		return &remoteError{kind: ErrNotFound, msg: e.Error}
	case codeRefused:
		return &remoteError{kind: ErrRefused, msg: e.Error}
	}
	return fmt.Errorf("the server failed: %s", e.Error)
}
