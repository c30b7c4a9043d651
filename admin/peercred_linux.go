package admin

import (
	"fmt"
	"net"

	"golang.org/x/sys/unix"
)

// peerCred returns the uid and pid of the process at the other end of c, as the
// kernel recorded them when it connected (SO_PEERCRED): the peer cannot lie about them.
func peerCred(c *net.UnixConn) (uid, pid int, err error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, 0, fmt.Errorf("peer credentials: %w", err)
	}
	var (
		cred    *unix.Ucred
		credErr error
	)
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return -1, 0, fmt.Errorf("peer credentials: %w", err)
	}
	if credErr != nil {
		return -1, 0, fmt.Errorf("peer credentials: %w", credErr)
	}
	return int(cred.Uid), int(cred.Pid), nil
}

// maxSocketPath is the longest path a Unix socket can be bound to (sun_path, less
// its terminating NUL).
func maxSocketPath() int { return len(unix.RawSockaddrUnix{}.Path) - 1 }
