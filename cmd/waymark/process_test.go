package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/waymark-org/waymark/auth"
)

// The tests below run the real binary, built once from this package, as child
// processes: locks, signals and the admin socket are about processes.

// waitLong bounds every wait on a child: generous, because the machine may be slow;
// no test asserts how fast anything is.
const waitLong = 3 * time.Minute

// raceEnabled is set (race_test.go) when the tests run with the race detector, so the
// binary they run is built with it too.
var raceEnabled bool

var (
	binDir   string // made by TestMain, removed after the tests
	binOnce  sync.Once
	binPath  string
	binBuild error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "waymark-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	// No test's server takes the admin listener's default port (another server on the
	// machine may hold it): the tests of the admin listener give it a free one. The
	// in-process servers read this variable; childEnv passes it to the binaries.
	os.Setenv("WAYMARK_ADMIN_ADDR", "off")
	// No request of a test waits for ever: a server that stops answering fails the
	// test (with its goroutines, see server.gql) instead of hanging the run.
	http.DefaultClient.Timeout = waitLong
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// waymarkBinary builds the waymark binary once (with the race detector when the tests
// run with it, so the build reuses their compiled packages) and returns its path.
func waymarkBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		path := filepath.Join(binDir, "waymark")
		args := []string{"build", "-o", path}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command(goTool, append(args, ".")...).CombinedOutput()
		if err != nil {
			binBuild = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binPath = path
	})
	if binBuild != nil {
		t.Fatal(binBuild)
	}
	return binPath
}

// lockedBuffer collects a child's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// child is a running waymark.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdout lockedBuffer
	stderr lockedBuffer
	done   chan struct{} // closed when it has exited
	state  *os.ProcessState
}

// childEnv is this environment without any WAYMARK_ variable (a developer's own must
// not change what the tests run) but the admin listener turned off (TestMain), plus
// extra (which may set it: the last value of a variable wins).
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WAYMARK_") {
			env = append(env, kv)
		}
	}
	env = append(env, "WAYMARK_ADMIN_ADDR=off")
	return append(env, extra...)
}

// startWaymark starts 'waymark args...'; it is killed when the test ends, if still
// running.
func startWaymark(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	c := &child{t: t, cmd: exec.Command(waymarkBinary(t), args...), done: make(chan struct{})}
	c.cmd.Env = env
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		c.cmd.Wait()
		c.state = c.cmd.ProcessState
		close(c.done)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
		if t.Failed() {
			t.Logf("waymark %s (PID %d) stderr:\n%s", strings.Join(args, " "), c.pid(), c.stderr.String())
		}
	})
	return c
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// exited reports whether the child has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// wait waits for the child to exit and returns its exit code.
func (c *child) wait() int {
	c.t.Helper()
	select {
	case <-c.done:
		return c.state.ExitCode()
	case <-time.After(waitLong):
		c.t.Fatalf("waymark (PID %d) did not exit; stderr:\n%s", c.pid(), c.stderr.String())
		return -1
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (c *child) stop() {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	if code := c.wait(); code != 0 {
		c.t.Fatalf("waymark (PID %d) exited %d after SIGTERM; stderr:\n%s", c.pid(), code, c.stderr.String())
	}
}

// kill sends SIGKILL and waits until the child is gone.
func (c *child) kill() {
	c.t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		c.t.Fatal(err)
	}
	c.wait()
}

// runWaymark runs 'waymark args...' to its end.
func runWaymark(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	c := startWaymark(t, env, args...)
	code = c.wait()
	return c.stdout.String(), c.stderr.String(), code
}

// mustRun runs 'waymark args...' and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := runWaymark(t, childEnv(), args...)
	if code != 0 {
		t.Fatalf("waymark %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// server is a 'waymark serve' child and where it answers.
type server struct {
	*child
	http string
}

// startServer starts 'waymark serve' on dataDir with free ports and waits until it
// is ready.
func startServer(t *testing.T, dataDir string, extra ...string) *server {
	t.Helper()
	s := &server{http: freeAddr(t)}
	args := append([]string{"serve", "--data-dir", dataDir, "--sync", "interval",
		"--http-addr", s.http, "--nats-listen", freeAddr(t)}, extra...)
	s.child = startWaymark(t, childEnv(), args...)
	s.waitReady()
	return s
}

// waitReady waits until /readyz answers 200.
func (s *server) waitReady() {
	s.t.Helper()
	for deadline := time.Now().Add(waitLong); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if s.exited() {
			s.t.Fatalf("waymark serve exited %d; stderr:\n%s", s.state.ExitCode(), s.stderr.String())
		}
		resp, err := http.Get("http://" + s.http + "/readyz")
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
	}
	s.t.Fatalf("waymark serve not ready; stderr:\n%s", s.stderr.String())
}

// gql posts a GraphQL query with token and decodes the reply into out (when not nil);
// it returns the HTTP status and the raw reply.
func (s *server) gql(token, query string, out any) (int, string) {
	s.t.Helper()
	return s.gqlVars(token, query, nil, out)
}

// gqlVars is gql with variables.
func (s *server) gqlVars(token, query string, vars any, out any) (int, string) {
	s.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+s.http+"/graphql", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("POST /graphql: %v%s", err, s.goroutines())
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("POST /graphql: read the reply: %v%s", err, s.goroutines())
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("decode %s: %v", raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

// goroutines stops a running child with SIGQUIT, so that Go prints its goroutines,
// and returns what it printed: what a request that did not return was waiting on.
func (c *child) goroutines() string {
	if c.exited() || c.cmd.Process.Signal(syscall.SIGQUIT) != nil {
		return ""
	}
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
	}
	return "\nwaymark's goroutines (SIGQUIT):\n" + c.stderr.String()
}

// mintToken signs a token with the data directory's signing key, as the demo prints
// them ("" while there is no key yet). It checks no directory: the demo's users
// include organisations the demo directory may not hold (yet).
func mintToken(t *testing.T, dataDir, role, org string) string {
	t.Helper()
	sec := secretFlags{}.resolve(dataDir)
	key, err := auth.ReadSigningKey(sec.signingKey)
	if err != nil {
		return ""
	}
	token, _, err := auth.Issuer{Key: key, Issuer: tokenIssuer, Audience: tokenAudience}.Issue("test-"+role+"-"+org, org, role, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return token
}
