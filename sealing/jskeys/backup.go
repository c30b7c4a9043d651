package jskeys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/internal/jssnap"
	"github.com/waymark-org/waymark/sealing"
)

// StreamName is the key stream's name, as a backup's manifest records it.
const StreamName = keyStreamName

// Snapshot writes a snapshot of the key stream to w (internal/jssnap), for a backup
// made with its keys. Replace and Destroy wait until it is taken, so that it never
// holds half of one (Creates go on: a snapshot is a prefix of the stream).
func (s *Store) Snapshot(ctx context.Context, w io.Writer) (jssnap.Info, error) {
	if s.closed.Load() {
		return jssnap.Info{}, sealing.ErrKeyStoreClosed
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return jssnap.Snapshot(ctx, s.nc, keyStreamName, w)
}

// RestoreEmbedded starts the key store's server on dir, which must hold no key store
// yet, hands restore a connection to restore the key stream's snapshot on
// (jssnap.Restore), stops the server and syncs what it wrote. Open then opens it.
func RestoreEmbedded(ctx context.Context, dir string, logger *slog.Logger, restore func(ctx context.Context, nc *nats.Conn) error) error {
	if logger == nil {
		logger = slog.Default()
	}
	jsDir := filepath.Join(dir, "jetstream")
	if _, err := os.Stat(jsDir); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore keys: %s already holds a key store (or cannot be read: %v)", jsDir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("restore keys: %w", err)
	}
	srv, err := startKeyServer(dir, logger)
	if err != nil {
		return fmt.Errorf("restore keys: %w", err)
	}
	return jssnap.RestoreOn(ctx, srv, jsDir, []nats.Option{nats.Name("waymark-keys-restore")}, restore)
}
