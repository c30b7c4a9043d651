package jetstream

import "sync"

// headCacheSize bounds the head cache. An entry is a stream name, a 64-byte hash and
// three words: 64k entries stay within ~20 MB even for 200-byte stream names.
const headCacheSize = 1 << 16

// headCache remembers, per event-store stream, the head this Store last saw: written
// by its own appends or read by its reads that reached the end of the stream. Append
// publishes after a cached head without reading it.
//
// The cache is only a guess. Another writer (another goroutine or another replica on
// the same NATS) may have appended since, and then the publish carries a stale
// expected last subject sequence, which the server rejects without writing anything:
// a stale entry costs a rejected publish and a head read, never a wrong revision or a
// broken chain. For the same reason it never decides a failure by itself: an entry
// that disagrees with an expectation sends Append to read the head.
//
// When full it drops an arbitrary half of its entries (Go's map order): a dropped
// stream costs one head read (~20 µs) at its next append, and half-at-once keeps the
// eviction cost amortised O(1) per insert with no bookkeeping on hits. An LRU would
// keep hot streams better but costs a list update under the lock on every hit.
type headCache struct {
	mu    sync.Mutex
	max   int
	heads map[string]streamHead
}

func newHeadCache(max int) *headCache {
	return &headCache{max: max, heads: make(map[string]streamHead)}
}

// get returns the cached head of stream.
func (c *headCache) get(stream string) (streamHead, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.heads[stream]
	return h, ok
}

// put records h as stream's head, unless the cache holds a later one (a higher stream
// sequence): appends and reads of one stream can finish out of order, and the later
// message is the newer head. Heads of streams without messages are not cached (no
// entry already means "append as to a new stream" for NoStream).
func (c *headCache) put(stream string, h streamHead) {
	if !h.exists || h.seq == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.heads[stream]
	if ok && old.seq >= h.seq {
		return
	}
	if !ok && len(c.heads) >= c.max {
		n := (len(c.heads) + 1) / 2
		for k := range c.heads {
			if n == 0 {
				break
			}
			delete(c.heads, k)
			n--
		}
	}
	c.heads[stream] = h
}

// drop forgets stream's head: the server said it is stale, or an append's outcome is
// unknown.
func (c *headCache) drop(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.heads, stream)
}

// len returns the number of cached heads (tests).
func (c *headCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.heads)
}
