package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"time"
)

// Backups: the server that owns the data directory takes the backup on its own stores
// (package backup) and writes it to a directory it is given — the command runs as the
// same user — so that no byte of it, and no key with --include-keys, ever crosses the
// socket: the reply is the manifest's figures.

// BackupRequest asks for a backup.
type BackupRequest struct {
	// To is the backup directory to make: an absolute path that does not exist yet,
	// in a directory that does.
	To string `json:"to"`
	// IncludeKeys puts the key store and the secrets in the backup.
	IncludeKeys bool `json:"includeKeys,omitempty"`
}

// BackupMade describes a backup taken: figures and names, never key material.
type BackupMade struct {
	Dir          string         `json:"dir"`
	CreatedAt    time.Time      `json:"createdAt"`
	By           string         `json:"by"`
	IncludesKeys bool           `json:"includesKeys"`
	Streams      []BackupStream `json:"streams"`
	Secrets      []string       `json:"secrets,omitempty"` // the secrets' names
	// Notes are what the backup could not hold and the operator must know (a keyring
	// from the environment).
	Notes []string `json:"notes,omitempty"`
}

// BackupStream is one stream in a backup.
type BackupStream struct {
	Name     string `json:"name"`
	Messages uint64 `json:"messages"`
	LastSeq  uint64 `json:"lastSeq"`
	Size     int64  `json:"size"` // of its snapshot file
}

// BackupMaker is a server that takes backups; a server whose operations are not one
// refuses the request.
type BackupMaker interface {
	// Backup takes a backup into req.To. ErrRefused for a target it may not write.
	Backup(ctx context.Context, req BackupRequest) (BackupMade, error)
}

func (s *Server) routeBackup(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/backup", s.backup)
}

func (s *Server) backup(w http.ResponseWriter, r *http.Request) {
	bm, ok := s.ops.(BackupMaker)
	if !ok {
		s.fail(w, r, fmt.Errorf("%w: this server takes no backups", ErrRefused))
		return
	}
	var req BackupRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || !filepath.IsAbs(req.To) {
		s.fail(w, r, fmt.Errorf("%w: not a backup request with an absolute directory (%v)", ErrRefused, err))
		return
	}
	s.log.Info("backup asked for on the admin socket", "to", req.To, "include_keys", req.IncludeKeys)
	made, err := bm.Backup(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("backup taken", "to", made.Dir, "streams", len(made.Streams), "include_keys", made.IncludesKeys)
	s.reply(w, made)
}

// Backup has the server take a backup (see BackupMaker).
func (c *Client) Backup(ctx context.Context, req BackupRequest) (BackupMade, error) {
	var made BackupMade
	return made, c.sendJSON(ctx, http.MethodPost, "/v1/backup", req, &made)
}
