package kurrentdb

import (
	"sync"

	"github.com/waymark-org/waymark/eventstore"
)

// maxCachedHeads bounds the head cache; past it the cache starts again empty (cheaper
// than tracking use, and a miss costs one read).
const maxCachedHeads = 50_000

// headCache keeps the head of each stream this store last appended to, so that an
// append after its own needs no read of the head. Another writer (another replica)
// may have moved the head since: the append then fails on the server's expected
// revision, and Append reads the real head. A cached head never fails an append by
// itself.
type headCache struct {
	mu    sync.Mutex
	heads map[string]head
}

func newHeadCache() *headCache { return &headCache{heads: map[string]head{}} }

// judge returns the head to append after without reading it, when the cache can judge
// expected: a cached head that satisfies it, or no cached head for NoStream (a new
// stream needs no head). Otherwise the caller reads the head.
func (c *headCache) judge(stream string, expected eventstore.ExpectedRevision) (head, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.heads[stream]; ok {
		return h, expected.Matches(h.last, true)
	}
	return head{}, expected == eventstore.NoStream
}

func (c *headCache) put(stream string, h head) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.heads) >= maxCachedHeads {
		clear(c.heads)
	}
	c.heads[stream] = h
}

func (c *headCache) drop(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.heads, stream)
}
