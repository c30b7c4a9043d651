package dashboard

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// pinned is an adversary that knows counts are never negative: it tries every
// completion of the suppressed cells by whole numbers that agrees with every
// published cell and total, and reports each small count (1 to k−1, suppressed for
// being small) that no completion puts at 0, or none at k or more. Brute force, so
// tiny tables only; independent of Suppress's own bounds.
func pinned(tab Table, k int, p Published) []string {
	rows := len(tab.Cells)
	if rows == 0 {
		return nil
	}
	cols := len(tab.Cells[0])
	type cell struct{ r, c int }
	var free []cell
	for r := range rows {
		for c := range cols {
			if p.Cells[r][c].Suppressed {
				free = append(free, cell{r, c})
			}
		}
	}
	total := 0
	for _, row := range tab.Cells {
		for _, v := range row {
			total += v
		}
	}
	// A cell is at most any published total it is part of; else at most a generous cap.
	limit := func(x cell) int {
		m := total + k
		if !p.RowTotals[x.r].Suppressed {
			m = min(m, p.RowTotals[x.r].Value)
		}
		if p.ColTotals != nil && !p.ColTotals[x.c].Suppressed {
			m = min(m, p.ColTotals[x.c].Value)
		}
		if !tab.RowTotalsOnly && !p.Total.Suppressed {
			m = min(m, p.Total.Value)
		}
		return m
	}
	vals := make([][]int, rows)
	for r := range rows {
		vals[r] = make([]int, cols)
		for c := range cols {
			vals[r][c] = p.Cells[r][c].Value
		}
	}
	canZero, canLarge := map[cell]bool{}, map[cell]bool{}
	consistent := func() bool {
		sum := 0
		colSums := make([]int, cols)
		for r := range rows {
			rowSum := 0
			for c := range cols {
				rowSum += vals[r][c]
				colSums[c] += vals[r][c]
			}
			sum += rowSum
			if !p.RowTotals[r].Suppressed && rowSum != p.RowTotals[r].Value {
				return false
			}
		}
		if tab.RowTotalsOnly {
			return true
		}
		for c := range cols {
			if !p.ColTotals[c].Suppressed && colSums[c] != p.ColTotals[c].Value {
				return false
			}
		}
		return p.Total.Suppressed || sum == p.Total.Value
	}
	// rowDone[i]: free[i] is its row's last free cell, so the row's published total
	// can be checked as soon as it is set.
	rowDone := make([]bool, len(free))
	for i, x := range free {
		rowDone[i] = i == len(free)-1 || free[i+1].r != x.r
	}
	rowOK := func(r int) bool {
		if p.RowTotals[r].Suppressed {
			return true
		}
		sum := 0
		for c := range cols {
			sum += vals[r][c]
		}
		return sum == p.RowTotals[r].Value
	}
	var walk func(i int)
	walk = func(i int) {
		if i == len(free) {
			if consistent() {
				for _, x := range free {
					if vals[x.r][x.c] == 0 {
						canZero[x] = true
					}
					if vals[x.r][x.c] >= k {
						canLarge[x] = true
					}
				}
			}
			return
		}
		x := free[i]
		if rowDone[i] && !p.RowTotals[x.r].Suppressed {
			// The row's last unknown is what its published total leaves.
			v := p.RowTotals[x.r].Value
			for c := range cols {
				if c != x.c {
					v -= vals[x.r][c]
				}
			}
			if v >= 0 {
				vals[x.r][x.c] = v
				walk(i + 1)
			}
			vals[x.r][x.c] = 0
			return
		}
		for v := 0; v <= limit(x); v++ {
			vals[x.r][x.c] = v
			if rowDone[i] && !rowOK(x.r) {
				continue
			}
			walk(i + 1)
		}
		vals[x.r][x.c] = 0
	}
	walk(0)
	var out []string
	for _, x := range free {
		if v := tab.Cells[x.r][x.c]; v > 0 && v < k && (!canZero[x] || !canLarge[x]) {
			out = append(out, fmt.Sprintf("cell %d,%d (%d)", x.r, x.c, v))
		}
	}
	return out
}

// The table a review found: with the smallest published count as the complement,
// two zeros were suppressed beside a 1, the zeros' column total said they were both
// 0, and the 1's row then gave it back. No small count may be pinned by what counts
// cannot be (negative), in it or in tiny random tables.
func TestSuppressWithstandsNonNegativity(t *testing.T) {
	review := Table{Cells: [][]int{{0, 5, 10}, {12, 7, 7}, {0, 1, 8}}}
	p := mustSuppress(t, review, 5)
	checkPublished(t, "the review's table", review, 5, p)
	if got := pinned(review, 5, p); len(got) > 0 {
		t.Errorf("the review's table pins %v\n%s", got, render(p))
	}

	rng := rand.New(rand.NewPCG(5, 6))
	tried := 0
	for i := 0; tried < 150 && i < 5000; i++ {
		rows, cols := 2, 2+rng.IntN(2)
		cells := make([][]int, rows)
		for r := range cells {
			cells[r] = make([]int, cols)
			for c := range cells[r] {
				cells[r][c] = []int{0, 0, 1, 2, 3, 5, 6}[rng.IntN(7)]
			}
		}
		for _, rowsOnly := range []bool{false, true} {
			tab := Table{Cells: cells, RowTotalsOnly: rowsOnly}
			k := []int{3, 5}[i%2]
			p := mustSuppress(t, tab, k)
			suppressed := 0
			for _, row := range p.Cells {
				for _, x := range row {
					if x.Suppressed {
						suppressed++
					}
				}
			}
			if suppressed > 3 {
				continue // beyond brute force
			}
			tried++
			if got := pinned(tab, k, p); len(got) > 0 {
				t.Errorf("table %v (k=%d, row totals only %v) pins %v\n%s", cells, k, rowsOnly, got, render(p))
			}
		}
	}
	if tried < 150 {
		t.Errorf("only %d tables small enough to try", tried)
	}
}
