package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/internal/jssnap"
)

// Errors callers branch on.
var (
	// ErrNotBackup: the directory has no manifest.
	ErrNotBackup = errors.New("not a waymark backup")
	// ErrCorrupt: a file is missing, or differs from what the manifest says.
	ErrCorrupt = errors.New("the backup is damaged")
	// ErrFormat: a backup of a format this waymark does not read.
	ErrFormat = errors.New("unknown backup format")
	// ErrExists: a backup's target exists already (a backup never overwrites).
	ErrExists = errors.New("already exists")
	// ErrNoDir: the directory a backup was to be made in does not exist.
	ErrNoDir = errors.New("no such directory")
)

// Backup is a backup directory whose files all agree with its manifest.
type Backup struct {
	Dir      string
	Manifest Manifest
}

// Open reads the backup in dir and checks every file the manifest names, its size
// and its SHA-256, before anything is restored from it. It writes nothing.
func Open(dir string) (*Backup, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	for _, f := range m.files() {
		size, sum, err := hashFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Path, err)
		case size != f.Size || sum != f.SHA256:
			return nil, fmt.Errorf("%w: %s does not match the manifest's SHA-256 (%d bytes, manifest %d)", ErrCorrupt, f.Path, size, f.Size)
		}
	}
	return &Backup{Dir: dir, Manifest: m}, nil
}

// Streams returns the backup's streams of server, in the order they were taken.
func (b *Backup) Streams(server string) []Stream {
	var out []Stream
	for _, s := range b.Manifest.Streams {
		if s.Server == server {
			out = append(out, s)
		}
	}
	return out
}

// Restored is a stream as restored.
type Restored struct {
	Name  string
	State jssnap.State
}

// RestoreStreams restores the backup's streams of server on nc — a connection to a
// server that has none of them (jetstream.RestoreEmbedded, jskeys.RestoreEmbedded) —
// and checks that each holds at least what the manifest says.
func (b *Backup) RestoreStreams(ctx context.Context, nc *nats.Conn, server string) ([]Restored, error) {
	var out []Restored
	for _, s := range b.Streams(server) {
		r, err := b.open(s.File)
		if err != nil {
			return out, err
		}
		state, err := jssnap.Restore(ctx, nc, jssnap.Info{Stream: s.Name, Config: s.Config, StateJSON: s.State}, r)
		r.Close()
		if err != nil {
			return out, err
		}
		if state.LastSeq < s.LastSeq || state.Messages < s.Messages || (s.Messages > 0 && state.FirstSeq != s.FirstSeq) {
			return out, fmt.Errorf("%w: stream %s restored with messages %d-%d (%d), the manifest says %d-%d (%d)",
				ErrCorrupt, s.Name, state.FirstSeq, state.LastSeq, state.Messages, s.FirstSeq, s.LastSeq, s.Messages)
		}
		out = append(out, Restored{Name: s.Name, State: state})
	}
	return out, nil
}

// RestoreSecret writes the secret f to path, which must not exist yet (0600; its
// directory made 0700 when missing), and syncs it.
func (b *Backup) RestoreSecret(f File, path string) error {
	r, err := b.open(f)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("restore %s: %w", f.Name, err)
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("restore %s: %w", f.Name, err)
	}
	defer out.Close()
	if _, err := io.Copy(out, r); err != nil {
		os.Remove(path)
		return fmt.Errorf("restore %s: %w", f.Name, err)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("restore %s: %w", f.Name, err)
	}
	return out.Close()
}

// open opens a file of the backup, checked again as it is read.
func (b *Backup) open(f File) (io.ReadCloser, error) {
	file, err := os.Open(filepath.Join(b.Dir, filepath.FromSlash(f.Path)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Path, err)
	}
	return &verifying{f: file, h: sha256.New(), want: f}, nil
}

// hashFile returns a file's size and SHA-256.
func hashFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// verifying reads a file and fails at its end unless it had the size and SHA-256 the
// manifest gives: a file changed after the check is caught as it is restored.
type verifying struct {
	f    *os.File
	h    hash.Hash
	n    int64
	want File
}

func (v *verifying) Read(p []byte) (int, error) {
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if errors.Is(err, io.EOF) && (v.n != v.want.Size || hex.EncodeToString(v.h.Sum(nil)) != v.want.SHA256) {
		return n, fmt.Errorf("%w: %s changed while it was restored", ErrCorrupt, v.want.Path)
	}
	return n, err
}

func (v *verifying) Close() error { return v.f.Close() }
