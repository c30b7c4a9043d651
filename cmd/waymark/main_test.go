package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/demo"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestCommandLineMistakes(t *testing.T) {
	dir := t.TempDir()
	for name, args := range map[string][]string{
		"no command":             nil,
		"unknown command":        {"frobnicate"},
		"unknown flag":           {"serve", "--colour"},
		"stray argument":         {"serve", "now"},
		"token without a role":   {"token", "issue", "--data-dir", dir},
		"token with a bad ttl":   {"token", "issue", "--ttl", "forever"},
		"keys without a verb":    {"keys"},
		"seed without --demo":    {"seed", "--data-dir", dir},
		"bad bool from env-like": {"serve", "--demo=maybe"},
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
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v", err)
		default:
		}
		if token == "" {
			token = issueToken(t, dir, "auditor", "coalition-audit")
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

// issueToken runs 'waymark token issue' and returns the token ("" when it fails).
func issueToken(t *testing.T, dataDir, role, org string) string {
	t.Helper()
	var out strings.Builder
	if err := tokenIssue([]string{"--data-dir", dataDir, "--role", role, "--org", org}, &out); err != nil {
		return ""
	}
	return strings.TrimSpace(out.String())
}
