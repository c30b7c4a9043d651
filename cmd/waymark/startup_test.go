package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/api"
)

// A request that comes while serve starts waits for the node and is answered by it;
// one that waits longer than the front's bound gets 503 UNAVAILABLE with Retry-After.
func TestFrontHoldsRequestsUntilItServes(t *testing.T) {
	f, err := listenFront("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer f.shutdown(t.Context())
	post := func() (int, string, string) {
		resp, err := http.Post(f.base()+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
	}

	f.wait = 50 * time.Millisecond
	if status, retry, body := post(); status != http.StatusServiceUnavailable || retry == "" || !strings.Contains(body, `"UNAVAILABLE"`) {
		t.Errorf("past the bound: %d, Retry-After %q, %s", status, retry, body)
	}

	f.wait = time.Minute
	answered := make(chan string, 1)
	go func() {
		status, _, body := post()
		answered <- strings.TrimSpace(body) + " " + http.StatusText(status)
	}()
	// The waiting request is answered by the handler once it is set, not before.
	select {
	case got := <-answered:
		t.Fatalf("answered before the node serves: %s", got)
	case <-time.After(200 * time.Millisecond):
	}
	f.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "node") }))
	if got := <-answered; got != "node OK" {
		t.Errorf("the waiting request got %q, want the node's answer", got)
	}
}

// The server's timeouts run from a request's arrival: one that waits for the start
// longer than them is still answered (before, its connection was closed under it: the
// client saw EOF while the demo seeded for more than 30 s).
func TestFrontWaitOutlastsTheServerTimeouts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(ln.Addr().String(), nil)
	srv.ReadTimeout, srv.WriteTimeout = 100*time.Millisecond, 100*time.Millisecond
	f := startFront(ln, srv)
	defer f.shutdown(t.Context())
	f.wait = time.Minute

	answered := make(chan string, 1)
	go func() {
		resp, err := http.Post(f.base()+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
		if err != nil {
			answered <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	time.Sleep(500 * time.Millisecond) // five times the server's timeouts
	f.serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body) // the read deadline moved too
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "node read %d bytes", len(body))
	}))
	if got := <-answered; got != "200 node read 26 bytes" {
		t.Errorf("a request that waited past the server's timeouts got %q", got)
	}
}
