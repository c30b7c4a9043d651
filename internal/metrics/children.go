package metrics

import "sync"

// children caches a vector's children by label values, so that recording looks one up
// in a map without allocating, and caps how many there may be: past max, new label
// values are counted under "other". The values come from closed sets, so the cap
// never bites; it is there so that a mistake cannot grow the series without bound.
// Vectors of one label leave the second value empty.
type children[T any] struct {
	with func(labels [2]string) T
	max  int
	mu   sync.RWMutex
	m    map[[2]string]T
}

// overflow stands for every label value past the cap.
const overflow = "other"

func newChildren[T any](max int, with func([2]string) T) *children[T] {
	return &children[T]{with: with, max: max, m: map[[2]string]T{}}
}

func (c *children[T]) get(a, b string) T {
	key := [2]string{a, b}
	c.mu.RLock()
	child, ok := c.m[key]
	c.mu.RUnlock()
	if ok {
		return child
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if child, ok := c.m[key]; ok {
		return child
	}
	if len(c.m) >= c.max {
		key = [2]string{overflow, overflow}
		if b == "" {
			key[1] = ""
		}
		if child, ok := c.m[key]; ok {
			return child
		}
	}
	child = c.with(key)
	c.m[key] = child
	return child
}
