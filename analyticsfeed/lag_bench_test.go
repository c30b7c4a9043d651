package analyticsfeed

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// BenchmarkPublishLag measures the feed's lag: from the start of an append of a case
// event (a case in the feed) to its message delivered to a nats.go subscriber over TCP
// with the analytics credentials. Idle: one append at a time; 16 writers appending to
// 16 cases as fast as they can (a burst: the lag is the queue the publisher drains),
// and 16 writers at 2,000 events a second together (paced, about what 16 command
// clients over HTTP reach). It reports the median and the 99th percentile.
func BenchmarkPublishLag(b *testing.B) {
	for _, bc := range []struct {
		writers int
		rate    int // events a second, all writers together; 0: as fast as they can
	}{{1, 0}, {16, 0}, {16, 2000}} {
		name := "idle"
		switch {
		case bc.rate > 0:
			name = fmt.Sprintf("%d-writers-at-%d-per-s", bc.writers, bc.rate)
		case bc.writers > 1:
			name = fmt.Sprintf("%d-writers-burst", bc.writers)
		}
		b.Run(name, func(b *testing.B) { benchLag(b, bc.writers, bc.rate) })
	}
}

func benchLag(b *testing.B, writers, rate int) {
	e := newEnv(b)
	var cases []string
	for i := range writers {
		c := e.refer(fmt.Sprintf("w%d", i))
		e.grant(c, t0.AddDate(1, 0, 0))
		cases = append(cases, c)
	}
	r := e.start(e.config(testKey))
	e.caughtUp(r)

	var mu sync.Mutex
	started := map[string]time.Time{} // by the published event id
	ps := analytics.Pseudonymizer{Key: testKey}
	var lags []time.Duration
	delivered := make(chan struct{}, 1<<16)
	nc, err := nats.Connect(e.url, nats.UserInfo("analyst", analystPwd))
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	if _, err := nc.Subscribe(analytics.StreamSubjects, func(m *nats.Msg) {
		now := time.Now()
		mu.Lock()
		id, _, _ := strings.Cut(m.Header.Get(nats.MsgIdHdr), ".")
		if at, ok := started[id]; ok {
			lags = append(lags, now.Sub(at))
		}
		mu.Unlock()
		delivered <- struct{}{}
	}); err != nil {
		b.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	appendOne := func(caseID string, i int) {
		ev := domain.Event(domain.BarrierIdentified{Barrier: domain.BarrierNoIncome, At: t0})
		if i%2 == 1 {
			ev = domain.BarrierResolved{Barrier: domain.BarrierNoIncome, At: t0}
		}
		id := uuid.Must(uuid.NewV7()).String()
		data, err := codec.Encode(ev, id, eventstore.Metadata{Actor: "bench", Role: "caseworker", RecordedAt: t0}, nil, nil)
		if err != nil {
			b.Error(err)
			return
		}
		mu.Lock()
		start := time.Now()
		started[ps.EventID(id)] = start
		mu.Unlock()
		if _, err := e.n.Store.Append(ctx, eventstore.StreamName(eventstore.KindCase, caseID), eventstore.Any, data); err != nil {
			b.Error(err)
		}
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	per := (b.N + writers - 1) / writers
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var tick <-chan time.Time
			if rate > 0 {
				t := time.NewTicker(time.Second * time.Duration(writers) / time.Duration(rate))
				defer t.Stop()
				tick = t.C
			}
			for i := range per {
				if tick != nil {
					<-tick
				}
				appendOne(cases[w], i)
				if writers == 1 {
					<-delivered // idle: the next append after the message arrived
				}
			}
		}()
	}
	wg.Wait()
	if writers > 1 {
		for range per * writers {
			<-delivered
		}
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	if len(lags) != per*writers {
		b.Fatalf("%d lags for %d appends", len(lags), per*writers)
	}
	slices.Sort(lags)
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds()), "p99-µs")
}
