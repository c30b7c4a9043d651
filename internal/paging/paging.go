// Package paging picks one page of an ordered list the way a GraphQL connection asks
// for it: the first n items after a cursor, or the last n before one, and whether
// items lie before and after the page. Every paged list in Waymark (cases, a case's
// history, its access log, the due disputes, the work queues) pages through Select, so
// the two directions agree everywhere.
package paging

// Window is a checked request for a page: its size, and its direction.
type Window struct {
	Size int
	// Backward: the last Size items before the cursor (last/before); otherwise the
	// first Size after it (first/after).
	Backward bool
}

// Page is where the page lies in the list.
type Page struct {
	// Indexes are the page's items, in list order (backward pages too).
	Indexes []int
	// HasPrevious: an item the caller may see lies before the page; HasNext: after it.
	HasPrevious, HasNext bool
}

// Select picks the page of a list of n items. from is where the cursor divides the
// list: paging forward, the index of the first item after the after-cursor (0 without
// one); backward, the index of the first item at or after the before-cursor (n without
// one). keep (nil: every item) drops the items the caller may not see; it is asked of
// the page's items and, beyond each end of the page, until one is kept, never of the
// whole list unless it must be.
func Select(n int, w Window, from int, keep func(i int) bool) Page {
	from = min(max(from, 0), n)
	kept := func(i int) bool { return keep == nil || keep(i) }
	someKept := func(i, stop, step int) bool {
		for ; i != stop; i += step {
			if kept(i) {
				return true
			}
		}
		return false
	}
	var p Page
	if !w.Backward {
		i := from
		for ; i < n && len(p.Indexes) < w.Size; i++ {
			if kept(i) {
				p.Indexes = append(p.Indexes, i)
			}
		}
		p.HasNext = someKept(i, n, 1)
		p.HasPrevious = someKept(from-1, -1, -1)
		return p
	}
	i := from - 1
	for ; i >= 0 && len(p.Indexes) < w.Size; i-- {
		if kept(i) {
			p.Indexes = append(p.Indexes, i)
		}
	}
	p.HasPrevious = someKept(i, -1, -1)
	p.HasNext = someKept(from, n, 1)
	for l, r := 0, len(p.Indexes)-1; l < r; l, r = l+1, r-1 {
		p.Indexes[l], p.Indexes[r] = p.Indexes[r], p.Indexes[l]
	}
	return p
}
