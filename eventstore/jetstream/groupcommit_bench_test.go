package jetstream

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// fsyncRate measures the disk's raw durable-write rate in dir: a loop that appends one
// record of size bytes to a file and fdatasyncs it, as a durable log without group
// commit would. It is the baseline every durable append rate is compared with, in
// the same run.
func fsyncRate(tb testing.TB, dir string, size int, d time.Duration) float64 {
	tb.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "fsync-baseline"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	record := make([]byte, size)
	start, n := time.Now(), 0
	for time.Since(start) < d {
		if _, err := f.Write(record); err != nil {
			tb.Fatal(err)
		}
		if err := f.Sync(); err != nil { // fsync(2); on Linux Go has no fdatasync, and the file only grows
			tb.Fatal(err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkDurableAppend appends one event per op with sync=always from N concurrent
// writers, each on its own stream, and reports appends/s and the ratio to a raw
// write+fsync loop measured just before in the same directory ("x_fsync").
func BenchmarkDurableAppend(b *testing.B) {
	for _, writers := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			dir := b.TempDir()
			baseline := fsyncRate(b, dir, 600, time.Second)
			s := mustOpen(b, Config{DataDir: dir, Sync: SyncAlways})
			defer s.Close()
			heads := make([]uint64, writers)
			for w := range writers {
				heads[w] = mustAppendT(b, s, fmt.Sprintf("case-w%d", w), eventstore.NoStream, benchEvent).LastRevision
			}
			var next sync.Mutex
			remaining := b.N
			take := func() bool {
				next.Lock()
				defer next.Unlock()
				remaining--
				return remaining >= 0
			}
			b.ResetTimer()
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					stream := fmt.Sprintf("case-w%d", w)
					for take() {
						r, err := s.Append(b.Context(), stream, eventstore.Exact(heads[w]), benchEvent)
						if err != nil {
							b.Error(err)
							return
						}
						heads[w] = r.LastRevision
					}
				}()
			}
			wg.Wait()
			rate := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "appends/s")
			b.ReportMetric(baseline, "fsyncs/s")
			b.ReportMetric(rate/baseline, "x_fsync")
			if s.commit != nil {
				rounds, batches, _ := s.commit.Counts()
				b.ReportMetric(float64(b.N+writers)/float64(max(rounds, 1)), "appends/round")
				b.ReportMetric(float64(batches)/float64(max(rounds, 1)), "batched/round")
			}
		})
	}
}
