package bench

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

// Machine describes where a run ran: figures from another machine are not comparable.
func Machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				cpu = strings.TrimSpace(value)
				break
			}
		}
	}
	ram := "unknown RAM"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				if f := strings.Fields(rest); len(f) == 2 {
					if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
						ram = Bytes(kb*1024) + " RAM"
					}
				}
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s, %s/%s", cpu, runtime.NumCPU(), ram, runtime.GOOS, runtime.GOARCH)
}

// NATSServerVersion is the version of the NATS server Waymark embeds.
func NATSServerVersion() string { return server.VERSION }

// PostgresVersion is the PostgreSQL server's own version line, or why there is none.
func PostgresVersion() string {
	bin, err := FindPostgres()
	if err != nil {
		return "not installed"
	}
	out, err := runVersion(bin + "/postgres")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return out
}
