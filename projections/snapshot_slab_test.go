package projections

import (
	"slices"
	"testing"
)

// TestSlabSlicesAreTheirOwn: slices cut from one slab hold their own elements; an
// append to one copies instead of writing into the next; an empty one is not nil
// (as make gives); one too large for a slab is allocated apart.
func TestSlabSlicesAreTheirOwn(t *testing.T) {
	var s slab[Step]
	a, b := s.take(3), s.take(2)
	if len(a) != 3 || cap(a) != 3 || len(b) != 2 || cap(b) != 2 {
		t.Fatalf("len/cap %d/%d and %d/%d, want 3/3 and 2/2", len(a), cap(a), len(b), cap(b))
	}
	for i := range b {
		b[i].At = int64(10 + i)
	}
	a = append(a, Step{At: 99})
	if b[0].At != 10 || b[1].At != 11 {
		t.Fatalf("an append to one slice wrote into the next: %+v", b)
	}
	if e := s.take(0); e == nil || len(e) != 0 {
		t.Fatalf("take(0) = %#v, want an empty non-nil slice", e)
	}
	free := len(s.free)
	big := s.take(free) // more than a quarter of a slab
	if len(big) != free || len(s.free) != free {
		t.Fatalf("a large slice came from the slab: %d left, want %d", len(s.free), free)
	}
	var bs slab[byte]
	x, y := bs.take(4), bs.take(4)
	copy(x, "abcd")
	copy(y, "efgh")
	if !slices.Equal(x, []byte("abcd")) || !slices.Equal(y, []byte("efgh")) {
		t.Fatalf("byte slices overlap: %q %q", x, y)
	}
}
