package jetstream

import (
	"fmt"
	"testing"
	"time"

	"github.com/waymark-org/waymark/analytics"
)

// BenchmarkAnalystsCopy: messages published into the feed's stream until the copy
// holds them all and the purge follower has read them (it reads every message, one at
// a time): the rate the analysts' side keeps up with.
func BenchmarkAnalystsCopy(b *testing.B) {
	s := mustOpen(b, Config{DataDir: b.TempDir(), Sync: SyncInterval})
	defer s.Close()
	body := []byte(`{"specversion":"1.0","subject":"` + pseudonym(1) + `"}`)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, err := s.js.PublishAsync(fmt.Sprintf("waymark.analytics.mx.%s.step-%d", pseudonym(i%100), i%7), body); err != nil {
			b.Fatal(err)
		}
	}
	<-s.js.PublishAsyncComplete()
	for {
		c, err := s.analysts.js.Consumer(b.Context(), analytics.StreamName, TombstoneConsumer)
		if err != nil {
			b.Fatal(err)
		}
		if ci := c.CachedInfo(); ci.Delivered.Stream >= uint64(b.N) && ci.NumAckPending == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
