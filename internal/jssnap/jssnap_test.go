package jssnap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/natsembed"
)

// embedded starts a JetStream server on dir, reached in-process.
func embedded(t *testing.T, dir string) (*nats.Conn, jetstream.JetStream, func()) {
	t.Helper()
	srv, err := natsembed.Start(natsembed.Config{
		Options: &server.Options{JetStream: true, StoreDir: dir, DontListen: true, NoSigs: true},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		natsembed.Shutdown(srv)
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stop := func() { nc.Close(); natsembed.Shutdown(srv) }
	t.Cleanup(stop)
	return nc, js, stop
}

// A stream restored from its snapshot on another server is the same stream: the same
// sequences (a gap left by deleted messages included), the same stored times, data
// and headers, the same configuration.
func TestSnapshotRestoresTheSameStream(t *testing.T) {
	ctx := context.Background()
	nc, js, _ := embedded(t, t.TempDir())
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}, Storage: jetstream.FileStorage,
		Description: "kept", MaxMsgsPerSubject: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		msg := nats.NewMsg(fmt.Sprintf("s.%d", i%7))
		msg.Data = bytes.Repeat([]byte{byte(i)}, 1000+i) // several chunks in all
		msg.Header.Set("N", fmt.Sprint(i))
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	for _, seq := range []uint64{1, 2, 100, 101} {
		if err := st.DeleteMsg(ctx, seq); err != nil {
			t.Fatal(err)
		}
	}
	var snap bytes.Buffer
	info, err := Snapshot(ctx, nc, "S", &snap)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Messages != 296 || info.State.FirstSeq != 3 || info.State.LastSeq != 300 {
		t.Fatalf("snapshot state %+v", info.State)
	}

	nc2, js2, _ := embedded(t, t.TempDir())
	state, err := Restore(ctx, nc2, info, bytes.NewReader(snap.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if state != info.State {
		t.Fatalf("restored state %+v, snapshot's %+v", state, info.State)
	}
	restored, err := js2.Stream(ctx, "S")
	if err != nil {
		t.Fatal(err)
	}
	if got := restored.CachedInfo().Config; got.Description != "kept" || got.Subjects[0] != "s.>" {
		t.Errorf("restored configuration %+v", got)
	}
	for seq := uint64(1); seq <= 300; seq++ {
		want, werr := st.GetMsg(ctx, seq)
		got, gerr := restored.GetMsg(ctx, seq)
		if werr != nil || gerr != nil {
			if !errors.Is(werr, jetstream.ErrMsgNotFound) || !errors.Is(gerr, jetstream.ErrMsgNotFound) {
				t.Fatalf("message %d: original %v, restored %v", seq, werr, gerr)
			}
			continue
		}
		if !bytes.Equal(want.Data, got.Data) || want.Header.Get("N") != got.Header.Get("N") ||
			!want.Time.Equal(got.Time) || want.Subject != got.Subject {
			t.Fatalf("message %d differs after the restore", seq)
		}
	}

	// A second restore of the same stream is refused, and changes nothing.
	if _, err := Restore(ctx, nc2, info, bytes.NewReader(snap.Bytes())); !errors.Is(err, ErrExists) {
		t.Errorf("restore over an existing stream: %v", err)
	}
	if _, err := Snapshot(ctx, nc, "NONE", io.Discard); !errors.Is(err, ErrNoStream) {
		t.Errorf("snapshot of a missing stream: %v", err)
	}
}

// Appends while a snapshot runs: what it holds is a prefix of the stream — every
// message from the first to its last, none missing — and at least what was there
// when it started.
func TestSnapshotWhileAppendingIsAPrefix(t *testing.T) {
	ctx := context.Background()
	nc, js, _ := embedded(t, t.TempDir())
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("x"), 4000)
	for range 500 {
		if _, err := js.Publish(ctx, "s", payload); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := js.Publish(ctx, "s", payload); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var snap bytes.Buffer
	info, err := Snapshot(ctx, nc, "S", &snap)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	nc2, _, _ := embedded(t, t.TempDir())
	state, err := Restore(ctx, nc2, info, bytes.NewReader(snap.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if state.FirstSeq != 1 || state.LastSeq < info.State.LastSeq || state.Messages != state.LastSeq {
		t.Fatalf("restored %+v from a snapshot started at %+v: not a prefix", state, info.State)
	}
}
