// Package diskbench measures the disk itself, so that benchmarks of durable writes can
// report their rate as a ratio to what the disk does raw in the same run (these
// machines are shared; absolute rates drift). Only benchmarks (go test -bench and
// 'waymark bench') import it.
package diskbench

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Fsync measures the disk's raw durable-write rate in dir: a loop that appends one
// record of size bytes to a file and fsyncs it, as a durable log without group commit
// would, for d. It returns writes a second. The file is left in dir.
func Fsync(dir string, size int, d time.Duration) (float64, error) {
	f, err := os.OpenFile(filepath.Join(dir, "fsync-baseline"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("fsync baseline: %w", err)
	}
	defer f.Close()
	record := make([]byte, size)
	start, n := time.Now(), 0
	for time.Since(start) < d {
		if _, err := f.Write(record); err != nil {
			return 0, fmt.Errorf("fsync baseline: %w", err)
		}
		if err := f.Sync(); err != nil { // fsync(2); on Linux Go has no fdatasync, and the file only grows
			return 0, fmt.Errorf("fsync baseline: %w", err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// FsyncRate is Fsync for a benchmark: a failure fails it.
func FsyncRate(tb testing.TB, dir string, size int, d time.Duration) float64 {
	tb.Helper()
	rate, err := Fsync(dir, size, d)
	if err != nil {
		tb.Fatal(err)
	}
	return rate
}
