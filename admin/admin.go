// Package admin is the one channel through which waymark commands reach a running
// server. One process owns a data directory (internal/datadir); a command that needs
// that directory's event store or key store while a server owns it — key rotation,
// directory look-ups, backup, rebuild, checkpoint export, republishing and analyst
// credentials — asks the server here instead of opening the stores a second time,
// which would corrupt them.
//
// The channel is a Unix domain socket in the data directory (SocketPath) speaking
// small JSON documents over HTTP: the server (Listen) takes the small Operations
// interface of what it can do; commands use Client.
//
// Who may use it: processes running as the server's own user, and nobody else. Why
// that is safe:
//   - it never listens on a network: nothing on it is reachable from another machine;
//   - the socket is made 0600 inside a fresh 0700 directory and only then moved into
//     place, so no other user can ever open it, not even in the instant after it is
//     made;
//   - every connection's peer credentials (SO_PEERCRED) are checked against the
//     server's own uid before a byte is read: another user's process is refused even
//     when file permissions would let it in (root's included, unless the server is
//     root). Where peer credentials cannot be read, every connection is refused;
//   - the client checks the server's credentials the same way, so a socket planted by
//     someone else is not believed;
//   - what it gives is no more than that user can already do with the files of the
//     data directory and the secrets, with the server stopped: it makes them do it
//     through the one process that owns the stores. No key material ever crosses
//     it (a backup with its keys is written by the server into a directory it is
//     named, backup.go), and no personal data but a survivor's own record on her
//     recorded request (export.go), whose decryption the server records in the
//     access log first.
//
// The server removes a stale socket (left by a server that was killed) only while it
// holds the data directory's lock, and removes its own on Close.
package admin

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/waymark-org/waymark/audit"
)

// SocketName is the admin socket's name in the data directory.
const SocketName = "admin.sock"

// SocketPath is the admin socket of a data directory.
func SocketPath(dataDir string) string { return filepath.Join(dataDir, SocketName) }

// Errors callers branch on. Operations return ErrNotFound and ErrRefused (wrapped,
// with a sentence) and the client hands them back wrapped the same way.
var (
	// ErrUnavailable: no server answers on the socket (none runs, or it was killed
	// and left its socket behind, or it is still starting).
	ErrUnavailable = errors.New("no waymark server answers on the admin socket")
	// ErrUntrusted: the process on the socket runs as another user.
	ErrUntrusted = errors.New("the admin socket belongs to another user")
	// ErrNotFound: what was asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrRefused: the server will not do it as it is configured (for example, rotate
	// a keyring it was given through the environment and cannot rewrite).
	ErrRefused = errors.New("refused")
)

// Operations is what a server can do for the commands that reach it. Each method
// runs in the server's process, on its own stores.
type Operations interface {
	// Status describes the server. PID and DataDir are filled in by the admin server.
	Status(ctx context.Context) (Status, error)
	// RotateKeys adds a new key-encryption key to the server's keyring file and
	// rewraps every case key under it.
	RotateKeys(ctx context.Context) (Rotation, error)
	// Organisation looks an organisation up in the directory (ErrNotFound if it is
	// not registered).
	Organisation(ctx context.Context, id string) (Organisation, error)
	// Checkpoint makes and stores a signed checkpoint now (audit.go); none when
	// nothing changed since the last. ErrRefused when the server has no audit key.
	Checkpoint(ctx context.Context) (CheckpointMade, error)
	// Checkpoints returns every stored checkpoint, oldest first.
	Checkpoints(ctx context.Context) ([]audit.Checkpoint, error)
	// Verify recomputes the chains of the server's own store and compares them with
	// checkpoints (VerifyRequest). A history that does not verify is a report, not
	// an error; an unknown case is ErrNotFound.
	Verify(ctx context.Context, req VerifyRequest) (VerifyReport, error)
}

// Status describes a running server.
type Status struct {
	PID     int    `json:"pid"`
	DataDir string `json:"data_dir"`
	KeysDir string `json:"keys_dir"`
	// KeyringFile is the keyring's file; "" when the keyring came from the
	// WAYMARK_MASTER_KEY environment variable.
	KeyringFile string `json:"keyring_file"`
}

// Rotation is the outcome of a key rotation: key ids only, never key bytes.
type Rotation struct {
	Active      string   `json:"active"` // the new active key-encryption key
	KEKs        []string `json:"keks"`   // every key-encryption key now in the keyring
	Rewrapped   int      `json:"rewrapped"`
	KeyringFile string   `json:"keyring_file"`
}

// Organisation is a directory entry as far as issuing tokens needs it.
type Organisation struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Jurisdiction string `json:"jurisdiction"`
	Active       bool   `json:"active"`
}
