package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The PostgreSQL baseline: the events table a coalition would otherwise build — the
// Marten pattern. A streams table holds each stream's version; an append is ONE
// statement that bumps the version only if it is the one expected (optimistic
// concurrency) and inserts the event with it, or inserts nothing. Defaults
// otherwise: synchronous_commit=on and fsync=on, so every append is durable before
// it is acknowledged, as Waymark's are with --sync always. pgbench drives it
// directly, with no HTTP in front: Waymark pays for HTTP, tokens and GraphQL and is
// still compared with it.
const pgSchema = `
CREATE TABLE streams (id bigint PRIMARY KEY, version int NOT NULL);
CREATE TABLE events (
  seq       bigserial PRIMARY KEY,
  stream_id bigint NOT NULL,
  version   int NOT NULL,
  type      text NOT NULL,
  data      jsonb NOT NULL,
  at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, version)
);`

// pgAppend is one client's transaction: the next event of its current stream, 20
// events a stream (a referral and 19 notes, as CommandLoad), a payload of an event's
// size. Client variables persist across transactions: k counts this client's events.
const pgAppend = `\set sid :run * 1000000000000 + :client_id * 1000000 + :k / 20
\set expected :k % 20
WITH bump AS (
  INSERT INTO streams AS s (id, version) VALUES (:sid, 1)
  ON CONFLICT (id) DO UPDATE SET version = s.version + 1 WHERE s.version = :expected
  RETURNING version)
INSERT INTO events (stream_id, version, type, data)
SELECT :sid, version, 'CaseNoteAdded', jsonb_build_object('text', repeat('x', 480), 'actor', 'caseworker-1') FROM bump;
\set k :k + 1
`

// maxClients is the most clients Append takes.
const maxClients = 256

// Postgres is a throwaway PostgreSQL cluster in a temporary directory, reached over a
// Unix socket only.
type Postgres struct {
	bin  string   // the directory of postgres, pg_ctl, psql and pgbench
	dir  string   // the cluster's directory: data/, the socket, the log
	as   []string // the command prefix that runs the server as its own user
	runs int
}

// ErrNoPostgres is FindPostgres's answer on a machine without PostgreSQL.
var ErrNoPostgres = errors.New("PostgreSQL not found (want postgres, pg_ctl, initdb, psql and pgbench; on Debian: apt-get install postgresql)")

// FindPostgres returns the directory of the PostgreSQL server binaries (postgres,
// pg_ctl, initdb, psql, pgbench): the newest /usr/lib/postgresql/<version>/bin
// (Debian's layout: apt-get install postgresql), or the one pg_config names.
func FindPostgres() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return pgVersion(b) - pgVersion(a) })
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	for _, d := range dirs {
		if hasAll(d, "postgres", "pg_ctl", "initdb", "psql", "pgbench") {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

func pgVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func hasAll(dir string, names ...string) bool {
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			return false
		}
	}
	return true
}

// StartPostgres creates a cluster in a new temporary directory, starts it and
// creates the events table. PostgreSQL refuses to run as root: as root, the server
// runs as the postgres user (Debian's package creates it).
func StartPostgres(ctx context.Context, bin string) (*Postgres, error) {
	dir, err := os.MkdirTemp("", "waymark-pg-")
	if err != nil {
		return nil, err
	}
	p := &Postgres{bin: bin, dir: dir}
	if err := p.start(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("bench: PostgreSQL: %w", err)
	}
	return p, nil
}

func (p *Postgres) start(ctx context.Context) error {
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root and no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(p.dir, uid, gid); err != nil {
			return err
		}
		p.as = []string{"runuser", "-u", "postgres", "--"}
	}
	data := filepath.Join(p.dir, "data")
	if err := p.run(ctx, true, "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return err
	}
	// Room for every client of the largest point (256; the default is 100), as a
	// coalition's PostgreSQL would be configured for its clients.
	opts := fmt.Sprintf("-k %s -c listen_addresses='' -p 5432 -c max_connections=%d", p.dir, maxClients+8)
	if err := p.run(ctx, true, "pg_ctl", "-D", data, "-l", filepath.Join(p.dir, "server.log"), "-w", "-o", opts, "start"); err != nil {
		return err
	}
	return p.psql(ctx, pgSchema)
}

// run runs one of the PostgreSQL programs; asServer runs it as the server's user.
func (p *Postgres) run(ctx context.Context, asServer bool, name string, args ...string) error {
	_, err := p.output(ctx, asServer, "", name, args...)
	return err
}

func (p *Postgres) output(ctx context.Context, asServer bool, workDir, name string, args ...string) ([]byte, error) {
	argv := append([]string{filepath.Join(p.bin, name)}, args...)
	if asServer {
		argv = append(slices.Clone(p.as), argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = workDir
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func (p *Postgres) psql(ctx context.Context, sql string) error {
	_, err := p.query(ctx, sql)
	return err
}

func (p *Postgres) query(ctx context.Context, sql string) (string, error) {
	out, err := p.output(ctx, false, "", "psql", "-h", p.dir, "-p", "5432", "-U", "postgres", "-d", "postgres",
		"-v", "ON_ERROR_STOP=1", "-X", "-q", "-t", "-A", "-c", sql)
	return strings.TrimSpace(string(out)), err
}

// PGResult is what a pgbench run measured.
type PGResult struct {
	Appends   int     // transactions, each one appended event
	PerSecond float64 // pgbench's tps, without connection time
	Latencies []time.Duration
}

// Append runs the append workload from clients concurrent connections for d.
// Every transaction must have appended its event: the run is checked against the
// events table.
func (p *Postgres) Append(ctx context.Context, clients int, d time.Duration) (PGResult, error) {
	if clients < 1 || clients > maxClients {
		return PGResult{}, fmt.Errorf("pgbench: %d clients: want 1 to %d", clients, maxClients)
	}
	// On a busy machine many clients may spend a short run connecting and finish no
	// transaction (pgbench then prints no rate): such a run says nothing, so it is run
	// again, longer, a few times before it counts as a failure.
	for try := 0; ; try++ {
		r, err := p.appendOnce(ctx, clients, d)
		if !errors.Is(err, errNoTransactions) || try == 2 {
			return r, err
		}
		d *= 2
	}
}

// errNoTransactions is a pgbench run that finished no transaction.
var errNoTransactions = errors.New("pgbench finished no transaction")

func (p *Postgres) appendOnce(ctx context.Context, clients int, d time.Duration) (PGResult, error) {
	p.runs++
	work, err := os.MkdirTemp(p.dir, "run-")
	if err != nil {
		return PGResult{}, err
	}
	defer os.RemoveAll(work)
	script := filepath.Join(work, "append.sql")
	if err := os.WriteFile(script, []byte(pgAppend), 0o644); err != nil {
		return PGResult{}, err
	}
	before, err := p.count(ctx)
	if err != nil {
		return PGResult{}, err
	}
	// pgbench's -T counts from before its clients connect, and its rate is over the
	// time after. PostgreSQL starts a process per connection, and 256 of them can take
	// seconds on a busy machine: the run is that much longer than d (otherwise it may
	// end before a single transaction, as a full run once did).
	seconds := max(1, int(d.Seconds())) + clients/32
	out, err := p.output(ctx, false, work, "pgbench", "-h", p.dir, "-p", "5432", "-U", "postgres", "-n",
		"-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 2)), "-T", strconv.Itoa(seconds),
		"-D", "k=0", "-D", "run="+strconv.Itoa(p.runs), "-f", script, "-l", "--log-prefix="+filepath.Join(work, "latency"),
		"postgres")
	if err != nil {
		return PGResult{}, err
	}
	var r PGResult
	processed, err := parseFloat(out, `number of transactions actually processed: ([0-9]+)`)
	if err != nil {
		return r, err
	}
	if r.Appends = int(processed); r.Appends == 0 {
		return r, fmt.Errorf("%w in %d s with %d clients (connecting them took the whole run?):\n%s", errNoTransactions, seconds, clients, out)
	}
	if r.PerSecond, err = parseFloat(out, `tps = ([0-9.]+) \(without initial connection time\)`); err != nil {
		return r, err
	}
	after, err := p.count(ctx)
	if err != nil {
		return r, err
	}
	if after-before != r.Appends {
		return r, fmt.Errorf("pgbench: %d transactions but %d events appended (a version check failed?)", r.Appends, after-before)
	}
	r.Latencies, err = readPGLatencies(work)
	return r, err
}

func (p *Postgres) count(ctx context.Context) (int, error) {
	out, err := p.query(ctx, "SELECT count(*) FROM events")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(out)
}

func parseFloat(out []byte, pattern string) (float64, error) {
	m := regexp.MustCompile(pattern).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench: no %q in its output:\n%s", pattern, out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// readPGLatencies reads pgbench's per-transaction logs: "client_id transaction_no
// time script_no time_epoch time_us", time in µs.
func readPGLatencies(dir string) ([]time.Duration, error) {
	files, err := filepath.Glob(filepath.Join(dir, "latency.*"))
	if err != nil {
		return nil, err
	}
	var ds []time.Duration
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		lines := bufio.NewScanner(f)
		for lines.Scan() {
			fields := strings.Fields(lines.Text())
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("pgbench log %s: %w", name, err)
			}
			ds = append(ds, time.Duration(us)*time.Microsecond)
		}
		f.Close()
		if err := lines.Err(); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// Close stops the server and removes the cluster.
func (p *Postgres) Close() {
	data := filepath.Join(p.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_ = p.run(ctx, true, "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
		cancel()
	}
	_ = os.RemoveAll(p.dir)
}

// runVersion runs 'program --version' and returns its first line.
func runVersion(program string) (string, error) {
	out, err := exec.Command(program, "--version").Output()
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line, nil
}
