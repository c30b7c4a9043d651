package jsleader

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// A request nobody answers — one sent to a stream's leader lost a moment before —
// is sent again after requestTimeout when its context has no deadline, and ends after
// requestAttempts as a deadline the stores report as unavailable; it never waits as
// long as its context.
func TestUnansweredRequestEnds(t *testing.T) {
	// A server without JetStream: nothing but the test's responder takes the request.
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Shutdown()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// A responder that takes every request and answers none.
	var asked atomic.Int32
	if _, err := nc.Subscribe("$JS.API.STREAM.MSG.GET.SILENT", func(*nats.Msg) { asked.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { requestTimeout = d }(requestTimeout)
	requestTimeout = 100 * time.Millisecond

	done := make(chan error, 1)
	go func() {
		_, err := LastBySubject(context.Background(), nc, "SILENT", "s.a")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("an unanswered request: %v; want a deadline", err)
		}
		// The last attempt reaches the responder asynchronously.
		for deadline := time.Now().Add(10 * time.Second); asked.Load() < requestAttempts && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		if n := asked.Load(); n != requestAttempts {
			t.Errorf("the request was sent %d times, want %d", n, requestAttempts)
		}
	case <-time.After(30 * time.Second): // a failure guard, not a measure
		t.Fatal("an unanswered request without a deadline never ended")
	}
}
