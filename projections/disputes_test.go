package projections

import (
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/paging"
)

var dueT0 = time.Date(2026, 7, 2, 14, 0, 0, 0, time.UTC)

func dueDay(n int) time.Time { return dueT0.AddDate(0, 0, n) }

func caseWith(id, owner string, disputes ...domain.CreditDispute) *CaseView {
	v := &CaseView{ID: id, State: domain.Case{OwnerOrganisation: owner, Disputes: map[string]domain.CreditDispute{}}}
	for _, d := range disputes {
		v.State.Disputes[d.ID] = d
	}
	return v
}

func open(id, bureau string, due time.Time, pending int) domain.CreditDispute {
	return domain.CreditDispute{ID: id, Bureau: bureau, ItemCount: pending, Status: domain.DisputeFiled, FiledAt: dueT0, DueAt: due}
}

func ids(list []DueDispute) []string {
	var out []string
	for _, d := range list {
		out = append(out, d.CaseID+"/"+d.DisputeID)
	}
	return out
}

// The index holds open disputes only, by due date (no clock last), per bureau and per
// owner, and follows each case as it changes.
func TestDisputesIndex(t *testing.T) {
	x := NewDisputes()
	resolved := open("d3", "b1", dueDay(1), 1)
	resolved.Status = domain.DisputeResolved
	c1 := caseWith("c1", "shelter", open("d1", "b1", dueDay(5), 2), open("d2", "b1", dueDay(3), 1), resolved)
	c2 := caseWith("c2", "ngo", open("d1", "b1", time.Time{}, 1), open("d2", "b2", dueDay(4), 3))
	x.update(c1)
	x.update(c2)
	if got, want := ids(x.Due("b1", DueForBureau)), []string{"c1/d2", "c1/d1", "c2/d1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("b1's list %v, want %v", got, want)
	}
	if got, want := ids(x.Due("ngo", DueForOwner)), []string{"c2/d2", "c2/d1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ngo's list %v, want %v", got, want)
	}
	if got := x.Due("b1", DueForOwner); got != nil {
		t.Errorf("b1 owns nothing: %v", ids(got))
	}
	if d := x.Due("b2", DueForBureau)[0]; d.PendingItems != 3 || d.Owner != "ngo" || !d.DueAt.Equal(dueDay(4)) || d.Overdue(dueDay(4).Add(-1)) || !d.Overdue(dueDay(4)) {
		t.Errorf("b2's dispute %+v", d)
	}

	// c1's d2 is decided, the case moves to another owner: the lists follow.
	before := x.Due("b1", DueForBureau)
	moved := caseWith("c1", "ngo", open("d1", "b1", dueDay(5), 2))
	x.update(moved)
	if got, want := ids(x.Due("b1", DueForBureau)), []string{"c1/d1", "c2/d1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after the change b1's list %v, want %v", got, want)
	}
	if got := x.Due("shelter", DueForOwner); len(got) != 0 {
		t.Errorf("the former owner still lists %v", ids(got))
	}
	if got, want := ids(x.Due("ngo", DueForOwner)), []string{"c2/d2", "c1/d1", "c2/d1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ngo's list %v, want %v", got, want)
	}
	if got := ids(before); len(got) != 3 {
		t.Errorf("a list handed out changed: %v", got)
	}

	// Rebuilt from the views, the index is the same.
	y := NewDisputes()
	y.rebuild([]*CaseView{moved, c2})
	for _, k := range []dueListKey{{DueForBureau, "b1"}, {DueForBureau, "b2"}, {DueForOwner, "ngo"}, {DueForOwner, "shelter"}} {
		if a, b := x.Due(k.org, k.party), y.Due(k.org, k.party); !reflect.DeepEqual(ids(a), ids(b)) {
			t.Errorf("%+v: incremental %v, rebuilt %v", k, ids(a), ids(b))
		}
	}
}

func TestDuePage(t *testing.T) {
	x := NewDisputes()
	x.update(caseWith("c1", "s", open("d1", "b", dueDay(1), 1), open("d2", "b", dueDay(2), 1), open("d3", "b", dueDay(3), 1)))
	x.update(caseWith("c2", "s", open("d1", "b", dueDay(2), 1), open("d2", "b", time.Time{}, 1)))
	check := func(name string, f DueFilter, want []string, wantPrev, wantNext bool) {
		t.Helper()
		p := x.DuePage("b", DueForBureau, f)
		if got := ids(p.Disputes); !reflect.DeepEqual(got, want) || p.HasPrevious != wantPrev || p.HasNext != wantNext {
			t.Errorf("%s: %v (previous %v, next %v), want %v (previous %v, next %v)", name, got, p.HasPrevious, p.HasNext, want, wantPrev, wantNext)
		}
	}
	first := func(n int) paging.Window { return paging.Window{Size: n} }
	last := func(n int) paging.Window { return paging.Window{Size: n, Backward: true} }
	check("first two", DueFilter{Window: first(2)}, []string{"c1/d1", "c1/d2"}, false, true)
	second := DueCursor{DueAt: dueDay(2), CaseID: "c1", DisputeID: "d2"}
	check("after the second: ties on the due date by case", DueFilter{Window: first(2), Cursor: &second}, []string{"c2/d1", "c1/d3"}, true, true)
	fourth := DueCursor{DueAt: dueDay(3), CaseID: "c1", DisputeID: "d3"}
	check("the one without a clock comes last", DueFilter{Window: first(2), Cursor: &fourth}, []string{"c2/d2"}, true, false)
	check("overdue at day 2: due on day 1 and on day 2", DueFilter{Window: first(10), OverdueOnly: true, Now: dueDay(2)},
		[]string{"c1/d1", "c1/d2", "c2/d1"}, false, false)
	check("due before day 3", DueFilter{Window: first(10), DueBefore: dueDay(3)}, []string{"c1/d1", "c1/d2", "c2/d1"}, false, false)
	check("a caller seeing only c2", DueFilter{Window: first(10), Keep: func(d DueDispute) bool { return d.CaseID == "c2" }},
		[]string{"c2/d1", "c2/d2"}, false, false)
	check("exactly a page: no next one", DueFilter{Window: first(5)}, []string{"c1/d1", "c1/d2", "c2/d1", "c1/d3", "c2/d2"}, false, false)

	// Backward, with the same cursors.
	check("the last two", DueFilter{Window: last(2)}, []string{"c1/d3", "c2/d2"}, true, false)
	check("two before the fourth", DueFilter{Window: last(2), Cursor: &fourth}, []string{"c1/d2", "c2/d1"}, true, true)
	check("before the second: the first alone", DueFilter{Window: last(2), Cursor: &second}, []string{"c1/d1"}, false, true)
	check("more than there are", DueFilter{Window: last(10)}, []string{"c1/d1", "c1/d2", "c2/d1", "c1/d3", "c2/d2"}, false, false)
	check("the last overdue at day 2", DueFilter{Window: last(1), OverdueOnly: true, Now: dueDay(2)}, []string{"c2/d1"}, true, false)
	check("backward, a caller seeing only c2", DueFilter{Window: last(1), Cursor: &fourth, Keep: func(d DueDispute) bool { return d.CaseID == "c2" }},
		[]string{"c2/d1"}, false, true)
}
