package app

import (
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Clock tells the time. Injected so that tests are deterministic.
type Clock interface{ Now() time.Time }

// IDs makes new unique ids (UUIDv7 in production). Injected so that tests are
// deterministic. Never used for secrets or nonces.
type IDs interface{ NewID() string }

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// UUIDv7 makes time-ordered UUIDv7 ids.
type UUIDv7 struct{}

// NewID returns a new UUIDv7.
func (UUIDv7) NewID() string { return uuid.Must(uuid.NewV7()).String() }

// FixedClock is a clock for tests that moves only when told to.
type FixedClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFixedClock returns a clock stopped at t.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{now: t.UTC()} }

// Now returns the clock's time.
func (c *FixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *FixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// SequentialIDs makes predictable UUIDv7-shaped ids for tests and demo data.
type SequentialIDs struct {
	mu     sync.Mutex
	prefix uint32
	n      uint64
}

// NewSequentialIDs returns a generator whose ids start with prefix, so that two
// generators (e.g. two demo runs) do not collide.
func NewSequentialIDs(prefix uint32) *SequentialIDs { return &SequentialIDs{prefix: prefix} }

// NewID returns the next id.
func (g *SequentialIDs) NewID() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return fmt.Sprintf("%08x-0000-7000-8000-%012x", g.prefix, g.n)
}
