package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/natsembed"
)

// RawPublish is the floor under Waymark's writes: publishers concurrent publishers on
// a plain embedded JetStream server (file storage in a new directory under dir, an
// in-process connection, nothing of Waymark's), each publishing a payload of an
// event's size with Nats-Expected-Last-Subject-Sequence — the optimistic concurrency a
// command's append has too — 20 messages to a subject as CommandLoad's cases have 20
// events, for d. syncAlways is the server's sync_always: it fsyncs each message
// before its ack (Waymark's --sync always groups those fsyncs itself); otherwise it
// fsyncs on its interval. It returns publishes a second.
func RawPublish(ctx context.Context, dir string, syncAlways bool, publishers int, d time.Duration) (float64, error) {
	if publishers < 1 {
		return 0, fmt.Errorf("bench: raw publish needs at least one publisher")
	}
	srv, err := natsembed.Start(natsembed.Config{Options: &server.Options{
		JetStream: true, StoreDir: dir, SyncAlways: syncAlways, NoSigs: true, DontListen: true,
	}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Component: "bench-raw"})
	if err != nil {
		return 0, fmt.Errorf("raw publish: %w", err)
	}
	defer natsembed.Shutdown(srv)
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		return 0, fmt.Errorf("raw publish: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, fmt.Errorf("raw publish: %w", err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage}); err != nil {
		return 0, fmt.Errorf("raw publish: create stream: %w", err)
	}
	payload := bytes.Repeat([]byte("x"), 600)
	run, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		published atomic.Int64
		firstErr  error
		once      sync.Once
		wg        sync.WaitGroup
	)
	start := time.Now()
	for p := range publishers {
		wg.Go(func() {
			subject, last, n := "", uint64(0), 0
			for i := 0; run.Err() == nil; i++ {
				if i%20 == 0 {
					n++
					subject, last = fmt.Sprintf("raw.%d.%d", p, n), 0
				}
				ack, err := js.Publish(run, subject, payload, jetstream.WithExpectLastSequencePerSubject(last))
				if err != nil {
					if run.Err() == nil {
						once.Do(func() { firstErr = err })
						cancel()
					}
					return
				}
				last = ack.Sequence
				published.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return 0, fmt.Errorf("raw publish: %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return float64(published.Load()) / elapsed.Seconds(), nil
}
