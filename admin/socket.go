package admin

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
)

// listenSocket makes the socket at path: bound inside a fresh 0700 directory next to
// it, made 0600, then renamed into place, so it is never reachable by another user,
// not even between bind and chmod (bind makes the file with the process's umask, and
// changing the umask would change it for every goroutine of the server). Whatever
// was at path — a socket left by a killed server — is removed first: the caller holds
// the data directory's lock, so no live server uses it.
func listenSocket(path string) (*net.UnixListener, error) {
	if st, err := os.Lstat(path); err == nil && st.Mode().Type() != fs.ModeSocket {
		return nil, fmt.Errorf("admin socket %s: something else is there (%s); move it away", path, st.Mode().Type())
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(path), ".admin")
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, "s")
	// tmp is the longer of the two names the socket has.
	if allowed := maxSocketPath() - (len(tmp) - len(path)); len(path) > allowed {
		return nil, fmt.Errorf("admin socket %s: %d bytes, longer than the %d a Unix socket allows here: use a shorter --data-dir", path, len(path), allowed)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	// The file moves; the listener must not unlink the old name on Close (Server.Close
	// removes the socket where it is).
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		ln.Close()
		return nil, fmt.Errorf("admin socket: remove the stale %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		return nil, fmt.Errorf("admin socket: %w", err)
	}
	return ln, nil
}

// peerListener accepts only connections whose peer runs as uid.
type peerListener struct {
	*net.UnixListener
	uid int
	log *slog.Logger
}

// Accept returns the next connection from uid; others are closed unread and logged.
func (l peerListener) Accept() (net.Conn, error) {
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			return nil, err
		}
		uid, pid, err := peerCred(c)
		if err == nil && uid == l.uid {
			return c, nil
		}
		l.log.Warn("admin socket: refused a connection from another user", "peer_uid", uid, "peer_pid", pid, "err", err)
		c.Close()
	}
}
