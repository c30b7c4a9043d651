package sealing

import (
	"container/list"
	"crypto/cipher"
	"sync"
)

// defaultKeyCacheSize bounds how many unwrapped data keys a Vault keeps in memory.
const defaultKeyCacheSize = 1024

// keyCache is a small LRU of unwrapped data keys by case id. Evicted and removed keys
// are zeroed. Removal bumps an epoch so that a key fetched before a Destroy is never
// cached after it (putIfCurrent).
type keyCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recently used; values are *cacheEntry
	byID  map[string]*list.Element
	epoch uint64
}

type cacheEntry struct {
	caseID string
	key    []byte
	// aead is AES-GCM under key, made once: building it (key schedule, GHASH tables)
	// was a third of opening a small sealed object. It cannot be zeroed as key is when
	// the entry goes; it is left to the garbage collector.
	aead cipher.AEAD
}

func newKeyCache(max int) *keyCache {
	return &keyCache{max: max, order: list.New(), byID: make(map[string]*list.Element)}
}

// get returns a copy of the case's key, if cached.
func (c *keyCache) get(caseID string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[caseID]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return clone(e.Value.(*cacheEntry).key), true
}

// aead returns AES-GCM under the case's key, if cached.
func (c *keyCache) aead(caseID string) (cipher.AEAD, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[caseID]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	ent := e.Value.(*cacheEntry)
	return ent.aead, ent.aead != nil
}

// currentEpoch is read before fetching a key from the store.
func (c *keyCache) currentEpoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// putIfCurrent caches a copy of key unless a removal happened since epoch was read.
func (c *keyCache) putIfCurrent(caseID string, key []byte, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch || c.max <= 0 {
		return
	}
	if e, ok := c.byID[caseID]; ok {
		c.order.MoveToFront(e)
		return
	}
	aead, err := newGCM(key)
	if err != nil {
		aead = nil // a key of the wrong size: every use fails on its own
	}
	c.byID[caseID] = c.order.PushFront(&cacheEntry{caseID: caseID, key: clone(key), aead: aead})
	for c.order.Len() > c.max {
		c.dropLocked(c.order.Back())
	}
}

// remove drops and zeroes the case's key and bumps the epoch.
func (c *keyCache) remove(caseID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	if e, ok := c.byID[caseID]; ok {
		c.dropLocked(e)
	}
}

func (c *keyCache) dropLocked(e *list.Element) {
	ent := c.order.Remove(e).(*cacheEntry)
	delete(c.byID, ent.caseID)
	clear(ent.key)
}
