package natsembed_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/internal/natsembed"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A started server takes in-process clients at once, logs through slog under its
// component, ran BeforeStart before it started, and is gone after Shutdown.
func TestStartLogsAndShutsDown(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var before *server.Server
	srv, err := natsembed.Start(natsembed.Config{
		Options:     &server.Options{JetStream: true, StoreDir: t.TempDir(), DontListen: true, NoSigs: true},
		Logger:      logger,
		Component:   "nats-test",
		Debug:       true,
		BeforeStart: func(s *server.Server) { before = s },
	})
	if err != nil {
		t.Fatal(err)
	}
	if before != srv {
		t.Error("BeforeStart did not get the server")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish("x", []byte("payload-never-traced")); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	natsembed.Shutdown(srv)
	natsembed.Shutdown(nil) // nothing to stop
	if srv.Running() {
		t.Error("server still running after Shutdown")
	}
	out := logs.String()
	if !strings.Contains(out, "component=nats-test") || !strings.Contains(out, "level=DEBUG") {
		t.Errorf("the server's logs did not reach slog under its component:\n%s", out)
	}
	if strings.Contains(out, "payload-never-traced") {
		t.Errorf("a protocol trace with a payload was logged:\n%s", out)
	}
}

// Fatalf is an error in the log, never an exit; levels the handler drops are not
// formatted at all.
func TestLoggerLevels(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	l := &natsembed.Logger{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	l.Noticef("banner %d", 1)
	l.Debugf("debug %d", 2)
	l.Tracef("trace %d", 3)
	l.Warnf("warn %d", 4)
	l.Errorf("error %d", 5)
	l.Fatalf("fatal %d", 6)
	out := logs.String()
	for _, want := range []string{`level=WARN msg="warn 4"`, `level=ERROR msg="error 5"`, `level=ERROR msg="fatal 6"`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in:\n%s", want, out)
		}
	}
	for _, dropped := range []string{"banner", "debug", "trace"} {
		if strings.Contains(out, dropped) {
			t.Errorf("%s logged at level warn:\n%s", dropped, out)
		}
	}
}
