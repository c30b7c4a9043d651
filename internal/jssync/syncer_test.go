package jssync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/natsembed"
)

// testStream is a stream on an embedded server that does not fsync on its own, with
// blocks of 32 kB (its byte limit sets the block size) so that a test crosses a few.
func testStream(t *testing.T) (jetstream.JetStream, string) {
	t.Helper()
	dir := t.TempDir()
	srv, err := natsembed.Start(natsembed.Config{
		Options: &server.Options{JetStream: true, StoreDir: dir, DontListen: true, NoSigs: true},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { natsembed.Shutdown(srv) })
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(t.Context(), jetstream.StreamConfig{
		Name: "TEST", Subjects: []string{"test.>"}, Storage: jetstream.FileStorage,
		MaxBytes: 100_000, Discard: jetstream.DiscardNew,
	}); err != nil {
		t.Fatal(err)
	}
	return js, MsgDir(srv.JetStreamConfig().StoreDir, server.DEFAULT_GLOBAL_ACCOUNT, "TEST")
}

func publish(t *testing.T, js jetstream.JetStream, n int) uint64 {
	t.Helper()
	ack, err := js.Publish(t.Context(), fmt.Sprint("test.", n), bytes.Repeat([]byte{'x'}, 1000))
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

// Writers publishing and syncing at once: every sequence synced ends up under the
// watermark, and the syncer follows the server into each new block.
func TestSyncFollowsTheStreamAcrossBlocks(t *testing.T) {
	js, dir := testStream(t)
	s, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := range 15 {
				seq := publish(t, js, w*100+i)
				if err := s.Sync(seq); err != nil {
					t.Error(err)
				}
				if s.Durable() < seq {
					t.Errorf("sequence %d synced, watermark %d", seq, s.Durable())
				}
			}
		})
	}
	wg.Wait()
	if s.Durable() != 90 {
		t.Errorf("watermark %d after 90 messages synced", s.Durable())
	}
	blocks, err := s.blocks()
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 2 {
		t.Fatalf("blocks %v: the test meant to cross into new blocks", blocks)
	}
	if s.newest != len(blocks) {
		t.Errorf("syncer's newest block %d, the directory holds %v", s.newest, blocks)
	}
}

// Ten callers arriving while an fsync runs are all served by the one fsync that
// starts after it.
func TestSyncsArrivingTogetherShareOneFsync(t *testing.T) {
	js, dir := testStream(t)
	s, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	seq := publish(t, js, 1)
	s.mu.Lock()
	s.running, s.started = true, 1 // an fsync under way
	s.mu.Unlock()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := s.Sync(seq); err != nil {
				t.Error(err)
			}
		})
	}
	for {
		s.mu.Lock()
		waiting := s.waiting
		s.mu.Unlock()
		if waiting == 10 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	s.mu.Lock()
	s.running, s.done = false, 1 // it ends: one of the ten starts the next
	s.cond.Broadcast()
	s.mu.Unlock()
	wg.Wait()
	if s.started != 2 || s.Durable() != seq {
		t.Errorf("%d fsyncs in all, watermark %d; want 2 and %d", s.started, s.Durable(), seq)
	}
}

// A reader waits for the writer's Sync rather than syncing itself; with no writer
// coming, it syncs itself after the grace period; past the watermark it never waits.
func TestWaitDurable(t *testing.T) {
	js, dir := testStream(t)
	s, err := Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	seq := publish(t, js, 1)
	read := make(chan error)
	go func() { read <- s.WaitDurable(t.Context(), seq, time.Hour) }()
	if err := s.Sync(seq); err != nil {
		t.Fatal(err)
	}
	if err := <-read; err != nil {
		t.Fatal(err)
	}
	if s.started != 1 {
		t.Errorf("%d fsyncs, want the writer's one", s.started)
	}

	orphan := publish(t, js, 2) // its writer never syncs
	if err := s.WaitDurable(t.Context(), orphan, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if s.Durable() != orphan || s.started != 2 {
		t.Errorf("watermark %d after %d fsyncs; want %d after 2", s.Durable(), s.started, orphan)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.WaitDurable(ctx, orphan, time.Hour); err != nil {
		t.Errorf("a durable sequence: %v", err)
	}
	if err := s.WaitDurable(ctx, orphan+1, time.Hour); err == nil {
		t.Error("a cancelled wait for a sequence not yet durable returned no error")
	}
}

// Open refuses a directory that is not a stream's.
func TestOpenNeedsTheBlockDirectory(t *testing.T) {
	if _, err := Open(t.TempDir()+"/missing/msgs", 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing directory: %v, want fs.ErrNotExist", err)
	}
}
