package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/projections"
)

// readModels starts a node on dir in this process, as serve does (the snapshot
// loaded, then the log after it), and returns its read models' content once caught up
// with the log: every case view, the directory, the number of command ids.
type readModelContent struct {
	cases    []*projections.CaseView
	orgs     []*projections.OrganisationView
	commands int
	loaded   bool // from a snapshot
}

func readModels(t *testing.T, dir string) readModelContent {
	t.Helper()
	ctx := context.Background()
	var sf storeFlags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	sf.register(fs)
	if err := fs.Parse([]string{"--data-dir", dir, "--sync", "interval"}); err != nil {
		t.Fatal(err)
	}
	sf = sf.resolved()
	n, _, err := startNode(ctx, sf, sf.storeConfig(""), quietLogger(), api.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	head, err := n.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Runner.WaitFor(ctx, head); err != nil {
		t.Fatal(err)
	}
	_, loaded := n.Snapshots.Loaded()
	return readModelContent{
		cases: n.Cases.List(projections.CaseFilter{}, paging.Window{Size: 1_000_000}, eventstore.Start).Cases,
		orgs:  n.Orgs.List("", ""), commands: n.Commands.Len(), loaded: loaded,
	}
}

// waymark rebuild with no server: it discards the snapshot, builds the read models
// from the start of the log and writes a fresh snapshot, whose read models equal the
// incrementally built ones (seed's snapshot and the log after it). With stderr not a
// terminal it writes log lines, not a bar's escape codes; on a terminal, a bar with
// events/s.
func TestRebuildOffline(t *testing.T) {
	dir := seededDemoDir(t)
	incremental := readModels(t, dir)
	if !incremental.loaded || len(incremental.cases) < 300 {
		t.Fatalf("the seeded read models: %d cases, from a snapshot %v", len(incremental.cases), incremental.loaded)
	}

	stdout, stderr, code := runWaymark(t, childEnv(), "rebuild", "--data-dir", dir, "--sync", "interval")
	if code != 0 {
		t.Fatalf("rebuild: exit %d\n%s", code, stderr)
	}
	want := fmt.Sprintf("%d cases", len(incremental.cases))
	if !strings.Contains(stdout, "rebuilt the read models from the start of the log") || !strings.Contains(stdout, want) ||
		!strings.Contains(stdout, "snapshot written") {
		t.Errorf("rebuild said %q, want %q", stdout, want)
	}
	for _, line := range []string{"rebuild: snapshot discarded", "no snapshot; building the read models from the log",
		`msg="rebuilding the read models" events=`, "events_per_second=", "eta="} {
		if !strings.Contains(stderr, line) {
			t.Errorf("rebuild's log lacks %q:\n%s", line, stderr)
		}
	}
	if strings.ContainsAny(stderr, "\r\x1b") {
		t.Errorf("rebuild wrote a bar's control characters to a pipe:\n%q", stderr)
	}
	rebuilt := readModels(t, dir)
	if !rebuilt.loaded {
		t.Fatal("no snapshot written by the rebuild was loaded")
	}
	if !reflect.DeepEqual(rebuilt, incremental) {
		t.Errorf("the rebuilt read models differ from the incremental ones: %d cases, %d organisations, %d command ids; were %d, %d, %d",
			len(rebuilt.cases), len(rebuilt.orgs), rebuilt.commands, len(incremental.cases), len(incremental.orgs), incremental.commands)
	}

	// On a terminal: a bar counting events, with their rate.
	var out, bar bytes.Buffer
	if err := rebuildWith(context.Background(), []string{"--data-dir", dir, "--sync", "interval"}, &out, &bar, true, quietLogger()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(bar.String(), "events/s") || !strings.Contains(bar.String(), "rebuilding the read models") || !strings.Contains(bar.String(), "\r") {
		t.Errorf("the bar: %q", bar.String())
	}
	if again := readModels(t, dir); !reflect.DeepEqual(again, incremental) {
		t.Error("the read models rebuilt a second time differ")
	}
}

// caseIDs asks the server for the cases token's holder sees (their count and ids); it
// returns errors rather than failing the test, since readers run in goroutines.
func (s *server) caseIDs(token string) (int, []string, error) {
	body, _ := json.Marshal(map[string]string{"query": `{ cases(first: 100) { totalCount edges { node { id } } } }`})
	req, err := http.NewRequest(http.MethodPost, "http://"+s.http+"/graphql", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var reply struct {
		Data struct {
			Cases struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(raw, &reply); err != nil || resp.StatusCode != 200 || len(reply.Errors) > 0 {
		return 0, nil, fmt.Errorf("HTTP %d %s (%v)", resp.StatusCode, raw, err)
	}
	var ids []string
	for _, e := range reply.Data.Cases.Edges {
		ids = append(ids, e.Node.ID)
	}
	return reply.Data.Cases.TotalCount, ids, nil
}

// waymark rebuild while a server owns the data directory: the server rebuilds beside
// its live read models and swaps; GraphQL readers running all through it never see
// fewer cases or a case missing, and afterwards the answers are the same. The command
// follows the server's progress (log lines: its stderr is a pipe).
func TestRebuildWhileServingCommand(t *testing.T) {
	dir := seededDemoDir(t)
	srv := startServer(t, dir, "--rate-limit", "default=100000")
	token := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "caseworker", "--org", "mx-refugio-esperanza"))
	wantTotal, wantIDs, err := srv.caseIDs(token)
	if err != nil || wantTotal < 10 || len(wantIDs) != wantTotal {
		t.Fatalf("before: %d cases, %d ids, %v", wantTotal, len(wantIDs), err)
	}

	stop := make(chan struct{})
	var readers sync.WaitGroup
	var mu sync.Mutex
	reads := 0
	for r := range 3 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				total, ids, err := srv.caseIDs(token)
				switch {
				case err != nil:
					t.Errorf("reader %d: %v", r, err)
				case total != wantTotal || !slices.Equal(ids, wantIDs):
					t.Errorf("reader %d: %d cases (%d listed), want %d", r, total, len(ids), wantTotal)
				}
				mu.Lock()
				reads++
				mu.Unlock()
			}
		})
	}
	stdout, stderr, code := runWaymark(t, childEnv(), "rebuild", "--data-dir", dir)
	close(stop)
	readers.Wait()
	if code != 0 {
		t.Fatalf("rebuild: exit %d\n%s", code, stderr)
	}
	if want := fmt.Sprintf("rebuilt by the server owning %s (PID %d)", dir, srv.pid()); !strings.Contains(stdout, want) ||
		!strings.Contains(stdout, fmt.Sprintf("%d cases", 300)) {
		t.Errorf("rebuild said %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, `msg="rebuilding the read models" events=`) || strings.ContainsAny(stderr, "\r\x1b") {
		t.Errorf("rebuild's progress on a pipe:\n%q", stderr)
	}
	if !strings.Contains(srv.stderr.String(), "rebuild: the new read models serve") {
		t.Errorf("the server did not swap:\n%s", srv.stderr.String())
	}
	total, ids, err := srv.caseIDs(token)
	if err != nil || total != wantTotal || !slices.Equal(ids, wantIDs) {
		t.Errorf("after the rebuild: %d cases, %v", total, err)
	}
	t.Logf("%d reads during the rebuild", reads)
	srv.stop()
}

var (
	demoOnce     sync.Once
	demoTemplate string // a data directory seeded with the demo, made once
	demoErr      error
)

// seededDemoDir returns a new data directory holding the demo data: a copy of one
// seeded once for the tests that only need it seeded (seeding takes a while).
func seededDemoDir(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		dir := filepath.Join(binDir, "demo-template")
		out, err := exec.Command(waymarkBinary(t), "seed", "--demo", "--data-dir", dir, "--sync", "interval").CombinedOutput()
		if err != nil {
			demoErr = fmt.Errorf("seed the demo: %v\n%s", err, out)
			return
		}
		demoTemplate = dir
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(demoTemplate)); err != nil {
		t.Fatal(err)
	}
	// CopyFS makes files 0644 and directories 0755; secrets are kept private.
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(path, 0o700)
		}
		return os.Chmod(path, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
