// Package natstest runs a JetStream cluster inside a test's process: three
// nats-servers on loopback ports, routed to each other, with Waymark's two accounts
// (the events' and the keys' own) as the README's "Running on a NATS cluster" sets
// them up. Package tests use it to see what only replicas show — a follower that
// answers a direct get before it has the latest write. The whole-system tests in
// cmd/waymark run nats-server as child processes instead, to kill nodes.
package natstest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// The accounts' users.
const (
	AppUser      = "waymark"
	AppPassword  = "natstest-app-password-0123456789"
	KeysUser     = "waymark-keys"
	KeysPassword = "natstest-keys-password-0123456789"
)

const nodeConf = `
server_name: %s
listen: 127.0.0.1:-1
jetstream { store_dir: %q, max_memory_store: 64MB, max_file_store: 1GB }
cluster {
  name: natstest
  listen: 127.0.0.1:%d
  routes: [%s]
}
accounts {
  WAYMARK: { jetstream: enabled, users: [{user: %s, password: %q}] }
  KEYS: { jetstream: enabled, users: [{user: %s, password: %q}] }
  SYS: { users: [{user: sys, password: "natstest-sys-password-0123456789"}] }
}
system_account: SYS
`

// Cluster is three clustered servers, shut down at the test's cleanup.
type Cluster struct {
	Servers []*server.Server
}

// Start starts the cluster and waits until its JetStream has a meta leader that sees
// every node online.
func Start(t testing.TB) *Cluster {
	t.Helper()
	var routePorts []int
	for range 3 {
		routePorts = append(routePorts, freePort(t))
	}
	var routes []string
	for _, p := range routePorts {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	dir := t.TempDir()
	c := &Cluster{}
	t.Cleanup(c.shutdown)
	for i, port := range routePorts {
		name := fmt.Sprintf("n%d", i+1)
		conf := filepath.Join(dir, name+".conf")
		text := fmt.Sprintf(nodeConf, name, filepath.Join(dir, name), port, strings.Join(routes, ", "),
			AppUser, AppPassword, KeysUser, KeysPassword)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		opts, err := server.ProcessConfigFile(conf)
		if err != nil {
			t.Fatalf("nats-server %s: %v", name, err)
		}
		srv, err := server.NewServer(opts)
		if err != nil {
			t.Fatalf("nats-server %s: %v", name, err)
		}
		srv.Start()
		c.Servers = append(c.Servers, srv)
	}
	for _, s := range c.Servers {
		if !s.ReadyForConnections(10 * time.Second) {
			t.Fatalf("nats-server %s not ready for connections within 10s", s.Name())
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !c.hasMetaLeader() {
		if time.Now().After(deadline) {
			t.Fatal("the cluster's JetStream has no meta leader seeing every node within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return c
}

// URLs is every node's client URL, comma-separated, as --nats-url takes them.
func (c *Cluster) URLs() string {
	var urls []string
	for _, s := range c.Servers {
		urls = append(urls, s.ClientURL())
	}
	return strings.Join(urls, ",")
}

func (c *Cluster) hasMetaLeader() bool {
	for _, s := range c.Servers {
		if s.JetStreamIsLeader() {
			// Every node online with its JetStream stats: a stream of 3 replicas can be placed.
			return len(s.JetStreamClusterPeers()) == len(c.Servers)
		}
	}
	return false
}

func (c *Cluster) shutdown() {
	for _, s := range c.Servers {
		s.Shutdown()
	}
	for _, s := range c.Servers {
		s.WaitForShutdown()
	}
}

// freePort is a loopback port nobody listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FollowerURL is the client URL of a node that holds a replica of stream (in the
// events' account) but does not lead it.
func (c *Cluster) FollowerURL(t testing.TB, stream string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range c.Servers {
			acc, err := s.LookupAccount("WAYMARK")
			if err != nil {
				t.Fatal(err)
			}
			if s.JetStreamIsStreamAssigned(acc.Name, stream) && !s.JetStreamIsStreamLeader(acc.Name, stream) && s.JetStreamIsStreamCurrent(acc.Name, stream) {
				return s.ClientURL()
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no follower of stream %s within 10s", stream)
	return ""
}

// Stop shuts node i down (it stays down: the test's cleanup skips it).
func (c *Cluster) Stop(i int) {
	c.Servers[i].Shutdown()
	c.Servers[i].WaitForShutdown()
}
