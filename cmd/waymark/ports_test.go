package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A port in use fails serve at once, naming the address and its flag (exit 1), before
// the store is opened: the HTTP port, and the embedded NATS server's.
func TestServeRefusesAPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	for _, tc := range []struct {
		flag string
		args []string
	}{
		{"http-addr", []string{"--http-addr", addr, "--nats-listen", freeAddr(t)}},
		{"nats-listen", []string{"--http-addr", freeAddr(t), "--nats-listen", addr}},
	} {
		dir := t.TempDir()
		_, stderr, code := runWaymark(t, childEnv(), append([]string{"serve", "--demo", "--data-dir", dir, "--sync", "interval"}, tc.args...)...)
		want := "waymark: listen on " + addr + " (--" + tc.flag + "): address already in use"
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("--%s on a port in use: exit %d, want 1 saying %q:\n%s", tc.flag, code, want, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "jetstream")); !os.IsNotExist(err) {
			t.Errorf("--%s on a port in use: the store was opened (%v)", tc.flag, err)
		}
	}
}
