package projections

import (
	"encoding/binary"
	"slices"
	"testing"
)

func testKey(i int) CommandKey {
	var k CommandKey
	binary.BigEndian.PutUint64(k[:], uint64(i)*0x9e3779b97f4a7c15)
	binary.BigEndian.PutUint64(k[8:], uint64(i))
	return k
}

// A snapshot's keys come back as they were: captured ascending whatever was merged,
// restored beside the keys recorded while the snapshot loaded; and a snapshot written
// when they were a map's (no order, in principle repeats) reads as a sorted set.
func TestCommandKeysCaptureAndRestore(t *testing.T) {
	ids := NewCommandIDs([]byte("k"))
	for i := range 10_000 { // a merge at 4,096, recent keys beside
		ids.Record(testKey(i))
	}
	got := ids.capture()
	if len(got) != 10_000 || !slices.IsSortedFunc(got, compareKeys) {
		t.Fatalf("captured %d keys, sorted: %v", len(got), slices.IsSortedFunc(got, compareKeys))
	}

	loaded := NewCommandIDs([]byte("k"))
	loaded.Record(testKey(20_000)) // recorded while the snapshot loaded
	loaded.Record(testKey(5))      // and one the snapshot holds too
	loaded.restore(got)
	if loaded.Len() != 10_001 {
		t.Errorf("%d keys after restore, want 10,001", loaded.Len())
	}
	for _, i := range []int{0, 5, 9_999, 20_000} {
		if !loaded.Used(testKey(i)) {
			t.Errorf("key %d not used after restore", i)
		}
	}
	if loaded.Used(testKey(10_000)) {
		t.Error("a key never recorded is used")
	}

	// A section written from a map: its order, and a repeat.
	e := &enc{}
	old := []CommandKey{testKey(3), testKey(1), testKey(2), testKey(1)}
	encCommands(e, old)
	d := &dec{b: e.b}
	keys := decCommands(d)
	if d.err != nil || len(keys) != 3 || !slices.IsSortedFunc(keys, compareKeys) {
		t.Fatalf("decoded %d keys (%v), sorted %v; want 3 sorted", len(keys), d.err, slices.IsSortedFunc(keys, compareKeys))
	}
}
