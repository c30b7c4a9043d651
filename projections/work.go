package projections

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waymark-org/waymark/eventstore"
)

// Work is the index of the work queues: for every organisation, the cases whose work
// may concern it (it owns them, they were shown to it as a bank, a dispute is
// addressed to it as a bureau), so that a queue visits that organisation's cases and
// never every case. The items themselves are computed when asked (WorkConfig.ItemsFor)
// with the clock of the caller: some depend on time alone (a consent about to expire,
// a stalled case).
//
// It is fed after Cases, whose views it reads; it is not kept in the snapshot but
// derived again from the case views after one is loaded (Restored). With subscribers,
// every event's changes to the queues of the organisations it concerns are published
// on the broker.
type Work struct {
	cases  *Cases
	cfg    WorkConfig
	broker *WorkBroker
	live   atomic.Pointer[func() bool]

	mu    sync.RWMutex
	byOrg map[string]map[string]struct{} // organisation → case ids
	seen  map[string]workSeen            // case id → what the index holds of it
}

// workSeen is the last view of a case the index applied, and the organisations it
// concerned: the "before" of the next event's changes.
type workSeen struct {
	view *CaseView
	orgs []string
}

// NewWork returns an empty work index over cases, which must be fed before it.
func NewWork(cases *Cases, cfg WorkConfig) *Work {
	return &Work{cases: cases, cfg: cfg.withDefaults(), broker: NewWorkBroker(),
		byOrg: map[string]map[string]struct{}{}, seen: map[string]workSeen{}}
}

// Config returns the work configuration (its defaults filled in).
func (w *Work) Config() WorkConfig { return w.cfg }

// Broker returns the broker the queues' changes are published on.
func (w *Work) Broker() *WorkBroker { return w.broker }

// PublishWhen has changes published only while live reports true: the runner's
// Ready, so that catching up with the log after a start (or a rebuild) does not
// announce again what was announced when it happened.
func (w *Work) PublishWhen(live func() bool) { w.live.Store(&live) }

func (w *Work) publishing() bool {
	if !w.broker.Active() {
		return false
	}
	live := w.live.Load()
	return live == nil || (*live)()
}

// Apply indexes the case the event belongs to, from the view Cases just made.
func (w *Work) Apply(env Envelope) error {
	kind, id, _ := eventstore.SplitStreamName(env.Record.Stream)
	if kind != eventstore.KindCase {
		return nil
	}
	v, ok := w.cases.Get(id)
	if !ok {
		return nil // Cases refused the event and said why
	}
	orgs := concerned(v)
	w.mu.Lock()
	before := w.seen[id]
	if slices.Equal(before.orgs, orgs) {
		orgs = before.orgs // most events concern no new organisation: one slice a case
	} else {
		w.indexLocked(id, before.orgs, orgs)
	}
	w.seen[id] = workSeen{view: v, orgs: orgs}
	w.mu.Unlock()
	if w.publishing() {
		w.broker.Publish(w.changes(before, v, orgs, env))
	}
	return nil
}

// indexLocked moves case id from the organisations it concerned to those it does.
func (w *Work) indexLocked(id string, was, is []string) {
	for _, org := range was {
		if !slices.Contains(is, org) {
			delete(w.byOrg[org], id)
			if len(w.byOrg[org]) == 0 {
				delete(w.byOrg, org)
			}
		}
	}
	for _, org := range is {
		set := w.byOrg[org]
		if set == nil {
			set = map[string]struct{}{}
			w.byOrg[org] = set
		}
		set[id] = struct{}{}
	}
}

// changes compares the queues of every organisation the case concerned or concerns,
// before and after the event, both judged at the event's time.
func (w *Work) changes(before workSeen, after *CaseView, orgs []string, env Envelope) []WorkChange {
	at := env.Record.Metadata.RecordedAt
	all := slices.Concat(before.orgs, orgs)
	slices.Sort(all)
	var out []WorkChange
	for _, org := range slices.Compact(all) {
		was := w.cfg.ItemsFor(before.view, org, at)
		is := w.cfg.ItemsFor(after, org, at)
		change := func(item WorkItem, added bool) {
			out = append(out, WorkChange{Organisation: org, Kind: item.Kind, CaseID: item.CaseID, ItemID: item.ItemID,
				Added: added, Position: env.Record.Position, At: at})
		}
		for _, item := range was {
			if !containsItem(is, item) {
				change(item, false)
			}
		}
		for _, item := range is {
			if !containsItem(was, item) {
				change(item, true)
			}
		}
	}
	return out
}

func containsItem(items []WorkItem, item WorkItem) bool {
	return slices.ContainsFunc(items, func(i WorkItem) bool {
		return i.Kind == item.Kind && i.CaseID == item.CaseID && i.ItemID == item.ItemID
	})
}

// Restored derives the index from the case views a snapshot just installed (the
// runner calls it after a load, before any event is applied).
func (w *Work) Restored() {
	views := w.cases.capture()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.byOrg, w.seen = map[string]map[string]struct{}{}, make(map[string]workSeen, len(views))
	for _, v := range views {
		orgs := concerned(v)
		w.indexLocked(v.ID, nil, orgs)
		w.seen[v.ID] = workSeen{view: v, orgs: orgs}
	}
}

// Cases returns the views of the cases whose work may concern org.
func (w *Work) Cases(org string) []*CaseView {
	w.mu.RLock()
	ids := make([]string, 0, len(w.byOrg[org]))
	for id := range w.byOrg[org] {
		ids = append(ids, id)
	}
	w.mu.RUnlock()
	views := make([]*CaseView, 0, len(ids))
	for _, id := range ids {
		if v, ok := w.cases.Get(id); ok {
			views = append(views, v)
		}
	}
	return views
}

// Items returns org's queue at now, ordered (CompareWork), from the cases keep
// allows (nil: all of them). keep is where the caller's access is decided.
func (w *Work) Items(org string, now time.Time, keep func(*CaseView) bool) []WorkItem {
	var items []WorkItem
	for _, v := range w.Cases(org) {
		// Most of an organisation's cases hold no work for it (closed, answered): the
		// items come first, so only a case with some is put to the access decision.
		found := w.cfg.ItemsFor(v, org, now)
		if len(found) == 0 || keep != nil && !keep(v) {
			continue
		}
		items = append(items, found...)
	}
	slices.SortFunc(items, CompareWork)
	return items
}

// restorer is a projection derived from others after a snapshot load.
type restorer interface{ Restored() }
