package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/analyticsfeed"
	"github.com/waymark-org/waymark/internal/fsync"
	"github.com/waymark-org/waymark/internal/jssnap"
)

// EventStreams is the event store's server: Waymark's account (*jetstream.Store).
type EventStreams interface {
	StreamName() string
	Snapshot(ctx context.Context, stream string, w io.Writer) (jssnap.Info, error)
}

// KeyStream is the key store (*jskeys.Store).
type KeyStream interface {
	Snapshot(ctx context.Context, w io.Writer) (jssnap.Info, error)
}

// Secret is a secret file put in a backup with its keys: its role (where restore puts
// it: keyring.json, signing.key.pem, public/<id>.pub.pem, command-hash.key,
// analytics.key, audit.key.pem, audit.pub.pem) and where it is now.
type Secret struct {
	Name string
	Path string
}

// Source is what a backup is taken from: the stores of the process that owns the data
// directory (the server, asked on its admin socket, or a command with none running).
type Source struct {
	Events EventStreams
	// Keys, when set, puts the key store in the backup, and Secrets the secret files.
	Keys    KeyStream
	Secrets []Secret
	// Quiesce runs fn with the analytics feed's publisher stopped, so that the feed and
	// its registry are taken at one point; nil when no publisher runs.
	Quiesce func(ctx context.Context, fn func() error) error
	By      string
	Now     func() time.Time // default time.Now
}

// The streams of Waymark's account, by what they are for; the order they are taken in
// is Write's.
var (
	// The analytics feed (the origin in Waymark's account) and its registry of the
	// cases in it: taken first, together, with the publisher stopped.
	feedRegistry = "KV_" + analyticsfeed.RegistryBucket
	feedStream   = analytics.StreamName
	// The access log and its horizon.
	accessStream  = jsaccesslog.StreamName
	horizonStream = jsaccesslog.HorizonStreamName
)

// Write takes a backup into dir, which must not exist (its parent must): into a
// temporary directory beside it (.<name>.partial-*), every file synced, the manifest
// last, then renamed to dir. A backup cut short leaves no dir, only the partial one,
// removed when Write fails and named for what it is when it cannot be (a crash).
//
// The order the streams are taken in is what makes the backup consistent while the
// server runs (each snapshot is a prefix of its stream, jssnap):
//  1. the analytics feed's registry and stream, with the publisher stopped: the feed
//     is a projection of the log, taken before the log, so it never runs ahead of it;
//  2. the event stream (cases, organisations, revocations, command ids, signed
//     checkpoints): every event the feed was published from is in it;
//  3. the access log, then its horizon: every access-log position a checkpoint in the
//     log names is in it;
//  4. with keys, the key store, last: every case in the log has its key (one referred
//     since has its key too, harmlessly; one erased since is the ledger's business).
func Write(ctx context.Context, dir string, src Source) (Manifest, error) {
	if src.Events == nil {
		return Manifest{}, errors.New("backup: no event store")
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	dir = filepath.Clean(dir)
	if _, err := os.Lstat(dir); err == nil {
		return Manifest{}, fmt.Errorf("%w: %s", ErrExists, dir)
	}
	parent := filepath.Dir(dir)
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return Manifest{}, fmt.Errorf("%w: %s, where the backup %s was to be made", ErrNoDir, parent, dir)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	w := &writer{dir: tmp}
	m := Manifest{Format: FormatVersion, WaymarkVersion: Version(), CreatedAt: now().UTC(), By: src.By, IncludesKeys: src.Keys != nil}

	feed := func() error {
		for _, name := range []string{feedRegistry, feedStream} {
			if err := w.stream(ctx, &m, ServerEvents, name, false, func(out io.Writer) (jssnap.Info, error) {
				return src.Events.Snapshot(ctx, name, out)
			}); err != nil {
				return err
			}
		}
		return nil
	}
	if src.Quiesce != nil {
		err = src.Quiesce(ctx, feed)
	} else {
		err = feed()
	}
	if err != nil {
		return Manifest{}, err
	}
	for _, s := range []struct {
		name     string
		required bool
	}{{src.Events.StreamName(), true}, {accessStream, true}, {horizonStream, false}} {
		if err := w.stream(ctx, &m, ServerEvents, s.name, s.required, func(out io.Writer) (jssnap.Info, error) {
			return src.Events.Snapshot(ctx, s.name, out)
		}); err != nil {
			return Manifest{}, err
		}
	}
	if src.Keys != nil {
		if err := w.stream(ctx, &m, ServerKeys, keyStream, true, func(out io.Writer) (jssnap.Info, error) {
			return src.Keys.Snapshot(ctx, out)
		}); err != nil {
			return Manifest{}, err
		}
		for _, sec := range src.Secrets {
			f, err := w.secret(sec)
			if err != nil {
				return Manifest{}, err
			}
			m.Secrets = append(m.Secrets, f)
		}
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: manifest: %w", err)
	}
	if _, err := w.file(ManifestName, func(out io.Writer) error { _, err := out.Write(append(raw, '\n')); return err }); err != nil {
		return Manifest{}, err
	}
	if err := jssnap.SyncTree(tmp); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	// The last check before the rename, which would replace an empty directory made
	// meanwhile (and fails on anything else).
	if _, err := os.Lstat(dir); err == nil {
		return Manifest{}, fmt.Errorf("%w: %s appeared while the backup was taken", ErrExists, dir)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	done = true
	if err := fsync.Path(parent); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// keyStream is the key store's stream (jskeys.StreamName; not imported: a backup of
// the events never needs the key store's package).
const keyStream = "CASEKEYS"

// writer writes the files of a backup being made.
type writer struct{ dir string }

// stream writes one stream's snapshot to streams/<name>.snap (keys/ for the key
// store) and adds it to m. A stream that does not exist is left out unless required.
func (w *writer) stream(ctx context.Context, m *Manifest, server, name string, required bool, snap func(io.Writer) (jssnap.Info, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sub := "streams"
	if server == ServerKeys {
		sub = "keys"
	}
	var info jssnap.Info
	f, err := w.file(path.Join(sub, name+".snap"), func(out io.Writer) error {
		var err error
		info, err = snap(out)
		return err
	})
	if errors.Is(err, jssnap.ErrNoStream) && !required {
		return os.Remove(filepath.Join(w.dir, filepath.FromSlash(f.Path)))
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	m.Streams = append(m.Streams, Stream{Name: name, Server: server, File: f,
		Messages: info.State.Messages, Bytes: info.State.Bytes, FirstSeq: info.State.FirstSeq, LastSeq: info.State.LastSeq,
		Config: info.Config, State: info.StateJSON})
	return nil
}

// secret copies a secret file to keys/secrets/<name>.
func (w *writer) secret(s Secret) (File, error) {
	if !localPath(s.Name) {
		return File{}, fmt.Errorf("backup: secret %q: not a name", s.Name)
	}
	src, err := os.Open(s.Path)
	if err != nil {
		return File{}, fmt.Errorf("backup: secret %s: %w", s.Name, err)
	}
	defer src.Close()
	f, err := w.file(path.Join("keys", "secrets", s.Name), func(out io.Writer) error {
		_, err := io.Copy(out, src)
		return err
	})
	if err != nil {
		return File{}, fmt.Errorf("backup: secret %s: %w", s.Name, err)
	}
	f.Name = s.Name
	return f, nil
}

// file makes rel (0600, its directories 0700), fills it with fill, syncs it and
// returns its size and SHA-256. On failure File still names it (for a removal).
func (w *writer) file(rel string, fill func(io.Writer) error) (File, error) {
	out := File{Path: rel}
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return out, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return out, err
	}
	defer f.Close()
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, h)}
	if err := fill(cw); err != nil {
		return out, err
	}
	if err := f.Sync(); err != nil {
		return out, err
	}
	out.Size, out.SHA256 = cw.n, hex.EncodeToString(h.Sum(nil))
	return out, f.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
