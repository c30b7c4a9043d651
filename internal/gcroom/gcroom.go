// Package gcroom gives the garbage collector more room while a batch phase runs: a
// rebuild of the read models allocates about 8 KB an event and keeps little of it,
// and at the default GOGC=100 the collector's mark workers were a fifth of the
// rebuild's CPU (a CPU profile of projections' BenchmarkRebuild with benchCases set to
// 20,000, that is 400,000 events, on 2 cores). With the
// room, 'waymark rebuild' of 250,000 events ran at 108–111k events/s against 98–101k
// without (four runs each, alternated); of 4M events, whose heap is large enough that
// little room is added, at 78.1k against 75.9k, its peak resident memory 3.82 GB
// against 3.53 GB. The room is bounded: the heap's goal is never more than headroom
// above the live heap where the default would have kept it lower, so a rebuild beside
// a large serving heap, or of a very large log, costs at most that much more memory.
package gcroom

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

const (
	// headroom is the most the heap may grow above its live size for the room given,
	// where the default percentage would not have let it.
	headroom = 1 << 30
	// maxPercent is the highest GOGC given: a small heap needs no more.
	maxPercent = 300
	// retune is how often the percentage follows the live heap.
	retune = 100 * time.Millisecond
)

// percent returns the GOGC that gives a heap of live bytes the room: headroom above it,
// as a percentage of it, between base (the process's own GOGC) and maxPercent.
func percent(live uint64, base int) int {
	p := maxPercent
	if live > 0 && headroom*100/live < maxPercent {
		p = int(headroom * 100 / live)
	}
	return max(p, base)
}

var state struct {
	mu    sync.Mutex
	users int
	base  int           // GOGC before the first user began
	stop  chan struct{} // closes to end the tuner
	done  chan struct{} // closed once it has
}

// Begin gives the collector room until end is called (end may be called more than
// once). Phases may overlap: the room lasts until the last one ends, and then the
// process's own GOGC is back. A process that set its own GOGC to 0, off or maxPercent
// and above keeps it.
func Begin() (end func()) {
	state.mu.Lock()
	defer state.mu.Unlock()
	if state.users == 0 {
		state.base = current()
		if state.base <= 0 || state.base >= maxPercent {
			return func() {}
		}
		state.stop, state.done = make(chan struct{}), make(chan struct{})
		set := retuned(state.base, -1) // before the phase's first allocation
		go tune(state.base, set, state.stop, state.done)
	}
	state.users++
	return sync.OnceFunc(release)
}

func release() {
	state.mu.Lock()
	defer state.mu.Unlock()
	state.users--
	if state.users > 0 {
		return
	}
	close(state.stop)
	<-state.done
	debug.SetGCPercent(state.base)
}

// tune keeps GOGC following the live heap until stop closes; set is what it is now.
func tune(base, set int, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(retune)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			set = retuned(base, set)
		}
	}
}

// retuned sets GOGC for the live heap now, unless it is set already, and returns it.
func retuned(base, set int) int {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	var live uint64
	if sample[0].Value.Kind() == metrics.KindUint64 {
		live = sample[0].Value.Uint64()
	}
	if p := percent(live, base); p != set {
		debug.SetGCPercent(p)
		return p
	}
	return set
}

// current returns the process's GOGC without changing it (-1: off).
func current() int {
	sample := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 100
	}
	p := sample[0].Value.Uint64()
	if p > math.MaxInt32 { // off is reported as the largest uint64
		return -1
	}
	return int(p)
}
