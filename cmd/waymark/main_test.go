package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/projections"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestCommandLineMistakes(t *testing.T) {
	dir := t.TempDir()
	for name, args := range map[string][]string{
		"no command":              nil,
		"unknown command":         {"frobnicate"},
		"unknown flag":            {"serve", "--colour"},
		"stray argument":          {"serve", "now"},
		"token without a role":    {"token", "issue", "--data-dir", dir},
		"token with a bad ttl":    {"token", "issue", "--ttl", "forever"},
		"token for a god":         {"token", "issue", "--data-dir", dir, "--role", "god", "--org", "mx-refugio-esperanza"},
		"token without --org":     {"token", "issue", "--data-dir", dir, "--role", "caseworker"},
		"token beyond max":        {"token", "issue", "--data-dir", dir, "--role", "admin", "--ttl", "13h"},
		"token, zero ttl":         {"token", "issue", "--data-dir", dir, "--role", "admin", "--ttl", "0s"},
		"token, max of 0":         {"token", "issue", "--data-dir", dir, "--role", "admin", "--max-token-lifetime", "0s"},
		"serve, max over a month": {"serve", "--data-dir", dir, "--max-token-lifetime", "800h"},
		"serve, rate limit 0":     {"serve", "--data-dir", dir, "--rate-limit", "bank=0"},
		"serve, rate limit NaN":   {"serve", "--data-dir", dir, "--rate-limit", "default=NaN"},
		"serve, unknown role":     {"serve", "--data-dir", dir, "--rate-limit", "banker=100"},
		"keys without a verb":     {"keys"},
		"seed without --demo":     {"seed", "--data-dir", dir},
		"bad bool from env-like":  {"serve", "--demo=maybe"},
		"unknown subcommand":      {"keys", "bogus"},
		"a flag before the verb":  {"webhooks", "--data-dir", dir},
		"one dash, a long flag":   {"serve", "-data-dir", dir},
		"a stray completion arg":  {"completion", "bash", "extra"},
		"token without issue":     {"token"},
		"serve, 0 nats replicas":  {"serve", "--data-dir", dir, "--nats-replicas", "0"},
		"serve, 6 nats replicas":  {"serve", "--data-dir", dir, "--nats-replicas", "6"},
		"seed, nats replicas: 3?": {"seed", "--demo", "--data-dir", dir, "--nats-replicas", "three"},
		"serve, log format yaml":  {"serve", "--data-dir", dir, "--log-format", "yaml"},
		"serve, admin on the API": {"serve", "--data-dir", dir, "--http-addr", "127.0.0.1:18080", "--admin-addr", "127.0.0.1:18080"},
		"serve, admin on all":     {"serve", "--data-dir", dir, "--http-addr", "127.0.0.1:18080", "--admin-addr", ":18080"},
	} {
		err := run(context.Background(), args, quietLogger())
		if !errors.Is(err, errUsage) || exitCode(err) != 2 || !strings.Contains(err.Error(), "--help')") {
			t.Errorf("%s: %v (exit %d), want a usage error (exit 2) naming the help to read", name, err, exitCode(err))
		}
	}
	t.Setenv("WAYMARK_NATS_REPLICAS", "9")
	if err := run(context.Background(), []string{"serve", "--data-dir", dir}, quietLogger()); !errors.Is(err, errUsage) {
		t.Errorf("WAYMARK_NATS_REPLICAS=9: %v, want a usage error", err)
	}
	t.Setenv("WAYMARK_NATS_REPLICAS", "1") // the checks below are of other variables
	t.Setenv("WAYMARK_RATE_LIMIT", "bank=100,bureau=lots")
	if err := run(context.Background(), []string{"serve", "--data-dir", dir}, quietLogger()); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), `"bureau=lots"`) {
		t.Errorf("WAYMARK_RATE_LIMIT=bank=100,bureau=lots: %v, want a usage error naming bureau=lots", err)
	}
	t.Setenv("WAYMARK_RATE_LIMIT", "default=20")
	t.Setenv("WAYMARK_LOG_FORMAT", "xml")
	if err := run(context.Background(), []string{"serve", "--data-dir", dir}, quietLogger()); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "xml") {
		t.Errorf("WAYMARK_LOG_FORMAT=xml: %v, want a usage error naming the value", err)
	}
	t.Setenv("WAYMARK_SYNC", "sometimes")
	if err := run(context.Background(), []string{"seed", "--demo", "--data-dir", dir}, quietLogger()); err == nil || !strings.Contains(err.Error(), "sometimes") {
		t.Errorf("WAYMARK_SYNC=sometimes: %v, want an error naming the value", err)
	}
}

func TestSeedFillsAnEmptyStoreOnly(t *testing.T) {
	dir := t.TempDir()
	if err := run(context.Background(), []string{"seed", "--demo", "--data-dir", dir, "--sync", "interval"}, quietLogger()); err != nil {
		t.Fatalf("seed: %v", err)
	}
	err := run(context.Background(), []string{"seed", "--demo", "--data-dir", dir, "--sync", "interval"}, quietLogger())
	if err == nil || !strings.Contains(err.Error(), "already has events") {
		t.Fatalf("second seed: %v, want a refusal", err)
	}
}

// serve --demo listens at once: while it seeds, /healthz answers 200, /readyz 503
// and an API request waits for the start, and its progress goes to stderr; then it
// prints the demo tokens, is ready, answers GraphQL (the waiting request from the
// whole demo; the schema waymark schema prints) and shuts down cleanly when
// cancelled.
func TestServeDemoAndShutdown(t *testing.T) {
	httpAddr, natsAddr, dir := freeAddr(t), freeAddr(t), t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// The first progress line waits until the test has looked at the server seeding:
	// what it sees then is the seeding server, whatever the machine's speed.
	progress := &heldWriter{first: make(chan struct{}), release: make(chan struct{})}
	release := sync.OnceFunc(func() { close(progress.release) })
	defer release() // however the test ends
	defer cancel()
	var stdout lockedBuffer
	go func() {
		done <- execute(ctx, []string{"serve", "--demo", "--data-dir", dir, "--sync", "interval",
			"--http-addr", httpAddr, "--nats-listen", natsAddr}, stdio{in: strings.NewReader(""), out: &stdout, err: progress}, quietLogger())
	}()
	select {
	case <-progress.first:
	case err := <-done:
		t.Fatalf("serve exited before seeding: %v", err)
	}
	if status, body := httpGet(t, "http://"+httpAddr+"/healthz"); status != http.StatusOK {
		t.Errorf("/healthz while seeding: %d %s", status, body)
	}
	if status, body := httpGet(t, "http://"+httpAddr+"/readyz"); status != http.StatusServiceUnavailable || !strings.Contains(body, "seeding demo data") {
		t.Errorf("/readyz while seeding: %d %s, want 503 saying it seeds", status, body)
	}
	// A request that comes while it seeds waits for the start and is answered from the
	// whole demo (the token is good already: the demo keys are made before seeding).
	token := mintToken(t, dir, "auditor", "coalition-audit")
	early := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+httpAddr+"/graphql", strings.NewReader(`{"query":"{ cases(first: 1) { totalCount } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			early <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		early <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	if strings.Contains(stdout.String(), "WAYMARK_TOKEN_") {
		t.Error("demo tokens printed before the server is ready")
	}
	release()
	if got, want := <-early, fmt.Sprintf(`200 {"data":{"cases":{"totalCount":%d}}}`, demo.Journeys); got != want {
		t.Errorf("a request sent while seeding: %s, want %s", got, want)
	}
	if !strings.Contains(stdout.String(), "WAYMARK_TOKEN_CASEWORKER=") {
		t.Error("a request that waited for the start was answered before the demo tokens were printed")
	}

	body := ""
	// Seeding the demo takes seconds alone and minutes on a loaded machine: wait as
	// long as the test may run (a condition, not a timing).
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(10 * time.Minute)
	}
	for deadline = deadline.Add(-30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v", err)
		default:
		}
		if status, _ := httpGet(t, "http://"+httpAddr+"/readyz"); status != http.StatusOK {
			continue
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+httpAddr+"/graphql",
			strings.NewReader(`{"query":"{ cases(first: 1) { totalCount } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		break
	}
	if body != fmt.Sprintf(`{"data":{"cases":{"totalCount":%d}}}`, demo.Journeys) {
		t.Errorf("auditor counting demo cases: %s", body)
	}
	// Ready means seeded: the tokens were printed, after the progress to the end.
	if out := stdout.String(); !strings.Contains(out, "Demo tokens") || !strings.Contains(out, "WAYMARK_TOKEN_CASEWORKER=") {
		t.Errorf("no demo tokens printed once ready:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "seeding demo data: 0/") || !strings.HasSuffix(lines[len(lines)-1], "commands (100%)") {
		t.Errorf("seed progress on stderr:\n%s", progress.String())
	}
	// The pilot's shelters answered this year's baseline survey.
	req, _ := http.NewRequest(http.MethodPost, "http://"+httpAddr+"/graphql",
		strings.NewReader(`{"query":"{ organisation(id: \"`+demo.ShelterCDMX+`\") { survey { round } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Errorf("survey: %v", err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf(`{"data":{"organisation":{"survey":[{"round":%d}]}}}`, time.Now().UTC().Year()); string(b) != want {
			t.Errorf("the demo's survey: %s, want %s", b, want)
		}
	}
	checkServedSchema(t, "http://"+httpAddr+"/graphql", token)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

// checkServedSchema compares the types and fields a server answers introspection
// with (--demo implies --dev) with those waymark schema prints.
func checkServedSchema(t *testing.T, url, token string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url,
		strings.NewReader(`{"query":"{ __schema { types { name fields { name } inputFields { name } enumValues { name } } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Data struct {
			Schema struct {
				Types []struct {
					Name                            string
					Fields, InputFields, EnumValues []struct{ Name string }
				}
			} `json:"__schema"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got.Data.Schema.Types) == 0 {
		t.Fatalf("introspection: %v", err)
	}
	var printed strings.Builder
	if err := schemaCommand(nil, &printed); err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Input: printed.String()})
	if gerr != nil {
		t.Fatal(gerr)
	}
	served := map[string]bool{}
	for _, typ := range got.Data.Schema.Types {
		if strings.HasPrefix(typ.Name, "__") {
			continue
		}
		served[typ.Name] = true
		def := schema.Types[typ.Name]
		if def == nil {
			t.Errorf("the server serves type %s; waymark schema has none", typ.Name)
			continue
		}
		names := map[string]bool{}
		for _, f := range append(append(typ.Fields, typ.InputFields...), typ.EnumValues...) {
			names[f.Name] = true
		}
		want := map[string]bool{}
		for _, f := range def.Fields {
			if !strings.HasPrefix(f.Name, "__") { // gqlparser adds __schema and __type to Query
				want[f.Name] = true
			}
		}
		for _, v := range def.EnumValues {
			want[v.Name] = true
		}
		if len(names) != len(want) {
			t.Errorf("type %s: the server has %d fields or values, waymark schema %d", typ.Name, len(names), len(want))
		}
		for n := range names {
			if !want[n] {
				t.Errorf("type %s: the server has %s, waymark schema has not", typ.Name, n)
			}
		}
	}
	for name, def := range schema.Types {
		if !def.BuiltIn && !served[name] {
			t.Errorf("waymark schema has type %s; the server does not serve it", name)
		}
	}
}

// heldWriter holds its first write until release is closed, and keeps what it gets.
type heldWriter struct {
	lockedBuffer
	once           sync.Once
	first, release chan struct{}
}

func (w *heldWriter) Write(p []byte) (int, error) {
	w.once.Do(func() {
		close(w.first)
		<-w.release
	})
	return w.lockedBuffer.Write(p)
}

// httpGet returns the status and body of GET url (0 when nothing answers).
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// keys rotate rewraps every case key under a new key-encryption key: the keyring file
// names a new active key, and every survivor's data still opens with it.
func TestKeysRotate(t *testing.T) {
	dir := seededDemoDir(t) // the demo, seeded once for the package's tests
	ctx := context.Background()
	sf := storeFlags{dataDir: dir, sync: "interval"}.resolved()
	before, err := sf.secrets.keyring()
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"keys", "rotate", "--data-dir", dir}, quietLogger()); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	after, err := sf.secrets.keyring()
	if err != nil {
		t.Fatal(err)
	}
	if after.Active == before.Active {
		t.Fatalf("the active key-encryption key did not change (%s)", after.Active)
	}
	// Drop the old KEK entirely: the data must open with the new one alone.
	after.KEKs = map[string][]byte{after.Active: after.KEKs[after.Active]}
	backends, err := node.OpenJetStream(ctx, node.JetStreamConfig{Store: sf.storeConfig(""), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Start(ctx, node.Config{Backends: backends.Backends(), Keyring: after, HashKey: bytes.Repeat([]byte{1}, 32), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := n.Runner.WaitReady(waitCtx); err != nil {
		t.Fatal(err)
	}
	page := n.Cases.List(projections.CaseFilter{}, paging.Window{Size: 5}, eventstore.Start)
	if len(page.Cases) == 0 {
		t.Fatal("no demo cases")
	}
	for _, v := range page.Cases {
		owner := app.Actor{ID: "w", Role: app.RoleCaseworker, Organisation: v.OwningOrganisation()}
		opener, err := n.Service.OpenGroup(ctx, owner, v, access.GroupIdentity)
		if err != nil {
			t.Fatalf("open case %s: %v", v.ID, err)
		}
		var s domain.SurvivorDetails
		if err := opener.Open(ctx, v.Survivor, &s); err != nil || s.FullName == "" {
			t.Errorf("case %s after rotation: %q, %v", v.ID, s.FullName, err)
		}
	}
}
