//go:build !unix

package datadir

import (
	"errors"
	"os"
)

// Waymark runs on Unix systems only; elsewhere nothing may open a data directory it
// cannot lock.
func openLockFile(path string) (*os.File, error) {
	return nil, errors.ErrUnsupported
}

func tryLock(*os.File) (bool, error) { return false, errors.ErrUnsupported }
