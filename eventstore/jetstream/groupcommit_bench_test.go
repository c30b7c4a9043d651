package jetstream

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/diskbench"
)

// BenchmarkDurableAppend appends one event per op with sync=always from N concurrent
// writers, each on its own stream, and reports appends/s and the ratio to a raw
// write+fsync loop measured just before in the same directory ("x_fsync").
func BenchmarkDurableAppend(b *testing.B) {
	for _, writers := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			dir := b.TempDir()
			baseline := diskbench.FsyncRate(b, dir, 600, time.Second)
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
				rounds, grouped, _ := s.commit.Counts()
				b.ReportMetric(float64(b.N+writers)/float64(max(rounds, 1)), "appends/round")
				b.ReportMetric(float64(grouped)/float64(max(rounds, 1)), "grouped/round")
			}
		})
	}
}
