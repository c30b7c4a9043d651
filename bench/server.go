package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// ServerConfig is a waymark server process to start: 'Binary serve --demo' on an
// embedded store in DataDir, HTTP on a free loopback port, no NATS listener and no
// analytics feed (unless Feed), and no per-token rate limit worth the name (a
// benchmark client sends far more than a person; the limit's own cost is still paid).
type ServerConfig struct {
	Binary  string // the waymark binary
	DataDir string // an empty directory (the demo coalition is seeded into it)
	Sync    string // "always" (the default) or "interval"
	// Log receives the server's log; nil discards it.
	Log io.Writer
	// CPUProfile, if set, is where the server writes a CPU profile of its run.
	CPUProfile string
	// Feed: the server publishes the de-identified feed, as by default, and its
	// embedded NATS server listens on a free loopback port with an analyst login of
	// the bench's own (Server.Feed) to read it. Without, it publishes none
	// (--analytics-feed=false): on data written around the server, in-process, the
	// feed would publish the whole log from its start, a one-off the figures of a
	// server on that data are not about.
	Feed bool
}

// Server is a running waymark server process.
type Server struct {
	cfg  ServerConfig
	cmd  *exec.Cmd
	done chan struct{}
	// URL is the GraphQL endpoint.
	URL string
	// Feed is the analyst's login to the feed (with ServerConfig.Feed), else nil.
	Feed *FeedLogin
	// adminAddr is the admin listener's host:port (its /metrics: Read).
	adminAddr string
}

// benchAnalyst is the analyst the bench logs in as to read the feed.
const benchAnalyst = "bench-analyst"

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
		"--http-addr", "127.0.0.1:0", "--nats-listen", "", "--rate-limit", "default=1e9",
		// No signed checkpoints: the first over data written in-process would read
		// the whole history at a stop (audit's BenchmarkVerifyAll measures that cost).
		"--checkpoint-interval", "0"}
	if cfg.CPUProfile != "" {
		args = append(args, "--cpu-profile", cfg.CPUProfile)
	}
	// The admin listener runs, as it does for an operator (its metrics cost is part of
	// what is measured), on a port of its own: never the default one another server
	// may hold.
	adminAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, fmt.Errorf("bench: a port for the admin listener: %w", err)
	}
	args = append(args, "--admin-addr", adminAddr)
	env := childEnv()
	var feed *FeedLogin
	if cfg.Feed {
		addr, err := freeLoopbackAddr()
		if err != nil {
			return nil, fmt.Errorf("bench: a port for the NATS listener: %w", err)
		}
		feed = &FeedLogin{URL: "nats://" + addr, User: benchAnalyst, Password: rand.Text(), InboxPrefix: "_INBOX." + benchAnalyst}
		// The later --nats-listen wins over the default's "".
		args = append(args, "--nats-listen", addr, "--nats-analytics-user", feed.User)
		env = append(env, "WAYMARK_NATS_ANALYTICS_PASSWORD="+feed.Password)
	} else {
		args = append(args, "--analytics-feed=false")
	}
	cmd := exec.Command(cfg.Binary, args...)
	cmd.Env = env
	cmd.Stdout = io.Discard // the demo tokens: Token mints its own
	logs, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Binary, err)
	}
	s := &Server{cfg: cfg, cmd: cmd, done: make(chan struct{}), Feed: feed, adminAddr: adminAddr}
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

// freeLoopbackAddr is a loopback address with a port free a moment ago (the NATS
// listener is not given port 0: the bench could not learn which port it took).
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
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
