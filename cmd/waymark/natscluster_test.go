package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// The test cluster's accounts: Waymark's events (and the streams beside them) in
// one, the case keys in another of their own (--keys-nats-user), as the README's
// "Running on a NATS cluster" sets it up.
const (
	clusterAppUser      = "waymark"
	clusterAppPassword  = "cluster-app-password-0123456789"
	clusterKeysUser     = "waymark-keys"
	clusterKeysPassword = "cluster-keys-password-0123456789"
)

// clusterConf is one node's configuration: JetStream on file, a route to every node,
// the accounts above and a system account (clustered JetStream needs one).
const clusterConf = `
server_name: %s
listen: 127.0.0.1:%d
http: 127.0.0.1:%d
jetstream { store_dir: %q, max_memory_store: 64MB, max_file_store: 2GB }
cluster {
  name: waymark-test
  listen: 127.0.0.1:%d
  routes: [%s]
}
accounts {
  WAYMARK: { jetstream: enabled, users: [{user: %s, password: %q}] }
  KEYS: { jetstream: enabled, users: [{user: %s, password: %q}] }
  SYS: { users: [{user: sys, password: "cluster-sys-password-0123456789"}] }
}
system_account: SYS
`

// natsNode is one node of the test cluster: a nats-server child process, killed
// with SIGKILL to lose it.
type natsNode struct {
	name    string
	client  int // client port
	monitor int // HTTP monitoring port
	conf    string
	cmd     *exec.Cmd // nil while stopped
	done    chan struct{}
	out     *lockedBuffer
}

// natsCluster is three NATS servers clustered on loopback ports, JetStream on each
// with its own store directory.
type natsCluster struct {
	t     *testing.T
	nodes []*natsNode
}

var (
	natsServerOnce  sync.Once
	natsServerPath  string
	natsServerBuild error
)

// natsServerBinary builds nats-server, the version go.mod requires, once (with the
// race detector when the tests run with it, so the build reuses their packages).
func natsServerBinary(t *testing.T) string {
	t.Helper()
	natsServerOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		path := filepath.Join(binDir, "nats-server")
		args := []string{"build", "-o", path}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command(goTool, append(args, "github.com/nats-io/nats-server/v2")...).CombinedOutput()
		if err != nil {
			natsServerBuild = fmt.Errorf("go build nats-server: %v\n%s", err, out)
			return
		}
		natsServerPath = path
	})
	if natsServerBuild != nil {
		t.Fatal(natsServerBuild)
	}
	return natsServerPath
}

// startNATSCluster starts the three nodes and waits until each knows the JetStream
// meta leader.
func startNATSCluster(t *testing.T) *natsCluster {
	t.Helper()
	c := &natsCluster{t: t}
	var clientPorts, routePorts, monitorPorts []int
	for range 3 {
		clientPorts = append(clientPorts, freePort(t))
		routePorts = append(routePorts, freePort(t))
		monitorPorts = append(monitorPorts, freePort(t))
	}
	var routes []string
	for _, p := range routePorts {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", p))
	}
	dir := t.TempDir()
	for i := range 3 {
		n := &natsNode{name: fmt.Sprintf("n%d", i+1), client: clientPorts[i], monitor: monitorPorts[i]}
		n.conf = filepath.Join(dir, n.name+".conf")
		text := fmt.Sprintf(clusterConf, n.name, n.client, n.monitor, filepath.Join(dir, n.name), routePorts[i], strings.Join(routes, ", "),
			clusterAppUser, clusterAppPassword, clusterKeysUser, clusterKeysPassword)
		if err := os.WriteFile(n.conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		c.nodes = append(c.nodes, n)
	}
	for _, n := range c.nodes {
		c.start(n)
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			if t.Failed() && n.out != nil {
				t.Logf("nats-server %s output:\n%s", n.name, n.out.String())
			}
			c.stop(n)
		}
	})
	waitUntil(t, "the cluster's JetStream meta leader", func() bool {
		for _, n := range c.nodes {
			if info, err := n.jsz(""); err != nil || info.Meta == nil || info.Meta.Leader == "" {
				return false
			}
		}
		return true
	})
	return c
}

// freePort is a loopback port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	_, p, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// urls is the --nats-url of the cluster: every node.
func (c *natsCluster) urls() string {
	var urls []string
	for _, n := range c.nodes {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", n.client))
	}
	return strings.Join(urls, ",")
}

// start starts n (again, on its store directory and ports) and waits until it
// answers.
func (c *natsCluster) start(n *natsNode) {
	c.t.Helper()
	n.cmd = exec.Command(natsServerBinary(c.t), "-c", n.conf)
	n.out = &lockedBuffer{}
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	if err := n.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	n.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		close(done)
	}(n.cmd, n.done)
	waitUntil(c.t, "nats-server "+n.name+" answering", func() bool {
		_, err := n.jsz("")
		return err == nil
	})
}

// stop kills n with SIGKILL, as a lost node: no goodbye, no leadership handed over.
func (c *natsCluster) stop(n *natsNode) {
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Kill()
	<-n.done
	n.cmd = nil
}

// node is the node named name.
func (c *natsCluster) node(name string) *natsNode {
	c.t.Helper()
	for _, n := range c.nodes {
		if n.name == name {
			return n
		}
	}
	c.t.Fatalf("no node %q in the cluster", name)
	return nil
}

// jsz is n's JetStream monitoring report: with account, its streams as n holds
// them (their state and configuration).
func (n *natsNode) jsz(account string) (*natsserver.JSInfo, error) {
	url := fmt.Sprintf("http://127.0.0.1:%d/jsz", n.monitor)
	if account != "" {
		url += "?acc=" + account + "&streams=true&config=true"
	}
	resp, err := monitorClient.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	var info natsserver.JSInfo
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	return &info, nil
}

// monitorClient reads a node's monitoring port. A node busy electing leaders or
// catching up may answer late: one read gives up soon and the caller asks again.
var monitorClient = &http.Client{Timeout: 10 * time.Second}

// streams returns, as node n holds them, the streams of account with their last
// sequence and replicas, and the leader of each (as n knows it). A report that does
// not come is asked for again, for up to waitLong.
func (n *natsNode) streams(t *testing.T, account string) map[string]nodeStream {
	t.Helper()
	var info *natsserver.JSInfo
	var err error
	for deadline := time.Now().Add(waitLong); ; time.Sleep(100 * time.Millisecond) {
		if info, err = n.jsz(account); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s, account %s: %v", n.name, account, err)
		}
	}
	out := map[string]nodeStream{}
	for _, acc := range info.AccountDetails {
		if acc.Name != account {
			continue
		}
		for _, s := range acc.Streams {
			ns := nodeStream{lastSeq: s.State.LastSeq}
			if s.Config != nil {
				ns.replicas = s.Config.Replicas
			}
			if s.Cluster != nil {
				ns.leader = s.Cluster.Leader
			}
			out[s.Name] = ns
		}
	}
	return out
}

// nodeStream is one stream as one node holds it.
type nodeStream struct {
	lastSeq  uint64
	replicas int
	leader   string
}

// caughtUp reports whether every running node holds every stream of account at the
// same last sequence, and says where they differ.
func (c *natsCluster) caughtUp(account string) (bool, string) {
	c.t.Helper()
	var first map[string]nodeStream
	var firstName string
	for _, n := range c.nodes {
		if n.cmd == nil {
			continue
		}
		got := n.streams(c.t, account)
		if first == nil {
			first, firstName = got, n.name
			continue
		}
		if len(got) != len(first) {
			return false, fmt.Sprintf("%s holds %d streams, %s %d", n.name, len(got), firstName, len(first))
		}
		for name, s := range first {
			if got[name].lastSeq != s.lastSeq {
				return false, fmt.Sprintf("stream %s: last sequence %d on %s, %d on %s", name, got[name].lastSeq, n.name, s.lastSeq, firstName)
			}
		}
	}
	return true, ""
}

// waitCaughtUp waits until every node holds every stream of the accounts at the same
// last sequence (while nothing writes).
func (c *natsCluster) waitCaughtUp(accounts ...string) time.Duration {
	c.t.Helper()
	start := time.Now()
	why := ""
	for deadline := time.Now().Add(waitLong); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		all := true
		for _, a := range accounts {
			ok, w := c.caughtUp(a)
			if !ok {
				all, why = false, w
				break
			}
		}
		if all {
			return time.Since(start)
		}
	}
	c.t.Fatalf("the nodes never caught up: %s", why)
	return 0
}
