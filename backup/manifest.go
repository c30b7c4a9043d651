package backup

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"
)

// FormatVersion is the version of the backup layout and manifest this package writes
// and reads.
const FormatVersion = 1

// ManifestName is the manifest's file in a backup directory: written last, so a
// directory with a manifest whose checksums agree is a whole backup.
const ManifestName = "manifest.json"

// Servers a stream belongs to.
const (
	ServerEvents = "events" // the event store's embedded server, Waymark's account
	ServerKeys   = "keys"   // the key store's own server
)

// Manifest describes a backup: what it holds, from where, and a SHA-256 for every file.
type Manifest struct {
	Format         int       `json:"format"`
	WaymarkVersion string    `json:"waymark_version"`
	CreatedAt      time.Time `json:"created_at"`
	// By says who took it: the server owning the data directory, or a command
	// owning it with no server running.
	By string `json:"by"`
	// IncludesKeys: the key store and the secrets are in it. Such a backup opens every
	// survivor's data it holds: keep it as the keys are kept.
	IncludesKeys bool     `json:"includes_keys"`
	Streams      []Stream `json:"streams"`
	Secrets      []File   `json:"secrets,omitempty"`
}

// Stream is one stream's snapshot.
type Stream struct {
	Name   string `json:"name"`
	Server string `json:"server"` // ServerEvents or ServerKeys
	File
	// Messages, FirstSeq and LastSeq are the stream's state when its snapshot began
	// (the snapshot holds at least that: appends that landed while it was read may
	// be in it too). A restore checks the restored stream against them.
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	// Config and State are the server's own description, sent back to it on restore.
	Config json.RawMessage `json:"config"`
	State  json.RawMessage `json:"state"`
}

// File is a file of the backup: its path in the backup directory (slash-separated),
// size and SHA-256.
type File struct {
	Path   string `json:"file"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Name is a secret's role (keyring.json, signing.key.pem, public/<id>.pub.pem,
	// ...): where restore puts it. Empty for a stream's file.
	Name string `json:"name,omitempty"`
}

// files lists every file the manifest covers.
func (m Manifest) files() []File {
	out := make([]File, 0, len(m.Streams)+len(m.Secrets))
	for _, s := range m.Streams {
		out = append(out, s.File)
	}
	return append(out, m.Secrets...)
}

// readManifest reads and checks the manifest of the backup in dir.
func readManifest(dir string) (Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return Manifest{}, fmt.Errorf("%w: %s: %v", ErrNotBackup, dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, fmt.Errorf("%w: %s: the manifest does not read: %v", ErrCorrupt, dir, err)
	}
	if m.Format != FormatVersion {
		return Manifest{}, fmt.Errorf("%w: %s is a backup of format %d; this waymark reads format %d", ErrFormat, dir, m.Format, FormatVersion)
	}
	seen := map[string]bool{}
	for _, f := range m.files() {
		if !localPath(f.Path) || seen[f.Path] || len(f.SHA256) != 64 {
			return Manifest{}, fmt.Errorf("%w: %s: the manifest names a file %q it may not", ErrCorrupt, dir, f.Path)
		}
		seen[f.Path] = true
	}
	for _, s := range m.Streams {
		if s.Name == "" || (s.Server != ServerEvents && s.Server != ServerKeys) {
			return Manifest{}, fmt.Errorf("%w: %s: a stream %q of server %q", ErrCorrupt, dir, s.Name, s.Server)
		}
	}
	for _, f := range m.Secrets {
		if !localPath(f.Name) {
			return Manifest{}, fmt.Errorf("%w: %s: a secret named %q", ErrCorrupt, dir, f.Name)
		}
	}
	return m, nil
}

// localPath accepts a clean relative slash-separated path that stays inside its
// directory.
func localPath(p string) bool {
	return p != "" && filepath.IsLocal(filepath.FromSlash(p)) && filepath.ToSlash(filepath.Clean(filepath.FromSlash(p))) == p
}

// Version is this binary's module version and commit, as the build recorded them.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
	}
	return v
}
