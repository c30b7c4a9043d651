package app

import (
	"container/list"
	"context"
	"sync"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
)

// noteTextCacheBytes bounds the sealed note texts kept between requests: the read
// model keeps none (they were most of a case's memory), and reading them from the
// case's stream makes the embedded store load the block that holds it — at millions
// of events, a cold read costs milliseconds, and caseworkers reopen the cases they
// work on. 32 MiB is a few thousand cases of 20 notes, whatever the size of the store.
const noteTextCacheBytes = 32 << 20

// noteTextCache keeps the sealed texts of recently read cases' notes, least recently
// used first out, up to a number of bytes. It holds ciphertext only: opening a text
// still goes through OpenGroup (decided and logged) and the case key, so an erased
// case's entry opens to nothing; erasure drops it anyway.
type noteTextCache struct {
	max int

	mu    sync.Mutex
	size  int
	order *list.List               // of *noteTexts, most recently used first
	byID  map[string]*list.Element // case id → its element
}

// noteTexts are one case's note texts as of its notes' last revision.
type noteTexts struct {
	caseID  string
	notes   int    // how many notes they are for
	lastRev uint64 // the revision of the last one
	texts   []codec.Personal
	size    int
}

func newNoteTextCache(maxBytes int) *noteTextCache {
	return &noteTextCache{max: maxBytes, order: list.New(), byID: map[string]*list.Element{}}
}

// get returns v's note texts, from the cache when it holds them for exactly v's notes,
// else read from the case's stream (and kept).
func (c *noteTextCache) get(ctx context.Context, store eventstore.Store, v *projections.CaseView) ([]codec.Personal, error) {
	if len(v.Notes) == 0 {
		return nil, nil
	}
	lastRev := v.Notes[len(v.Notes)-1].Revision
	c.mu.Lock()
	if el, ok := c.byID[v.ID]; ok {
		e := el.Value.(*noteTexts)
		if e.notes == len(v.Notes) && e.lastRev == lastRev {
			c.order.MoveToFront(el)
			c.mu.Unlock()
			return e.texts, nil
		}
	}
	c.mu.Unlock()
	texts, err := projections.NoteTexts(ctx, store, v)
	if err != nil {
		return nil, err
	}
	c.put(&noteTexts{caseID: v.ID, notes: len(v.Notes), lastRev: lastRev, texts: texts, size: textsSize(v.ID, texts)})
	return texts, nil
}

func (c *noteTextCache) put(e *noteTexts) {
	if e.size > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(e.caseID)
	c.byID[e.caseID] = c.order.PushFront(e)
	c.size += e.size
	for c.size > c.max {
		c.dropLocked(c.order.Back().Value.(*noteTexts).caseID)
	}
}

// drop forgets a case's texts (its erasure).
func (c *noteTextCache) drop(caseID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(caseID)
}

func (c *noteTextCache) dropLocked(caseID string) {
	if el, ok := c.byID[caseID]; ok {
		c.size -= el.Value.(*noteTexts).size
		c.order.Remove(el)
		delete(c.byID, caseID)
	}
}

// textsSize is roughly what an entry holds: the texts' bytes and their bookkeeping.
func textsSize(caseID string, texts []codec.Personal) int {
	n := len(caseID) + 128
	for _, t := range texts {
		n += len(t.Data) + len(t.EventID) + 48
	}
	return n
}
