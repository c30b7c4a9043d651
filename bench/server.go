package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// ServerConfig is a waymark server process to start: 'Binary serve --demo' on an
// embedded store in DataDir, HTTP on a free loopback port, no NATS listener, and no
// per-token rate limit worth the name (a benchmark client sends far more than a
// person; the limit's own cost is still paid).
type ServerConfig struct {
	Binary  string // the waymark binary
	DataDir string // an empty directory (the demo coalition is seeded into it)
	Sync    string // "always" (the default) or "interval"
	// Log receives the server's log; nil discards it.
	Log io.Writer
	// CPUProfile, if set, is where the server writes a CPU profile of its run.
	CPUProfile string
}

// Server is a running waymark server process.
type Server struct {
	cfg  ServerConfig
	cmd  *exec.Cmd
	done chan struct{}
	// URL is the GraphQL endpoint.
	URL string
}

// servingLine is the server's log line once it serves: it names the GraphQL URL.
var servingLine = regexp.MustCompile(`msg="waymark serving" graphql=(\S+)`)

// startTimeout bounds the demo seed and start-up.
const startTimeout = 3 * time.Minute

// StartServer starts the server and returns once it serves HTTP.
func StartServer(ctx context.Context, cfg ServerConfig) (*Server, error) {
	if cfg.Sync == "" {
		cfg.Sync = "always"
	}
	args := []string{"serve", "--demo", "--data-dir", cfg.DataDir, "--sync", cfg.Sync,
		"--http-addr", "127.0.0.1:0", "--nats-listen", "", "--token-rate", "1e9",
		// No signed checkpoints: the first over data written in-process would read
		// the whole history at a stop (audit's BenchmarkVerifyAll measures that cost).
		"--checkpoint-interval", "0"}
	if cfg.CPUProfile != "" {
		args = append(args, "--cpu-profile", cfg.CPUProfile)
	}
	cmd := exec.Command(cfg.Binary, args...)
	cmd.Env = childEnv()
	cmd.Stdout = io.Discard // the demo tokens: Token mints its own
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Binary, err)
	}
	s := &Server{cfg: cfg, cmd: cmd, done: make(chan struct{})}
	url := make(chan string, 1)
	go func() {
		defer close(s.done)
		lines := bufio.NewScanner(logs)
		lines.Buffer(make([]byte, 64<<10), 1<<20)
		for lines.Scan() {
			if cfg.Log != nil {
				fmt.Fprintln(cfg.Log, lines.Text())
			}
			if m := servingLine.FindStringSubmatch(lines.Text()); m != nil {
				select {
				case url <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
	}()
	timeout := time.NewTimer(startTimeout)
	defer timeout.Stop()
	select {
	case s.URL = <-url:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("waymark serve exited before serving (%v)", cmd.ProcessState)
	case <-timeout.C:
	case <-ctx.Done():
	}
	s.kill()
	return nil, errors.New("waymark serve did not start serving in time")
}

// WaitReady returns once the server's /readyz answers 200: its read models have
// caught up with the log (a server serves HTTP before that; a restart is over only
// then). It asks every few milliseconds: the answer is measured, not the question.
func (s *Server) WaitReady(ctx context.Context) error {
	readyz := strings.TrimSuffix(s.URL, "/graphql") + "/readyz"
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(startTimeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, readyz, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waymark serve not ready after %s (last: %v)", startTimeout, errOrStatus(err, resp))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return fmt.Errorf("waymark serve exited before it was ready (%v)", s.cmd.ProcessState)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func errOrStatus(err error, resp *http.Response) any {
	if err != nil {
		return err
	}
	return resp.Status
}

// PID is the server's process id (for ProcessCPU and ProcessMemory).
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Token mints a bearer token for a user of role at org, valid for an hour, with the
// demo's signing key ('waymark token issue', which asks the running server whether
// the organisation exists and fits the role).
func (s *Server) Token(ctx context.Context, role, org string) (string, error) {
	cmd := exec.CommandContext(ctx, s.cfg.Binary, "token", "issue", "--data-dir", s.cfg.DataDir,
		"--role", role, "--org", org, "--ttl", "1h")
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("token issue: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// Close stops the server (SIGTERM, then SIGKILL after 30 s) and waits for it.
func (s *Server) Close() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-s.done:
		return nil
	case <-time.After(30 * time.Second):
		s.kill()
		return errors.New("waymark serve did not stop on SIGTERM; killed")
	}
}

func (s *Server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// childEnv is this environment without any WAYMARK_ variable: a developer's own must
// not change what is measured.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WAYMARK_") {
			env = append(env, kv)
		}
	}
	return env
}
