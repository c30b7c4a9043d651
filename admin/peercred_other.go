//go:build !linux

package admin

import (
	"errors"
	"net"
)

// peerCred is implemented on Linux only (SO_PEERCRED). Elsewhere the peer cannot be
// identified, so every connection is refused: fail closed rather than trust a
// socket's file permissions alone.
func peerCred(*net.UnixConn) (uid, pid int, err error) {
	return -1, 0, errors.New("peer credentials are not available on this system")
}

// maxSocketPath is the smallest sun_path among the Unix systems (104 bytes on the
// BSDs and macOS), less its terminating NUL.
func maxSocketPath() int { return 103 }
