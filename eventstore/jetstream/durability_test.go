package jetstream

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
)

// ownerSyncer is the owner's syncer of its event stream.
func ownerSyncer(t *testing.T, s *Store) interface{ Durable() uint64 } {
	t.Helper()
	d, ok := s.durable.(*localDurability)
	if !ok {
		t.Fatalf("durability %T, want the owner's own", s.durable)
	}
	syncer, err := d.syncer(t.Context(), s.cfg.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	return syncer
}

// A message on the server but not yet made durable (its writer published and died
// before syncing) is shown to no reader until it is durable: a stream read and a
// subscription both make it durable first.
func TestReadsWaitUntilDurable(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	syncer := ownerSyncer(t, s)
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("a", 1)...)
	if syncer.Durable() != 1 {
		t.Fatalf("watermark %d after one append", syncer.Durable())
	}

	// The writer that never syncs: a publish straight to the server.
	msg, _, err := buildMessage("case-2", subjectPrefix+"case-2", streamHead{}, testEvents("b", 1))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := s.js.PublishMsg(t.Context(), msg, jetstream.WithExpectLastSequencePerSubject(0))
	if err != nil {
		t.Fatal(err)
	}
	if syncer.Durable() >= ack.Sequence {
		t.Fatalf("watermark %d already covers the unsynced message %d", syncer.Durable(), ack.Sequence)
	}
	sub, err := s.Subscribe(t.Context(), eventstore.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for range 2 {
		select {
		case e := <-sub.Events():
			if seq, _ := e.Position.Parts(); syncer.Durable() < seq {
				t.Errorf("subscription delivered message %d before it was durable (watermark %d)", seq, syncer.Durable())
			}
		case <-time.After(time.Minute):
			t.Fatal("subscription delivered nothing")
		}
	}
	events, err := s.ReadStream(t.Context(), "case-2", 0)
	if err != nil || len(events) != 1 {
		t.Fatalf("read: %v, %v", events, err)
	}
	if syncer.Durable() < ack.Sequence {
		t.Errorf("read returned message %d before it was durable (watermark %d)", ack.Sequence, syncer.Durable())
	}
}

// A replica on the owner's embedded server has the owner make its appends durable,
// and reads through the owner's watermark.
func TestReplicaAppendsAreMadeDurableByTheOwner(t *testing.T) {
	owner := mustOpen(t, Config{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0"})
	defer owner.Close()
	replica := mustOpen(t, replicaConfig(owner))
	defer replica.Close()
	if _, ok := replica.durable.(*remoteDurability); !ok {
		t.Fatalf("replica durability %T, want the owner's (remote)", replica.durable)
	}
	syncer := ownerSyncer(t, owner)
	var last uint64
	for i := range 5 {
		r := mustAppendT(t, replica, "case-r", eventstore.Any, testEvents("r", 1)...)
		last, _ = r.Last().Parts()
		if syncer.Durable() < last {
			t.Fatalf("append %d acknowledged to the replica at %d, owner's watermark %d", i, last, syncer.Durable())
		}
	}
	events, err := replica.ReadStream(t.Context(), "case-r", 0)
	if err != nil || len(events) != 5 {
		t.Fatalf("replica read: %d events, %v", len(events), err)
	}
	if m := replica.durable.(*remoteDurability).mark(owner.cfg.StreamName).Load(); m < last {
		t.Errorf("replica's known watermark %d, below its own last append %d", m, last)
	}
}

// Other streams on the server (the access log) are made durable through MakeDurable.
func TestMakeDurableSyncsOtherStreams(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	if _, err := s.js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "OTHER", Subjects: []string{"other.>"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	ack, err := s.js.Publish(t.Context(), "other.x", []byte("entry"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MakeDurable(t.Context(), "OTHER", ack.Sequence); err != nil {
		t.Fatal(err)
	}
	syncer, err := s.durable.(*localDurability).syncer(t.Context(), "OTHER")
	if err != nil || syncer.Durable() < ack.Sequence {
		t.Errorf("OTHER's watermark after MakeDurable(%d): %v", ack.Sequence, err)
	}
	if err := s.MakeDurable(t.Context(), "NO_SUCH_STREAM", 1); err == nil {
		t.Error("MakeDurable of a stream that does not exist: no error")
	}
}

// The owner answers only for its streams: a request naming anything else is refused.
func TestSyncServiceRefusesWhatIsNotAStream(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir()})
	defer s.Close()
	for _, name := range []string{"NOPE", "a/b", "..", strings.Repeat("A", 65)} {
		msg, err := s.nc.Request(syncSubject+name, []byte(`{"seq":1,"commit":true}`), 10*time.Second)
		if strings.Contains(name, "..") {
			if err == nil {
				t.Errorf("%q: an invalid subject was answered", name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		var reply syncReply
		if err := json.Unmarshal(msg.Data, &reply); err != nil || reply.Error == "" {
			t.Errorf("%q: answered %s, want an error", name, msg.Data)
		}
	}
}

// A store on an external server where no Waymark owns the files leaves durability
// to the server.
func TestExternalServerKeepsItsOwnDurability(t *testing.T) {
	srv := startTestServer(t, t.TempDir())
	defer srv.Shutdown()
	s := mustOpen(t, Config{NATSURL: srv.ClientURL()})
	defer s.Close()
	if s.durable != nil {
		t.Errorf("durability %T on an external server", s.durable)
	}
	if s.commit == nil {
		t.Error("no atomic batches on an external stream that allows them")
	}
}
