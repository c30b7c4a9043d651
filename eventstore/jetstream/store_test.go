package jetstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/jsstream"
)

func testEvents(prefix string, n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = eventstore.EventData{
			ID: fmt.Sprintf("%s-%d", prefix, i), Type: "TestThingHappened", SchemaVersion: 1,
			Data:     json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)),
			Metadata: eventstore.Metadata{Actor: "user-1", Role: "caseworker"},
		}
	}
	return out
}

func TestConfigErrors(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no data dir":   {},
		"bad sync":      {DataDir: t.TempDir(), Sync: "sometimes"},
		"bad listen":    {DataDir: t.TempDir(), ListenAddr: "localhost"},
		"bad port":      {DataDir: t.TempDir(), ListenAddr: "127.0.0.1:99999"},
		"no server":     {NATSURL: "nats://127.0.0.1:1"},
		"bad stream nm": {DataDir: t.TempDir(), StreamName: "a.b"},
		// The embedded server is one node.
		"replicas, embedded": {DataDir: t.TempDir(), Replicas: 3},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Logger = quietLogger()
			if s, err := Open(t.Context(), cfg); err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
}

// Replicas: 1 by default, 1 to MaxReplicas on an external cluster, 1 embedded.
func TestConfigReplicas(t *testing.T) {
	for replicas, ok := range map[int]bool{-1: false, 0: true, 1: true, 3: true, MaxReplicas: true, MaxReplicas + 1: false} {
		cfg, err := Config{NATSURL: "nats://127.0.0.1:1", Replicas: replicas}.withDefaults()
		switch {
		case ok && err != nil:
			t.Errorf("replicas %d: %v", replicas, err)
		case !ok && (err == nil || !strings.Contains(err.Error(), "replicas")):
			t.Errorf("replicas %d: %v, want an error about replicas", replicas, err)
		case ok && cfg.Replicas != max(replicas, 1):
			t.Errorf("replicas %d: got %d", replicas, cfg.Replicas)
		}
	}
	if _, err := (Config{DataDir: t.TempDir(), Replicas: 2}).withDefaults(); err == nil || !strings.Contains(err.Error(), "cluster") {
		t.Errorf("2 replicas on the embedded server: %v, want an error", err)
	}
}

func TestEmbeddedServer(t *testing.T) {
	for _, sync := range []string{"", SyncAlways, SyncInterval} {
		t.Run("sync="+sync, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, Config{DataDir: dir, Sync: sync})
			defer s.Close()
			srv := s.Server()
			if srv == nil || !s.Conn().IsConnected() {
				t.Fatal("no embedded server or connection")
			}
			if srv.Addr() != nil {
				t.Errorf("listening on %s without a ListenAddr", srv.Addr())
			}
			js := srv.JetStreamConfig()
			if want := filepath.Join(dir, "jetstream"); js.StoreDir != want {
				t.Errorf("store dir %s, want %s", js.StoreDir, want)
			}
			// The server never fsyncs per message; with sync=always the store does, by
			// group commit (durability.go).
			if js.SyncAlways {
				t.Errorf("the server's own sync_always is on for sync %q", sync)
			}
			if _, local := s.durable.(*localDurability); local != (sync != SyncInterval) {
				t.Errorf("sync %q: durability %T", sync, s.durable)
			}
			mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 1)...)
			if !srv.JetStreamEnabled() {
				t.Error("jetstream not enabled")
			}
			if _, err := os.Stat(filepath.Join(dir, "jetstream", AppAccount, "streams", DefaultStreamName)); err != nil {
				t.Errorf("stream files: %v", err)
			}
		})
	}
}

func TestStreamIsAppendOnly(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 2)...)
	info, err := s.stream.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c := info.Config
	if !slices.Equal(c.Subjects, []string{"waymark.events.>"}) || c.Storage != jetstream.FileStorage ||
		!c.AllowDirect || !c.DenyDelete || !c.DenyPurge || c.MaxMsgs != -1 || c.MaxBytes != -1 || c.MaxAge != 0 {
		t.Errorf("stream config %+v", c)
	}
	if err := s.stream.DeleteMsg(t.Context(), 1); err == nil {
		t.Error("deleting an event message succeeded")
	}
	if err := s.stream.Purge(t.Context()); err == nil {
		t.Error("purging the stream succeeded")
	}
}

// The event stream keeps the server's least duplicate window (no append sets a
// Nats-Msg-Id, and a start reads every message within the window), also where an
// older release created it with the default two minutes.
func TestStreamKeepsNoDedupeWindow(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, Config{DataDir: dir})
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 1)...)
	old := s.streamConfig()
	old.Duplicates = 2 * time.Minute
	if _, err := s.js.UpdateStream(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = mustOpen(t, Config{DataDir: dir})
	defer s.Close()
	info, err := s.stream.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Duplicates != jsstream.NoDedupe {
		t.Errorf("duplicate window = %s, want %s", info.Config.Duplicates, jsstream.NoDedupe)
	}
}

// TestOneMessagePerAppend checks the storage layout: one message per append on the
// stream's subject, its body the framed stored bytes, its headers the head.
func TestOneMessagePerAppend(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("a", 3)...)
	mustAppendT(t, s, "case-2", eventstore.NoStream, testEvents("b", 1)...)
	mustAppendT(t, s, "case-1", eventstore.Exact(2), testEvents("c", 2)...)
	info, err := s.stream.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 3 {
		t.Fatalf("%d messages for 3 appends", info.State.Msgs)
	}
	events, err := s.ReadStream(t.Context(), "case-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	for seq, want := range map[uint64][]eventstore.RecordedEvent{1: events[:3], 3: events[3:]} {
		msg, err := s.stream.GetMsg(t.Context(), seq)
		if err != nil {
			t.Fatal(err)
		}
		if msg.Subject != "waymark.events.case-1" {
			t.Errorf("message %d on %s", seq, msg.Subject)
		}
		first, last := want[0], want[len(want)-1]
		if msg.Header.Get(hdrFirstRevision) != fmt.Sprint(first.Revision) ||
			msg.Header.Get(hdrLastRevision) != fmt.Sprint(last.Revision) ||
			msg.Header.Get(hdrLastHash) != last.Metadata.Hash {
			t.Errorf("message %d headers %v", seq, msg.Header)
		}
		var body []byte
		for _, e := range want {
			body = appendFrame(body, e.Raw)
		}
		if !bytes.Equal(msg.Data, body) {
			t.Errorf("message %d body is not the framed events", seq)
		}
	}
}

// TestConflictAtServer slips another writer in between Append's head read and its
// publish, so the server rejects the publish (wrong last subject sequence).
func TestConflictAtServer(t *testing.T) {
	cases := []struct {
		name     string
		setup    int // events already in the stream
		expected eventstore.ExpectedRevision
		wantErr  bool
		actual   uint64
	}{
		{"Exact", 1, eventstore.Exact(0), true, 1},
		{"NoStream", 0, eventstore.NoStream, true, 0},
		{"Any", 1, eventstore.Any, false, 0},
		{"StreamExists", 1, eventstore.StreamExists, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval})
			defer s.Close()
			if c.setup > 0 {
				mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("setup", c.setup)...)
			}
			calls, fired := 0, false
			s.beforePublish = func() {
				calls++
				if fired {
					return
				}
				fired = true
				mustAppendT(t, s, "case-1", eventstore.Any, testEvents("interloper", 1)...)
			}
			res, err := s.Append(t.Context(), "case-1", c.expected, testEvents("mine", 2)...)
			if c.wantErr {
				var wrong *eventstore.WrongExpectedRevisionError
				if !errors.As(err, &wrong) || !wrong.ActualExists || wrong.Actual != c.actual {
					t.Fatalf("got %v, want wrong expected revision, actual %d", err, c.actual)
				}
				if calls != 2 {
					t.Errorf("%d publishes attempted, want 2 (mine rejected by the server, the interloper's)", calls)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if calls != 3 || res.LastRevision != uint64(c.setup+2) {
				t.Errorf("%d publish attempts, last revision %d; want 3 and %d", calls, res.LastRevision, c.setup+2)
			}
			events, err := s.ReadStream(t.Context(), "case-1", 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := eventstore.VerifyChain("case-1", events); err != nil {
				t.Error(err)
			}
			if events[c.setup].ID != "interloper-0" || events[c.setup+1].ID != "mine-0" {
				t.Errorf("order after retry: %s, %s", events[c.setup].ID, events[c.setup+1].ID)
			}
		})
	}
}

// TestReadStreamManyAppends reads a stream of more messages than one batched get
// returns.
func TestReadStreamManyAppends(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval})
	defer s.Close()
	const n = 2*readBatch + 17
	for i := range n {
		mustAppendT(t, s, "case-long", eventstore.Any, testEvents(fmt.Sprint("e", i), 1)...)
		if i%50 == 0 {
			mustAppendT(t, s, "case-other", eventstore.Any, testEvents(fmt.Sprint("o", i), 1)...)
		}
	}
	events, err := s.ReadStream(t.Context(), "case-long", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != n {
		t.Fatalf("read %d events, want %d", len(events), n)
	}
	if err := eventstore.VerifyChain("case-long", events); err != nil {
		t.Error(err)
	}
	tail, err := s.ReadStream(t.Context(), "case-long", n-3)
	if err != nil || len(tail) != 3 || tail[0].Revision != n-3 {
		t.Errorf("read tail: %d events, %v", len(tail), err)
	}
}

// TestListenAddrServesOutsideClients: a client with the waymark user's credentials
// reaches the event stream over TCP.
func TestListenAddrServesOutsideClients(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0"})
	defer s.Close()
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 2)...)
	url := s.Server().ClientURL()
	if !strings.HasPrefix(url, "nats://127.0.0.1:") || strings.HasSuffix(url, ":4222") {
		t.Errorf("client url %s", url)
	}
	user, password := s.ReplicaCredentials()
	nc, err := nats.Connect(url, nats.UserInfo(user, password))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(t.Context(), DefaultStreamName)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := st.GetLastMsgForSubject(t.Context(), "waymark.events.case-1")
	if err != nil || msg.Header.Get(hdrLastRevision) != "1" {
		t.Fatalf("outside client read: %v %v", msg, err)
	}
}

func TestRemoteServer(t *testing.T) {
	srv := startTestServer(t, t.TempDir())
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()

	t.Run("WarnsOnOneReplica", func(t *testing.T) {
		var logs syncBuffer
		s := mustOpen(t, Config{NATSURL: srv.ClientURL(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		defer s.Close()
		if s.Server() != nil {
			t.Error("Server() is not nil for an external server")
		}
		if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "replicas=1") {
			t.Errorf("no replica warning in logs:\n%s", logs.String())
		}
	})

	t.Run("RejectsStreamWithoutDirectGet", func(t *testing.T) {
		nc, err := nats.Connect(srv.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		if _, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "NODIRECT", Subjects: []string{"other.>"}}); err != nil {
			t.Fatal(err)
		}
		if s, err := Open(t.Context(), Config{NATSURL: srv.ClientURL(), StreamName: "NODIRECT", Logger: quietLogger()}); err == nil {
			s.Close()
			t.Fatal("Open accepted a stream without the event subjects and direct get")
		}
	})
}

func mustAppendT(t testing.TB, s *Store, stream string, exp eventstore.ExpectedRevision, events ...eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	r, err := s.Append(t.Context(), stream, exp, events...)
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return r
}

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

// TestSubscriptionLeavesNoConsumer: a finished subscription deletes its consumer, so
// subscriptions that come and go do not pile up on the server.
func TestSubscriptionLeavesNoConsumer(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval})
	defer s.Close()
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 3)...)
	consumers := func() int {
		info, err := s.stream.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Consumers
	}
	for range 3 {
		sub, err := s.Subscribe(t.Context(), eventstore.Start)
		if err != nil {
			t.Fatal(err)
		}
		<-sub.Events()
		if n := consumers(); n != 1 {
			t.Errorf("%d consumers while subscribed, want 1", n)
		}
		sub.Close()
	}
	if n := consumers(); n != 0 {
		t.Errorf("%d consumers left after the subscriptions closed", n)
	}
}
