package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

// pageArgs are a paged field's arguments (first/after forward, last/before backward)
// for app, which checks them.
func pageArgs(first *int, after *string, last *int, before *string) app.PageArgs {
	return app.PageArgs{First: first, After: deref(after), Last: last, Before: deref(before)}
}

// pageInfoOf is the PageInfo of a page whose items have these cursors, in order.
func pageInfoOf(hasPrevious, hasNext bool, cursors []string) *graph.PageInfo {
	if len(cursors) == 0 {
		return pageInfo(hasPrevious, hasNext, "", "")
	}
	return pageInfo(hasPrevious, hasNext, cursors[0], cursors[len(cursors)-1])
}

// pageInfo is a PageInfo; an empty page has no cursors ("").
func pageInfo(hasPrevious, hasNext bool, start, end string) *graph.PageInfo {
	return &graph.PageInfo{HasPreviousPage: hasPrevious, HasNextPage: hasNext, StartCursor: optional(start), EndCursor: optional(end)}
}

// pageCost is how many items a page may hold, for the query's complexity: the size
// asked for (first or last; def when neither), within 1..largest (a size past it is
// refused when the query runs).
func pageCost(first, last *int, def, largest int) int {
	size := def
	switch {
	case first != nil:
		size = *first
	case last != nil:
		size = *last
	}
	return min(max(size, 1), largest)
}
