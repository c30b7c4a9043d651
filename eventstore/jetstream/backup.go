package jetstream

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/internal/jssnap"
)

// StreamName is the event stream's name (Config.StreamName).
func (s *Store) StreamName() string { return s.cfg.StreamName }

// Snapshot writes a snapshot of a stream of Waymark's account — the event stream, the
// access log, the analytics feed — to w, as the server stores it (internal/jssnap):
// a backup. jssnap.ErrNoStream when the stream does not exist.
func (s *Store) Snapshot(ctx context.Context, stream string, w io.Writer) (jssnap.Info, error) {
	if s.isClosed() {
		return jssnap.Info{}, fmt.Errorf("snapshot %s: store closed", stream)
	}
	return jssnap.Snapshot(ctx, s.nc, stream, w)
}

// RestoreEmbedded starts the embedded server on cfg.DataDir, which must hold no store
// yet, hands restore a connection to Waymark's account to restore snapshots on
// (jssnap.Restore), stops the server and syncs what it wrote. No stream is created
// here: Open afterwards finds the restored ones and opens them as it would any other
// (and makes what the backup does not hold, such as the analysts' copy of the feed).
func RestoreEmbedded(ctx context.Context, cfg Config, restore func(ctx context.Context, nc *nats.Conn) error) error {
	if cfg.NATSURL != "" {
		return errors.New("restore: only into the embedded store of a data directory; an external NATS server's streams are its operator's to restore")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	jsDir := filepath.Join(cfg.DataDir, "jetstream")
	if _, err := os.Stat(jsDir); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore: %s already holds a store (or cannot be read: %v)", jsDir, err)
	}
	cfg.AppPassword = rand.Text()
	srv, _, err := startEmbedded(cfg)
	if err != nil {
		return err
	}
	return jssnap.RestoreOn(ctx, srv, jsDir, []nats.Option{nats.UserInfo(AppUser, cfg.AppPassword), nats.Name("waymark-restore")}, restore)
}
