package projections

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// WorkChange is one change of an organisation's work queue: an item added or
// removed. Ids and codes only — it goes to websockets and webhooks, never personal
// data.
type WorkChange struct {
	Organisation string
	Kind         WorkKind
	CaseID       string
	ItemID       string
	Added        bool // false: removed
	Position     eventstore.Position
	At           time.Time // when the event that changed the queue was recorded
}

// Limits of the work broker.
const (
	// MaxWorkSubscriptions bounds the subscriptions of one server (each holds a
	// buffer of WorkSubscriptionBuffer changes and, over the API, a websocket).
	MaxWorkSubscriptions = 1024
	// MaxWorkSubscriptionsPerOrganisation bounds one organisation's: a few staff
	// screens and its systems, not an unbounded fan-out.
	MaxWorkSubscriptionsPerOrganisation = 32
	// MaxWorkSubscriptionsPerKey bounds the subscriptions of one key (SubscribeFor:
	// one user's token): a browser with a few tabs open.
	MaxWorkSubscriptionsPerKey = 4
	// WorkSubscriptionBuffer is how many changes a subscriber may fall behind by
	// before it is dropped: the projection runner never waits for a subscriber.
	WorkSubscriptionBuffer = 64
	// WorkAllBuffer is SubscribeAll's buffer: every organisation's changes.
	WorkAllBuffer = 4096
)

// ErrTooManySubscriptions refuses a subscription past the broker's limits.
var ErrTooManySubscriptions = errors.New("too many work subscriptions")

// ErrWorkBrokerClosed refuses a subscription to read models that were retired.
var ErrWorkBrokerClosed = errors.New("work broker closed: the read models were retired")

// WorkBroker hands the work queues' changes to in-process subscribers. Publish never
// blocks: a subscriber whose buffer is full is dropped (its channel closed), and
// resubscribes and reads the queue again.
type WorkBroker struct {
	mu     sync.Mutex
	subs   map[*workSub]struct{}
	perOrg map[string]int
	perKey map[string]int
	closed bool
	n      atomic.Int64 // len(subs), read without the lock by Publish's callers
}

type workSub struct {
	org string // "": every organisation (SubscribeAll)
	key string // "": not counted per key
	ch  chan WorkChange
}

// NewWorkBroker returns a broker without subscribers.
func NewWorkBroker() *WorkBroker {
	return &WorkBroker{subs: map[*workSub]struct{}{}, perOrg: map[string]int{}, perKey: map[string]int{}}
}

// Subscribe returns the changes of org's queue from now on, and the function that
// ends the subscription (safe to call more than once). The channel is closed when the
// subscription ends or the subscriber fell WorkSubscriptionBuffer changes behind.
func (b *WorkBroker) Subscribe(org string) (<-chan WorkChange, func(), error) {
	return b.SubscribeFor(org, "")
}

// SubscribeFor is Subscribe counted against key too (a user: at most
// MaxWorkSubscriptionsPerKey each).
func (b *WorkBroker) SubscribeFor(org, key string) (<-chan WorkChange, func(), error) {
	if org == "" {
		return nil, nil, errors.New("work broker: subscribe needs an organisation")
	}
	return b.add(org, key, WorkSubscriptionBuffer)
}

// SubscribeAll returns every organisation's changes (the webhook dispatcher), under
// the same rules as Subscribe with a larger buffer.
func (b *WorkBroker) SubscribeAll() (<-chan WorkChange, func(), error) {
	return b.add("", "", WorkAllBuffer)
}

func (b *WorkBroker) add(org, key string, buffer int) (<-chan WorkChange, func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, nil, ErrWorkBrokerClosed
	}
	// The server-wide cap bounds the sockets' subscriptions; the feed of every
	// organisation's changes (SubscribeAll: the webhooks) is the server's own and never
	// refused for them.
	if org != "" && len(b.subs) >= MaxWorkSubscriptions {
		return nil, nil, fmt.Errorf("%w: the server holds %d", ErrTooManySubscriptions, MaxWorkSubscriptions)
	}
	if org != "" && b.perOrg[org] >= MaxWorkSubscriptionsPerOrganisation {
		return nil, nil, fmt.Errorf("%w: an organisation may hold %d", ErrTooManySubscriptions, MaxWorkSubscriptionsPerOrganisation)
	}
	if key != "" && b.perKey[key] >= MaxWorkSubscriptionsPerKey {
		return nil, nil, fmt.Errorf("%w: one user may hold %d", ErrTooManySubscriptions, MaxWorkSubscriptionsPerKey)
	}
	s := &workSub{org: org, key: key, ch: make(chan WorkChange, buffer)}
	b.subs[s] = struct{}{}
	b.perOrg[org]++
	if key != "" {
		b.perKey[key]++
	}
	b.n.Store(int64(len(b.subs)))
	return s.ch, func() { b.remove(s) }, nil
}

// remove ends s, once.
func (b *WorkBroker) remove(s *workSub) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.removeLocked(s)
}

func (b *WorkBroker) removeLocked(s *workSub) {
	if _, ok := b.subs[s]; !ok {
		return
	}
	delete(b.subs, s)
	if b.perOrg[s.org]--; b.perOrg[s.org] == 0 {
		delete(b.perOrg, s.org)
	}
	if s.key != "" {
		if b.perKey[s.key]--; b.perKey[s.key] == 0 {
			delete(b.perKey, s.key)
		}
	}
	close(s.ch)
	b.n.Store(int64(len(b.subs)))
}

// Close ends every subscription (their channels close) and refuses new ones: the
// read models it served were retired (a rebuild swapped in new ones, or the node
// closes), and subscribers resubscribe to the current ones.
func (b *WorkBroker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.removeLocked(s)
	}
}

// Active reports whether anyone listens: without subscribers the projection does not
// compute changes at all.
func (b *WorkBroker) Active() bool { return b.n.Load() > 0 }

// Subscribers returns how many subscriptions are open.
func (b *WorkBroker) Subscribers() int { return int(b.n.Load()) }

// Publish hands changes to their subscribers without waiting: one whose buffer is
// full is dropped.
func (b *WorkBroker) Publish(changes []WorkChange) {
	if len(changes) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		for _, c := range changes {
			if s.org != "" && s.org != c.Organisation {
				continue
			}
			select {
			case s.ch <- c:
			default:
				b.removeLocked(s) // too slow: dropped rather than waited for
			}
			if _, ok := b.subs[s]; !ok {
				break
			}
		}
	}
}
