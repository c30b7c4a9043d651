package jskeys

import (
	"fmt"
	"log/slog"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/waymark-org/waymark/internal/natsembed"
)

// startKeyServer runs the key store's own embedded NATS server: JetStream file storage
// under dir (the server adds the "jetstream" directory), every message fsynced before it
// is acknowledged, reachable only in-process: no client port, no monitoring port, no
// cluster. JetStream's own encryption at rest stays off on purpose: with it the server
// skips the overwrite in secure delete (filestore.go removeMsg: "If in encrypted mode
// negate secure rewrite here"); the wrapped keys are already encrypted under the KEK.
func startKeyServer(dir string, logger *slog.Logger) (*server.Server, error) {
	srv, err := natsembed.Start(natsembed.Config{
		Options: &server.Options{
			ServerName: "waymark-keys",
			JetStream:  true,
			StoreDir:   dir,
			SyncAlways: true,
			NoSigs:     true,
			DontListen: true,
			HTTPPort:   0, // no monitoring endpoint
		},
		Logger:    logger,
		Component: "nats-server-keys",
		// Debug stays off whatever the logger's level: here the payloads are wrapped keys.
		Debug: false,
	})
	if err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	return srv, nil
}
