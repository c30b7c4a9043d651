package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/internal/datadir"
)

// One process owns a data directory: its event store and its key store. A command
// that opens either for writing owns the directory for as long as it runs (lockStore:
// serve, seed, restore). A command that can also be done by a running server
// (ownOrAsk: keys rotate, the directory look-up of token issue, backup, rebuild,
// checkpoint export, republishing, analyst credentials) owns the directory when
// nobody else does, and otherwise asks the server that does, on its admin socket.

// lockStore takes the data directory's lock and, when keysDir lies outside it, the key
// directory's (internal/datadir), before the command touches either. A second
// command gets an error naming the first's PID.
func lockStore(holder, dataDir, keysDir string) (*datadir.Locks, error) {
	locks, err := datadir.LockDataDir(holder, dataDir, keysDir)
	if errors.Is(err, datadir.ErrLocked) {
		return nil, fmt.Errorf("%w: one process owns a data directory and its key store; stop that one first, or use another --data-dir", err)
	}
	return locks, err
}

// storeAccess is how a command reaches a data directory's stores: it owns them, or the
// server that does answers for it. Exactly one of locks and server is set.
type storeAccess struct {
	locks  *datadir.Locks // this process owns the directory: release when done
	server *admin.Client  // a running server owns it
	status admin.Status   // that server's
}

// ownOrAsk takes the locks of dataDir and extra (as lockStore) or, when a server owns
// dataDir, returns a client of it. When the directory is held by a command that is
// not a server (a seed, another rotation), or only a key directory of extra is held,
// the error says by whom and what to do.
func ownOrAsk(ctx context.Context, holder, dataDir string, extra ...string) (storeAccess, error) {
	locks, err := datadir.LockDataDir(holder, dataDir, extra...)
	if err == nil {
		return storeAccess{locks: locks}, nil
	}
	var locked *datadir.LockedError
	if !errors.As(err, &locked) {
		return storeAccess{}, err
	}
	if locked.Dir != dataDir {
		return storeAccess{}, fmt.Errorf("%w: it belongs to the server of another data directory; run this command with that one's --data-dir", err)
	}
	client := admin.NewClient(admin.SocketPath(dataDir))
	st, serr := client.Status(ctx)
	if errors.Is(serr, admin.ErrUnavailable) {
		return storeAccess{}, fmt.Errorf("%w, and no server answers on its admin socket: run this again once that command has finished", err)
	}
	if serr != nil {
		return storeAccess{}, fmt.Errorf("%w; its admin socket: %w", err, serr)
	}
	return storeAccess{server: client, status: st}, nil
}
