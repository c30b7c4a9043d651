package analyticsfeed

import (
	"container/heap"
	"time"
)

// expiries orders the feed's cases by when they leave it (then by case id, so a sweep
// makes them leave in an order that does not depend on map order). A case whose
// expiry changes is pushed again; the stale item is dropped when it comes up.
type expiries []expiry

type expiry struct {
	at time.Time
	id string
}

func (h expiries) Len() int { return len(h) }
func (h expiries) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].id < h[j].id
}
func (h expiries) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *expiries) Push(x any)   { *h = append(*h, x.(expiry)) }
func (h *expiries) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (h *expiries) push(m *member) { heap.Push(h, expiry{at: m.e.Leaves, id: m.id}) }

// first is the earliest live expiry (nil when none), stale items dropped on the way.
func (h *expiries) first(members map[string]*member) *member {
	for h.Len() > 0 {
		top := (*h)[0]
		if m := members[top.id]; m != nil && !m.e.Leaving && m.e.Leaves.Equal(top.at) {
			return m
		}
		heap.Pop(h)
	}
	return nil
}

// due pops the earliest case whose expiry is at or before now.
func (h *expiries) due(now time.Time, members map[string]*member) *member {
	m := h.first(members)
	if m == nil || m.e.Leaves.After(now) {
		return nil
	}
	heap.Pop(h)
	return m
}
