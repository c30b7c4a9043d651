package gcroom

import (
	"runtime/debug"
	"testing"
	"time"
)

func TestPercentGivesHeadroomBetweenTheBaseAndTheCap(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live uint64
		base int
		want int
	}{
		{0, 100, maxPercent},         // nothing measured yet
		{100 * mib, 100, maxPercent}, // a small heap: the cap
		{512 * mib, 100, 200},        // headroom above 512 MiB
		{1024 * mib, 100, 100},       // headroom is what the default gives
		{4096 * mib, 100, 100},       // never below the process's own
		{4096 * mib, 150, 150},       // whatever that is
		{400 * mib, 100, 256},        // 1 GiB over 400 MiB
		{1024*mib - 1, 100, 100},     // rounds down
		{341 * mib, 100, maxPercent}, // 300.29%: capped
		{342 * mib, 100, 299},        // just under the cap
		{2 * 1024 * mib, 100, 100},   // twice headroom
		{1, 100, maxPercent},         // a tiny heap
	} {
		if got := percent(c.live, c.base); got != c.want {
			t.Errorf("percent(%d MiB, %d) = %d, want %d", c.live/mib, c.base, got, c.want)
		}
	}
}

// setGOGC sets the process's GOGC for the test and puts the old one back after it.
func setGOGC(t *testing.T, p int) {
	old := debug.SetGCPercent(p)
	t.Cleanup(func() { debug.SetGCPercent(old) })
}

// roomGiven fails the test unless GOGC is the cap: Begin sets it before it returns,
// so that the phase's first allocations have the room.
func roomGiven(t *testing.T) {
	t.Helper()
	if got := current(); got != maxPercent {
		t.Fatalf("GOGC is %d during a phase, want %d (a test's heap is small)", got, maxPercent)
	}
}

// A test's heap is small: the room is the cap. Overlapping phases keep it until the
// last ends; then the process's own GOGC is back at once.
func TestBeginGivesRoomUntilTheLastPhaseEnds(t *testing.T) {
	setGOGC(t, 100)
	end1 := Begin()
	roomGiven(t)
	end2 := Begin()
	end1()
	end1() // a second call changes nothing
	time.Sleep(3 * retune)
	roomGiven(t)
	end2()
	if got := current(); got != 100 {
		t.Fatalf("GOGC %d after both phases ended, want the process's own 100", got)
	}

	// And again, from another base.
	debug.SetGCPercent(120)
	end := Begin()
	roomGiven(t)
	end()
	if got := current(); got != 120 {
		t.Fatalf("GOGC %d after the phase, want 120", got)
	}
}

// A process that chose its own collector settings keeps them.
func TestBeginLeavesAChosenSettingAlone(t *testing.T) {
	for _, p := range []int{-1, 0, maxPercent, 500} {
		setGOGC(t, p)
		end := Begin()
		time.Sleep(3 * retune)
		if got := current(); got != p {
			t.Errorf("GOGC %d during a phase, want the process's own %d", got, p)
		}
		end()
		if got := current(); got != p {
			t.Errorf("GOGC %d after a phase, want the process's own %d", got, p)
		}
	}
}
