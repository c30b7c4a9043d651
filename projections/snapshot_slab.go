package projections

import "unsafe"

// slab hands out slices cut from one larger allocation. A snapshot holds, for every
// case, a journey and notes of a few dozen small pointer-free elements and a few
// sealed blobs; made one by one they were most of a load's allocations, and each
// was rounded up to its allocation size class (a 20-step journey, 800 bytes, took
// 896). Cut from slabs they cost what they hold.
//
// Every slice comes with its capacity equal to its length, so an append to it (a
// case that moves on after the load) copies, as an append to its own allocation
// would, and never writes into a neighbour. The part of the slab it leaves behind
// stays allocated as long as some other slice of that slab lives: at most the
// snapshot's own size, given back to the runtime at the next restart's load.
type slab[T any] struct {
	free []T
}

// slabBytes is the size of one slab: big enough that its fixed cost is shared by
// hundreds of slices, small enough that what a few changed cases leave behind in it
// is little.
const slabBytes = 64 << 10

// take returns a new slice of n zero elements. A slice too large for a quarter of
// a slab gets an allocation of its own, so a slab is never mostly waste.
func (s *slab[T]) take(n int) []T {
	if n == 0 {
		return make([]T, 0) // empty, not nil: as make gives
	}
	var zero T
	perSlab := max(1, slabBytes/int(unsafe.Sizeof(zero)))
	if n > perSlab/4 {
		return make([]T, n)
	}
	if n > len(s.free) {
		s.free = make([]T, perSlab)
	}
	xs := s.free[:n:n]
	s.free = s.free[n:]
	return xs
}
