package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
)

// directoryTimeout bounds a directory look-up, through a server or the store.
const directoryTimeout = time.Minute

// lookupOrganisation folds an organisation from its own stream in store: the same
// source the application decides commands on, never a read model that may lag. An
// organisation that was never registered is domain.ErrUnknownOrganisation.
func lookupOrganisation(ctx context.Context, store eventstore.Store, id string) (admin.Organisation, error) {
	stream := eventstore.StreamName(eventstore.KindOrganisation, id)
	if eventstore.ValidateStreamName(stream) != nil {
		return admin.Organisation{}, fmt.Errorf("organisation %q: %w", id, domain.ErrUnknownOrganisation)
	}
	history, err := store.ReadStream(ctx, stream, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return admin.Organisation{}, fmt.Errorf("organisation %q: %w", id, domain.ErrUnknownOrganisation)
	}
	if err != nil {
		return admin.Organisation{}, fmt.Errorf("read organisation %q: %w", id, err)
	}
	events := make([]domain.Event, 0, len(history))
	for _, rec := range history {
		e, _, err := codec.Decode(rec)
		if err != nil {
			return admin.Organisation{}, err
		}
		events = append(events, e)
	}
	org := domain.FoldOrganisation(events)
	if !org.Registered {
		return admin.Organisation{}, fmt.Errorf("organisation %q: %w", id, domain.ErrUnknownOrganisation)
	}
	return admin.Organisation{ID: id, Name: org.Name, Kind: string(org.Kind), Jurisdiction: org.Jurisdiction, Active: org.Active}, nil
}

// findOrganisation looks an organisation up for a command that is not a server: from
// the server that owns the data directory, on its admin socket, or, when none does,
// from the event store, opened here under the data directory's lock. Unknown
// organisations are domain.ErrUnknownOrganisation either way.
func findOrganisation(ctx context.Context, sf storeFlags, id string, logger *slog.Logger) (admin.Organisation, error) {
	ctx, cancel := context.WithTimeout(ctx, directoryTimeout)
	defer cancel()
	if sf.natsURL == "" {
		// Opening the embedded store where there is none would make an empty one.
		if _, err := os.Stat(filepath.Join(sf.dataDir, "jetstream")); errors.Is(err, fs.ErrNotExist) {
			return admin.Organisation{}, fmt.Errorf("no event store in %s to look organisation %q up in: point --data-dir (WAYMARK_DATA_DIR) at the server's data directory", sf.dataDir, id)
		}
	}
	own, err := ownOrAsk(ctx, "token issue", sf.dataDir)
	if err != nil {
		return admin.Organisation{}, err
	}
	if own.server != nil {
		org, err := own.server.Organisation(ctx, id)
		if errors.Is(err, admin.ErrNotFound) {
			return admin.Organisation{}, fmt.Errorf("%w: %w", domain.ErrUnknownOrganisation, err)
		}
		return org, err
	}
	defer own.locks.Release()
	cfg := sf.storeConfig("")
	cfg.Logger = logger
	store, err := jetstream.Open(ctx, cfg)
	if err != nil {
		return admin.Organisation{}, fmt.Errorf("open the event store to look organisation %q up: %w", id, err)
	}
	defer store.Close()
	return lookupOrganisation(ctx, store, id)
}
