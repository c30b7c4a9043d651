package app

import (
	"fmt"

	"github.com/waymark-org/waymark/internal/paging"
)

// PageArgs are a paged list's arguments as the client gave them: First and After to
// page forward, or Last and Before to page backward, with the same cursors. Neither
// size given: the list's default, forward (backward when only Before is given).
type PageArgs struct {
	First, Last   *int
	After, Before string
}

// First pages forward: n items after the cursor after ("" for the start).
func First(n int, after string) PageArgs { return PageArgs{First: &n, After: after} }

// Last pages backward: n items before the cursor before ("" for the end).
func Last(n int, before string) PageArgs { return PageArgs{Last: &n, Before: before} }

// pageCursor is a checked page request's cursor: its text, and the argument it came
// in (after or before), which a cursor error names.
type pageCursor struct {
	text string
	arg  string
}

// window checks the arguments against a list's default and largest page size. A
// mixed or out-of-range request is ErrBadInput with a sentence saying how to ask.
func (a PageArgs) window(def, largest int) (paging.Window, pageCursor, error) {
	const how = "page forward with first and after, or backward with last and before"
	bad := func(format string, args ...any) (paging.Window, pageCursor, error) {
		return paging.Window{}, pageCursor{}, fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrBadInput)
	}
	switch {
	case a.First != nil && a.Last != nil:
		return bad("first and last cannot be used together: %s", how)
	case a.After != "" && a.Before != "":
		return bad("after and before cannot be used together: %s", how)
	case a.First != nil && a.Before != "":
		return bad("first cannot be used with before: %s", how)
	case a.Last != nil && a.After != "":
		return bad("last cannot be used with after: %s", how)
	case a.First != nil && (*a.First < 0 || *a.First > largest):
		return bad("first must be between 0 and %d", largest)
	case a.Last != nil && (*a.Last < 0 || *a.Last > largest):
		return bad("last must be between 0 and %d", largest)
	case a.Last != nil || a.Before != "":
		size := def
		if a.Last != nil {
			size = *a.Last
		}
		return paging.Window{Size: size, Backward: true}, pageCursor{text: a.Before, arg: "before"}, nil
	}
	size := def
	if a.First != nil {
		size = *a.First
	}
	return paging.Window{Size: size}, pageCursor{text: a.After, arg: "after"}, nil
}
