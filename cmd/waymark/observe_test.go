package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// An admin address already taken stops serve at once, before the slow part of its
// start, with an error naming the address.
func TestServeAdminAddressInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data-dir", t.TempDir(), "--sync", "interval",
			"--http-addr", freeAddr(t), "--nats-listen", "", "--admin-addr", taken.Addr().String()}, quietLogger())
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), taken.Addr().String()) || !strings.Contains(err.Error(), "--admin-addr") {
			t.Errorf("serve with the admin address taken: %v, want an error naming it", err)
		}
	case <-time.After(waitLong): // a bound on a hang, not a timing: it fails at once or serves
		t.Fatal("serve went on with its admin address taken")
	}
}

func TestSameListener(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"127.0.0.1:9090", "127.0.0.1:9090", true},
		{":9090", "127.0.0.1:9090", true},
		{"0.0.0.0:9090", "[::1]:9090", true},
		{"127.0.0.1:9090", "127.0.0.1:8080", false},
		{"127.0.0.1:9090", "10.0.0.1:9090", false},
		{"127.0.0.1:0", "127.0.0.1:0", false}, // two ports drawn: never the same
	} {
		if got := sameListener(c.a, c.b); got != c.same {
			t.Errorf("sameListener(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

// A real serve with --log-format json and an admin listener: every line on stderr is
// a JSON object, a request gets its line, the admin listener serves the metrics and
// the profiles, and the public listener neither.
func TestServeObservability(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "keys", "generate", "--data-dir", dir)
	adminAddr := freeAddr(t)
	srv := startServer(t, dir, "--log-format", "json", "--admin-addr", adminAddr)

	req, _ := http.NewRequest(http.MethodPost, "http://"+srv.http+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "observability-1")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-Request-Id") != "observability-1" {
			t.Errorf("a request without a token: HTTP %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
		}
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, metrics := get("http://" + adminAddr + "/metrics")
	for _, want := range []string{`waymark_graphql_request_duration_seconds_count{operation_type="none",root_field="none"} 1`,
		`waymark_read_model_behind{read_model="projections"} 0`, `waymark_read_model_behind{read_model="analytics_feed"}`, "go_goroutines"} {
		if status != http.StatusOK || !strings.Contains(metrics, want) {
			t.Errorf("admin /metrics (HTTP %d) lacks %s", status, want)
		}
	}
	if status, body := get("http://" + adminAddr + "/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, "heap") {
		t.Errorf("admin /debug/pprof/: HTTP %d", status)
	}
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		if status, _ := get("http://" + srv.http + path); status != http.StatusNotFound {
			t.Errorf("public %s: HTTP %d, want 404", path, status)
		}
	}
	srv.stop()

	requests := 0
	for _, line := range strings.Split(strings.TrimSpace(srv.stderr.String()), "\n") {
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Errorf("not a JSON line: %s", line)
			continue
		}
		if record["msg"] == "request" && record["request_id"] == "observability-1" {
			requests++
			if record["status"] != 401.0 || record["path"] != "/graphql" || record["level"] != "INFO" {
				t.Errorf("request line: %s", line)
			}
		}
	}
	if requests != 1 {
		t.Errorf("%d log lines for the request, want 1:\n%s", requests, srv.stderr.String())
	}
}
