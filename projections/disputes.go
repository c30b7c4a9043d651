package projections

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/waymark-org/waymark/internal/paging"
)

// DueDispute is one open credit dispute (an item, or the whole of an item-less
// dispute, still waits for the bureau) as the due-date lists show it: ids, dates and
// a count, nothing personal.
type DueDispute struct {
	CaseID       string
	DisputeID    string
	Bureau       string // the bureau it is addressed to
	Owner        string // the case's owning organisation
	FiledAt      time.Time
	DueAt        time.Time // zero: no statutory clock
	PendingItems int
}

// Overdue reports whether the dispute's due date has passed at now (it is open, or it
// would not be listed).
func (d DueDispute) Overdue(now time.Time) bool { return !d.DueAt.IsZero() && !now.Before(d.DueAt) }

// DueCursor is where a due-date list stopped: the last dispute shown.
type DueCursor struct {
	DueAt     time.Time
	CaseID    string
	DisputeID string
}

// Cursor is d's place in the lists.
func (d DueDispute) Cursor() DueCursor {
	return DueCursor{DueAt: d.DueAt, CaseID: d.CaseID, DisputeID: d.DisputeID}
}

// DueParty is whose list a dispute is in: the bureau's it is addressed to, and the
// owning organisation's.
type DueParty int

const (
	DueForBureau DueParty = iota
	DueForOwner
)

// Disputes indexes the open credit disputes of every case by bureau and by owner,
// each list ordered by due date (oldest first; no statutory clock last), so that a
// bureau's or a caseworker's list costs its own disputes, never every case. Cases
// keeps it up to date as it applies events, and rebuilds it from the case views when
// a snapshot is loaded: it is derived, never snapshotted itself.
type Disputes struct {
	mu     sync.Mutex
	byCase map[string][]DueDispute // what each case put in the lists, to take out
	lists  map[dueListKey]*dueList
}

type dueListKey struct {
	party DueParty
	org   string
}

// dueList is one organisation's open disputes. A change marks it unsorted; the next
// read sorts a new slice (readers may keep the old one: it is never changed again).
type dueList struct {
	entries map[DueCursor]DueDispute // by dispute (DueAt as last indexed)
	sorted  []DueDispute
	dirty   bool
}

// NewDisputes returns an empty index.
func NewDisputes() *Disputes {
	return &Disputes{byCase: map[string][]DueDispute{}, lists: map[dueListKey]*dueList{}}
}

// openDisputes lists the open disputes of a case, in dispute id order.
func openDisputes(v *CaseView) []DueDispute {
	var out []DueDispute
	for _, d := range v.State.Disputes {
		if n := d.PendingItems(); n > 0 {
			out = append(out, DueDispute{CaseID: v.ID, DisputeID: d.ID, Bureau: d.Bureau, Owner: v.State.OwnerOrganisation,
				FiledAt: d.FiledAt, DueAt: d.DueAt, PendingItems: n})
		}
	}
	slices.SortFunc(out, func(a, b DueDispute) int { return cmp.Compare(a.DisputeID, b.DisputeID) })
	return out
}

// update replaces what case v had in the lists. An event that changes none of its
// open disputes (most of them) touches no list.
func (x *Disputes) update(v *CaseView) {
	now := openDisputes(v)
	x.mu.Lock()
	defer x.mu.Unlock()
	before := x.byCase[v.ID]
	if slices.Equal(before, now) {
		return
	}
	for _, d := range before {
		x.list(DueForBureau, d.Bureau).remove(d)
		x.list(DueForOwner, d.Owner).remove(d)
	}
	for _, d := range now {
		x.list(DueForBureau, d.Bureau).add(d)
		x.list(DueForOwner, d.Owner).add(d)
	}
	if len(now) == 0 {
		delete(x.byCase, v.ID)
	} else {
		x.byCase[v.ID] = now
	}
}

// rebuild indexes views from scratch (after a snapshot load).
func (x *Disputes) rebuild(views []*CaseView) {
	x.mu.Lock()
	x.byCase, x.lists = map[string][]DueDispute{}, map[dueListKey]*dueList{}
	x.mu.Unlock()
	for _, v := range views {
		x.update(v)
	}
}

func (x *Disputes) list(p DueParty, org string) *dueList {
	k := dueListKey{p, org}
	l, ok := x.lists[k]
	if !ok {
		l = &dueList{entries: map[DueCursor]DueDispute{}}
		x.lists[k] = l
	}
	return l
}

func (l *dueList) add(d DueDispute)    { l.entries[d.Cursor()], l.dirty = d, true }
func (l *dueList) remove(d DueDispute) { delete(l.entries, d.Cursor()); l.dirty = true }

// Due returns the open disputes in org's list as party, by due date, oldest first
// (those without a statutory clock last). The slice is shared: do not change it.
func (x *Disputes) Due(org string, party DueParty) []DueDispute {
	x.mu.Lock()
	defer x.mu.Unlock()
	l, ok := x.lists[dueListKey{party, org}]
	if !ok {
		return nil
	}
	if l.dirty {
		sorted := make([]DueDispute, 0, len(l.entries))
		for _, d := range l.entries {
			sorted = append(sorted, d)
		}
		slices.SortFunc(sorted, func(a, b DueDispute) int { return compareDue(a.Cursor(), b.Cursor()) })
		l.sorted, l.dirty = sorted, false
	}
	return l.sorted
}

// dueKey orders due dates with "no statutory clock" after every date.
func dueKey(t time.Time) int64 {
	if t.IsZero() {
		return math.MaxInt64
	}
	return t.UnixNano()
}

func compareDue(a, b DueCursor) int {
	return cmp.Or(cmp.Compare(dueKey(a.DueAt), dueKey(b.DueAt)), cmp.Compare(a.CaseID, b.CaseID), cmp.Compare(a.DisputeID, b.DisputeID))
}

// DueFilter selects a page of a due-date list.
type DueFilter struct {
	Window      paging.Window
	Cursor      *DueCursor // the after (or, backward, before) cursor; nil: none
	OverdueOnly bool       // only disputes overdue at Now
	DueBefore   time.Time  // zero: any; else only disputes due before it
	Now         time.Time
	// Keep, when set, drops the disputes the caller may not see (asked only of the
	// disputes the other filters keep, and only of those a page needs).
	Keep func(DueDispute) bool
}

// DuePage is a page of a due-date list.
type DuePage struct {
	Disputes []DueDispute
	// HasPrevious: a dispute the filter keeps comes before the page; HasNext: after it.
	HasPrevious, HasNext bool
}

// DuePage returns a page of org's list as party. The list is ordered by due date, so
// the date filters keep a prefix of it and the page is picked within that prefix.
func (x *Disputes) DuePage(org string, party DueParty, f DueFilter) DuePage {
	list := x.Due(org, party)
	list = list[:sort.Search(len(list), func(i int) bool {
		d := list[i]
		return f.OverdueOnly && !d.Overdue(f.Now) || !f.DueBefore.IsZero() && dueKey(d.DueAt) >= f.DueBefore.UnixNano()
	})]
	from := 0
	switch {
	case f.Cursor != nil && !f.Window.Backward:
		from = sort.Search(len(list), func(i int) bool { return compareDue(list[i].Cursor(), *f.Cursor) > 0 })
	case f.Cursor != nil:
		from = sort.Search(len(list), func(i int) bool { return compareDue(list[i].Cursor(), *f.Cursor) >= 0 })
	case f.Window.Backward:
		from = len(list)
	}
	var keep func(int) bool
	if f.Keep != nil {
		keep = func(i int) bool { return f.Keep(list[i]) }
	}
	p := paging.Select(len(list), f.Window, from, keep)
	out := DuePage{Disputes: make([]DueDispute, len(p.Indexes)), HasPrevious: p.HasPrevious, HasNext: p.HasNext}
	for k, i := range p.Indexes {
		out.Disputes[k] = list[i]
	}
	return out
}
