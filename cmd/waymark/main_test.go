package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
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
		"serve, token rate 0":     {"serve", "--data-dir", dir, "--token-rate", "0"},
		"serve, token rate NaN":   {"serve", "--data-dir", dir, "--token-rate", "NaN"},
		"serve, token rate +Inf":  {"serve", "--data-dir", dir, "--token-rate", "+Inf"},
		"serve, burst below 0":    {"serve", "--data-dir", dir, "--token-burst", "-1"},
		"keys without a verb":     {"keys"},
		"seed without --demo":     {"seed", "--data-dir", dir},
		"bad bool from env-like":  {"serve", "--demo=maybe"},
	} {
		err := run(context.Background(), args, quietLogger())
		if !errors.Is(err, errUsage) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
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

// serve --demo answers GraphQL on loopback and shuts down cleanly when cancelled.
func TestServeDemoAndShutdown(t *testing.T) {
	httpAddr, natsAddr, dir := freeAddr(t), freeAddr(t), t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--data-dir", dir, "--sync", "interval",
			"--http-addr", httpAddr, "--nats-listen", natsAddr}, quietLogger())
	}()
	body, token := "", ""
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
		if token == "" {
			token = mintToken(t, dir, "auditor", "coalition-audit")
			if token == "" {
				continue // the demo keys are not written yet
			}
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
	dir := t.TempDir()
	ctx := context.Background()
	if err := run(ctx, []string{"seed", "--demo", "--data-dir", dir, "--sync", "interval"}, quietLogger()); err != nil {
		t.Fatalf("seed: %v", err)
	}
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
	page := n.Cases.List(projections.CaseFilter{}, 5, eventstore.Start)
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

// Asking a command for its flags is not a mistake: every command answers -h and
// --help with flag.ErrHelp, which main turns into exit 0 (the usage is printed), and
// does nothing else.
func TestHelpIsNotAMistake(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"serve", "--help"}, {"seed", "-h"}, {"keys", "generate", "--help"}, {"keys", "rotate", "-h"},
		{"token", "issue", "--help"}, {"verify", "--help"}, // bench answers --help itself: TestBenchFlags
	} {
		err := run(context.Background(), append(args, "--data-dir", dir), quietLogger())
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v, want flag.ErrHelp", args, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("asking for help wrote %d entries into the data directory", len(entries))
	}
}
