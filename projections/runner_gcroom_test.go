package projections_test

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/projections"
)

// gogcSeen is a projection that records the process's GOGC at every event it applies.
type gogcSeen struct {
	mu   sync.Mutex
	seen []uint64
}

func (g *gogcSeen) Apply(projections.Envelope) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seen = append(g.seen, gogc())
	return nil
}

func (g *gogcSeen) values() []uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen
}

// gogc reads GOGC without setting it.
func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// A long catch-up (a rebuild) gives the collector room from its first event to its
// last (internal/gcroom), and the process's own GOGC is back once it has caught up; a
// short one leaves GOGC alone.
func TestLongCatchUpGivesTheCollectorRoom(t *testing.T) {
	old := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(old) })
	w := newWorldWith(t, testkit.Vault(t))
	w.registerShelter(t)
	w.refer(t, "Gina Ejemplo", "DOC-1", "a note")

	for _, c := range []struct {
		name       string
		catchUpMin uint64
		room       bool
	}{{"long", 1, true}, {"short", math.MaxUint64, false}} {
		seen := &gogcSeen{}
		runner := projections.NewRunner(w.store, testkit.Quiet(), seen)
		projections.SetCatchUpKeysMin(runner, c.catchUpMin)
		m := &models{runner: runner}
		m.run(t, w)
		values := seen.values()
		if len(values) == 0 {
			t.Fatalf("%s: the projection applied nothing", c.name)
		}
		for i, v := range values {
			if got := v > 100; got != c.room {
				t.Errorf("%s catch-up: GOGC %d at event %d", c.name, v, i)
			}
		}
		// Once caught up, the runner ends the room right after marking itself ready.
		deadline := time.Now().Add(5 * time.Second)
		for gogc() != 100 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := gogc(); got != 100 {
			t.Errorf("%s catch-up: GOGC %d once caught up, want the process's own 100", c.name, got)
		}
		m.stop(t)
	}
}
