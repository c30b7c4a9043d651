package paging_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/waymark-org/waymark/internal/paging"
)

func TestSelect(t *testing.T) {
	odd := func(i int) bool { return i%2 == 1 }
	for _, tc := range []struct {
		name       string
		n          int
		w          paging.Window
		from       int
		keep       func(int) bool
		want       []int
		prev, next bool
	}{
		{"first page", 5, paging.Window{Size: 2}, 0, nil, []int{0, 1}, false, true},
		{"after 1", 5, paging.Window{Size: 2}, 2, nil, []int{2, 3}, true, true},
		{"last page forward, exact", 4, paging.Window{Size: 2}, 2, nil, []int{2, 3}, true, false},
		{"forward past the end", 3, paging.Window{Size: 2}, 3, nil, nil, true, false},
		{"forward, size 0", 3, paging.Window{Size: 0}, 1, nil, nil, true, true},
		{"last 2", 5, paging.Window{Size: 2, Backward: true}, 5, nil, []int{3, 4}, true, false},
		{"last 2 before 3", 5, paging.Window{Size: 2, Backward: true}, 3, nil, []int{1, 2}, true, true},
		{"last 2 before 2, exact", 5, paging.Window{Size: 2, Backward: true}, 2, nil, []int{0, 1}, false, true},
		{"last larger than the list", 3, paging.Window{Size: 10, Backward: true}, 3, nil, []int{0, 1, 2}, false, false},
		{"backward, nothing before", 3, paging.Window{Size: 2, Backward: true}, 0, nil, nil, false, true},
		{"empty list", 0, paging.Window{Size: 2}, 0, nil, nil, false, false},
		{"empty list backward", 0, paging.Window{Size: 2, Backward: true}, 0, nil, nil, false, false},
		{"kept only, forward", 8, paging.Window{Size: 2}, 2, odd, []int{3, 5}, true, true},
		{"kept only, backward", 8, paging.Window{Size: 2, Backward: true}, 7, odd, []int{3, 5}, true, true},
		{"kept only, none beyond", 6, paging.Window{Size: 2, Backward: true}, 4, odd, []int{1, 3}, false, true},
	} {
		p := paging.Select(tc.n, tc.w, tc.from, tc.keep)
		if !slices.Equal(p.Indexes, tc.want) || p.HasPrevious != tc.prev || p.HasNext != tc.next {
			t.Errorf("%s: %v prev %v next %v; want %v prev %v next %v", tc.name, p.Indexes, p.HasPrevious, p.HasNext, tc.want, tc.prev, tc.next)
		}
	}
}

// Walking a list backward page by page gives it forward order reversed, page for
// page, whatever the page size and however many items are dropped.
func TestSelectBothWays(t *testing.T) {
	for n := range 9 {
		for size := 1; size <= 4; size++ {
			keep := func(i int) bool { return i%3 != 1 }
			var forward, backward []int
			for from := 0; ; {
				p := paging.Select(n, paging.Window{Size: size}, from, keep)
				forward = append(forward, p.Indexes...)
				if !p.HasNext {
					break
				}
				from = p.Indexes[len(p.Indexes)-1] + 1
			}
			for from := n; ; {
				p := paging.Select(n, paging.Window{Size: size, Backward: true}, from, keep)
				backward = append(slices.Clone(p.Indexes), backward...)
				if !p.HasPrevious {
					break
				}
				from = p.Indexes[0]
			}
			if !slices.Equal(forward, backward) {
				t.Errorf("n %d size %d: forward %v, backward %v", n, size, forward, backward)
			}
			if want := fmt.Sprint(keptOf(n, keep)); fmt.Sprint(forward) != want {
				t.Errorf("n %d size %d: forward %v, want %s", n, size, forward, want)
			}
		}
	}
}

func keptOf(n int, keep func(int) bool) []int {
	var out []int
	for i := range n {
		if keep(i) {
			out = append(out, i)
		}
	}
	return out
}
