package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/sealing"
)

// Unsealer opens a sealed value of a case (the vault). The case read model uses it
// for one thing: the blind-index tokens a case can be found by.
type Unsealer interface {
	Open(ctx context.Context, caseID, eventID string, schemaVersion int, sealed json.RawMessage) ([]byte, error)
}

// Preloader is an Unsealer that can read every case's key at once (the vault): a
// snapshot's load opens every case's blind index, and one pass over the key store
// costs far less than one round trip a case.
type Preloader interface {
	Preload(ctx context.Context) (*sealing.KeySet, error)
}

// Forgetter is an Unsealer that keeps case keys in memory (the vault's cache): the
// read model tells it to drop a case's key when it applies the case's erasure. The
// replica that erased the case dropped its copy as it destroyed the key; every other
// replica sharing the key store learns of the erasure only from the log.
type Forgetter interface {
	Forget(caseID string)
}

// Cases is the case read model: every case's view, and the list in referral order.
type Cases struct {
	unsealer Unsealer
	// catchUpKeys, while set, opens blind indexes in place of unsealer: every case
	// key read at once for a long catch-up (catchup_keys.go).
	catchUpKeys atomic.Pointer[sealing.KeySet]
	mu          sync.RWMutex
	order       []*CaseView    // by ReferralPosition ascending; entries replaced in place
	index       map[string]int // case id → its place in order
	counts      map[countKey]int
	disputes    *Disputes // open credit disputes by due date (disputes.go)
	dash        *Dashboard
}

// countKey is what a case list's cheap filters look at. Cases keeps how many cases
// there are for each, so that a list's total need not visit every case (see List).
type countKey struct {
	owner, jurisdiction string
	stage               domain.Stage
	status              domain.Status
}

func countKeyOf(v *CaseView) countKey {
	return countKey{owner: v.State.OwnerOrganisation, jurisdiction: v.State.Jurisdiction, stage: v.State.Stage, status: v.State.Status}
}

// NewCases returns an empty case read model. Without an unsealer, cases cannot be
// found by name or document number.
func NewCases(unsealer Unsealer) *Cases {
	return &Cases{unsealer: unsealer, index: map[string]int{}, counts: map[countKey]int{}, disputes: NewDisputes(), dash: NewDashboard()}
}

// Disputes is the index of open credit disputes by due date, kept with the cases.
func (c *Cases) Disputes() *Disputes { return c.disputes }

// Dashboard is the coalition dashboard's figures, fed with every case event.
func (c *Cases) Dashboard() *Dashboard { return c.dash }

// Apply folds one event of a case stream into its view.
func (c *Cases) Apply(env Envelope) error {
	kind, id, _ := eventstore.SplitStreamName(env.Record.Stream)
	if kind != eventstore.KindCase {
		return nil
	}
	old, exists := c.Get(id)
	var v *CaseView
	var before domain.Case
	if !exists {
		if _, ok := env.Event.(domain.SurvivorReferred); !ok {
			return fmt.Errorf("case %s starts with %s, not SurvivorReferred", id, env.Record.Type)
		}
		v = &CaseView{ID: id, ReferralPosition: env.Record.Position}
	} else {
		v = old.next()
		before = old.State
	}
	if err := v.apply(env, c.openIndex); err != nil {
		return err
	}
	c.disputes.update(v)
	c.dash.apply(id, env.Event, before, v.State)
	if _, erased := env.Event.(domain.SurvivorDataErased); erased {
		if f, ok := c.unsealer.(Forgetter); ok {
			f.Forget(id)
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[id]; ok {
		c.counts[countKeyOf(c.order[i])]--
		c.order[i] = v
	} else {
		// Positions only grow, so a new case always goes at the end.
		c.index[id] = len(c.order)
		c.order = append(c.order, v)
	}
	c.counts[countKeyOf(v)]++
	return nil
}

// Get returns a case's view, or false.
func (c *Cases) Get(id string) (*CaseView, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	i, ok := c.index[id]
	if !ok {
		return nil, false
	}
	return c.order[i], true
}

// Len returns the number of cases.
func (c *Cases) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.order)
}

// CaseFilter selects cases; zero fields match everything.
type CaseFilter struct {
	Stage        domain.Stage
	Status       domain.Status
	Jurisdiction string
	Organisation string // the owning (referring) organisation
	Barrier      domain.Barrier
	// BlindIndex, when set, keeps the cases found by any of these keyed hashes.
	BlindIndex []string
	// Visible, when set, keeps only the cases the caller may see.
	Visible func(*CaseView) bool
	// OwnerSeesAll says that Visible keeps every case Organisation owns (a caseworker
	// of that organisation): the total is then counted from Cases' counters instead of
	// by visiting every matching case — with tens of thousands of them, that visit was
	// most of a list request.
	OwnerSeesAll bool
}

// countable reports whether the list's total can come from the counters: every case
// the filter keeps is one of Organisation's, all visible, and decided by countKey's
// fields alone.
func (f CaseFilter) countable() bool {
	return f.OwnerSeesAll && f.Organisation != "" && f.Barrier == "" && len(f.BlindIndex) == 0
}

func (f CaseFilter) matchKey(k countKey) bool {
	return k.owner == f.Organisation &&
		(f.Stage == "" || k.stage == f.Stage) &&
		(f.Status == "" || k.status == f.Status) &&
		(f.Jurisdiction == "" || k.jurisdiction == f.Jurisdiction)
}

func (f CaseFilter) match(v *CaseView) bool {
	switch {
	case f.Stage != "" && v.State.Stage != f.Stage,
		f.Status != "" && v.State.Status != f.Status,
		f.Jurisdiction != "" && v.State.Jurisdiction != f.Jurisdiction,
		f.Organisation != "" && v.State.OwnerOrganisation != f.Organisation,
		f.Barrier != "" && !slices.Contains(v.State.Barriers, f.Barrier),
		len(f.BlindIndex) > 0 && !slices.ContainsFunc(f.BlindIndex, func(t string) bool { return slices.Contains(v.BlindIndex, t) }),
		f.Visible != nil && !f.Visible(v):
		return false
	}
	return true
}

// Page is one page of cases, newest referral first.
type Page struct {
	Cases []*CaseView
	// HasPreviousPage: a matching case is newer than the page; HasNextPage: older.
	HasPreviousPage, HasNextPage bool
	TotalCount                   int
}

// List returns a page of the cases matching f, newest referral first: w.Size cases
// after the case referred at position cursor, or (w.Backward) before it; a Start
// cursor is the newest case (forward) or the oldest (backward). When f is countable
// only the page and its neighbours are visited and the total comes from the counters;
// otherwise every case is visited to count it.
func (c *Cases) List(f CaseFilter, w paging.Window, cursor eventstore.Position) Page {
	c.mu.RLock()
	defer c.mu.RUnlock()
	counted := f.countable()
	// The list, newest first: the cases in order (countable: all of them, matched
	// lazily by Select), or the matching ones.
	list := func(j int) *CaseView { return c.order[len(c.order)-1-j] }
	n := len(c.order)
	keep := func(j int) bool { return f.match(list(j)) }
	if !counted {
		matching := make([]*CaseView, 0, 64)
		for i := len(c.order) - 1; i >= 0; i-- {
			if v := c.order[i]; f.match(v) {
				matching = append(matching, v)
			}
		}
		list = func(j int) *CaseView { return matching[j] }
		n, keep = len(matching), nil
	}
	// Where the cursor divides the list (positions fall as j rises): forward, at the
	// first case older than it; backward, at the first case not newer.
	from := 0
	switch {
	case cursor.IsStart() && w.Backward:
		from = n
	case !cursor.IsStart() && !w.Backward:
		from = sort.Search(n, func(j int) bool { return list(j).ReferralPosition.Before(cursor) })
	case !cursor.IsStart():
		from = sort.Search(n, func(j int) bool { return !cursor.Before(list(j).ReferralPosition) })
	}
	p := paging.Select(n, w, from, keep)
	page := Page{Cases: make([]*CaseView, len(p.Indexes)), HasPreviousPage: p.HasPrevious, HasNextPage: p.HasNext, TotalCount: n}
	for k, j := range p.Indexes {
		page.Cases[k] = list(j)
	}
	if counted {
		page.TotalCount = 0
		for k, count := range c.counts {
			if f.matchKey(k) {
				page.TotalCount += count
			}
		}
	}
	return page
}

// openIndex opens an event's sealed blind-index tokens. A destroyed key (an erased
// case, on a rebuild) leaves nothing to index; the tokens are keyed hashes, never
// plaintext, so the read model may keep them.
func (c *Cases) openIndex(caseID string, sealed codec.Personal) ([]string, error) {
	if set := c.catchUpKeys.Load(); set != nil {
		return openIndexWith(set, caseID, sealed)
	}
	return openIndexWith(c.unsealer, caseID, sealed)
}

// openIndexWith is openIndex with the unsealer u (none: nothing to index).
func openIndexWith(u Unsealer, caseID string, sealed codec.Personal) ([]string, error) {
	if sealed.IsZero() || u == nil {
		return nil, nil
	}
	raw, err := u.Open(context.Background(), caseID, sealed.EventID, sealed.SchemaVersion, sealed.Data)
	if errors.Is(err, sealing.ErrKeyDestroyed) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("case %s: open blind index: %w", caseID, err)
	}
	tokens, err := decodeTokens(raw)
	if err != nil {
		return nil, fmt.Errorf("case %s: blind index: %w", caseID, err)
	}
	return tokens, nil
}
