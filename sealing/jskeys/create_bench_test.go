package jskeys

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waymark-org/waymark/internal/diskbench"
	"github.com/waymark-org/waymark/sealing/keystoretest"
)

// BenchmarkCreate stores one new case key per op from N concurrent writers (every key
// is fsynced) and reports creates/s and the ratio to a raw write+fsync loop measured
// just before in the same directory ("x_fsync"). A new case costs one key Create, so
// this bounds how fast referrals can be taken.
func BenchmarkCreate(b *testing.B) {
	for _, writers := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			dir := b.TempDir()
			baseline := diskbench.FsyncRate(b, dir, 100, time.Second)
			ks := openStore(b, dir)
			key := keystoretest.Key("k1")
			var next atomic.Int64
			b.ResetTimer()
			var wg sync.WaitGroup
			for range writers {
				wg.Go(func() {
					for {
						n := next.Add(1)
						if n > int64(b.N) {
							return
						}
						if err := ks.Create(b.Context(), fmt.Sprint("c", n), key); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			rate := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "creates/s")
			b.ReportMetric(rate/baseline, "x_fsync")
		})
	}
}
