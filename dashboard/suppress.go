package dashboard

import (
	"cmp"
	"fmt"
	"slices"
)

// Small-cell suppression. A dashboard table is counts of cases in rows × columns
// with its row totals, column totals and grand total. Publishing a count from 1 to
// k−1 could point at a person ("the one survivor referred by this shelter in March
// who had no ID"), so such a count is withheld (primary suppression). Withholding it
// is not enough when the totals are published: a row total minus the row's other
// cells gives it back. So more cells are withheld (complementary suppression) until
// no withheld value follows from the published ones by any combination of the
// table's sums — rows, columns and totals together, not only one line at a time (a
// withheld cell joining two otherwise separate groups of withheld cells is given
// back by adding the groups' equations: see determined).

// DefaultMinCell is k, the smallest count published, unless configured; MinCellFloor
// is the least k may be set to.
const (
	DefaultMinCell = 5
	MinCellFloor   = 3
)

// CheckMinCell refuses a k below MinCellFloor.
func CheckMinCell(k int) error {
	if k < MinCellFloor {
		return fmt.Errorf("the smallest published count must be at least %d (got %d)", MinCellFloor, k)
	}
	return nil
}

// Table is a table of counts as computed: Cells[r][c] for row r, column c. Its
// totals are the sums of its cells: each row's, and, unless RowTotalsOnly, each
// column's and the grand total. A table whose rows are different figures (referrals,
// closures, … by month) has row totals only: a column's sum would add unlike things,
// and is neither published nor a sum an adversary can use.
type Table struct {
	Cells         [][]int
	RowTotalsOnly bool
}

// Count is one published number: its value, unless Suppressed (then Value is 0 and
// says nothing).
type Count struct {
	Value      int
	Suppressed bool
}

// Published is a table as it may be shown: every cell, row total, column total and
// the grand total, each published or suppressed (a table of row totals only has no
// column totals, and its Total is always suppressed: there is none).
type Published struct {
	Cells     [][]Count
	RowTotals []Count
	ColTotals []Count
	Total     Count
}

// Suppress returns t as it may be published with k the smallest count shown: every
// count from 1 to k−1 is suppressed, and then as many others as it takes for none of
// them to follow from what is published. Zeros are published: a zero names no one.
// The result depends only on t and k (ties are broken by position), so the same
// numbers always publish the same way.
func Suppress(t Table, k int) Published {
	g := newGrid(t)
	for i, v := range g.values {
		if v > 0 && v < k {
			g.suppressed[i] = true
		}
	}
	for {
		j := g.firstDetermined()
		if j < 0 {
			break
		}
		i := g.complement(j)
		if i < 0 {
			break // everything is suppressed already
		}
		g.suppressed[i] = true
	}
	return g.published()
}

// grid is a table with its margins as one list of entries: the cells row by row, then
// the row totals, the column totals and the grand total; and the sums that bind them,
// each a list of entries whose values add up to zero with the total's sign flipped.
type grid struct {
	rows, cols int
	rowsOnly   bool // no column totals, no grand total (Table.RowTotalsOnly)
	values     []int
	suppressed []bool
	lines      []line
}

// line is one sum of the table: parts add up to total.
type line struct {
	parts []int
	total int
}

func newGrid(t Table) *grid {
	rows := len(t.Cells)
	cols := 0
	if rows > 0 {
		cols = len(t.Cells[0])
	}
	g := &grid{rows: rows, cols: cols, rowsOnly: t.RowTotalsOnly}
	n := rows*cols + rows + cols + 1
	g.values = make([]int, n)
	g.suppressed = make([]bool, n)
	if g.rowsOnly {
		// The column totals and the grand total exist only as entries never
		// published: suppressed from the start, and in no sum.
		for c := range cols {
			g.suppressed[g.colTotal(c)] = true
		}
		g.suppressed[g.total()] = true
	}
	for r, row := range t.Cells {
		for c, v := range row {
			g.values[g.cell(r, c)] = v
			g.values[g.rowTotal(r)] += v
			g.values[g.colTotal(c)] += v
			g.values[g.total()] += v
		}
	}
	for r := range rows {
		l := line{total: g.rowTotal(r)}
		for c := range cols {
			l.parts = append(l.parts, g.cell(r, c))
		}
		g.lines = append(g.lines, l)
	}
	if g.rowsOnly {
		return g
	}
	for c := range cols {
		l := line{total: g.colTotal(c)}
		for r := range rows {
			l.parts = append(l.parts, g.cell(r, c))
		}
		g.lines = append(g.lines, l)
	}
	rowSums, colSums := line{total: g.total()}, line{total: g.total()}
	for r := range rows {
		rowSums.parts = append(rowSums.parts, g.rowTotal(r))
	}
	for c := range cols {
		colSums.parts = append(colSums.parts, g.colTotal(c))
	}
	g.lines = append(g.lines, rowSums, colSums)
	return g
}

func (g *grid) cell(r, c int) int   { return r*g.cols + c }
func (g *grid) rowTotal(r int) int  { return g.rows*g.cols + r }
func (g *grid) colTotal(c int) int  { return g.rows*g.cols + g.rows + c }
func (g *grid) total() int          { return g.rows*g.cols + g.rows + g.cols }
func (g *grid) isMargin(i int) bool { return i >= g.rows*g.cols }

// firstDetermined is the first suppressed entry whose value follows from the
// published ones, or −1 if none does.
func (g *grid) firstDetermined() int {
	unknowns := g.unknowns()
	if len(unknowns) == 0 {
		return -1
	}
	for _, j := range determined(g.system(unknowns)) {
		return unknowns[j]
	}
	return -1
}

// unknowns are the suppressed entries, in order.
func (g *grid) unknowns() []int {
	var out []int
	for i, s := range g.suppressed {
		if s {
			out = append(out, i)
		}
	}
	return out
}

// system is the table's sums restricted to the unknowns: one row per sum that has
// any, a coefficient per unknown (+1 a part, −1 the total). The published values
// only move to the right-hand side, which does not decide what is determined.
func (g *grid) system(unknowns []int) [][]int {
	col := make(map[int]int, len(unknowns))
	for j, i := range unknowns {
		col[i] = j
	}
	var rows [][]int
	for _, l := range g.lines {
		row := make([]int, len(unknowns))
		any := false
		for _, p := range l.parts {
			if j, ok := col[p]; ok {
				row[j], any = 1, true
			}
		}
		if j, ok := col[l.total]; ok {
			row[j], any = -1, true
		}
		if any {
			rows = append(rows, row)
		}
	}
	return rows
}

// complement chooses the entry to suppress so that determined entry j no longer is:
// in a sum that has j, the published entry of least value (cells before totals, then
// by position). A sum that has j has another published entry, or j would not be
// determined through it alone — but j may be determined through several sums, so any
// of them will do: each new suppression adds an unknown to the system, and the loop
// runs until no unknown is determined.
func (g *grid) complement(j int) int {
	best := -1
	better := func(i int) bool {
		if best < 0 {
			return true
		}
		if g.isMargin(i) != g.isMargin(best) {
			return !g.isMargin(i)
		}
		return cmp.Or(cmp.Compare(g.values[i], g.values[best]), cmp.Compare(i, best)) < 0
	}
	for _, l := range g.lines {
		members := append(slices.Clip(l.parts), l.total)
		if !slices.Contains(members, j) {
			continue
		}
		for _, i := range members {
			if !g.suppressed[i] && better(i) {
				best = i
			}
		}
	}
	if best < 0 {
		// Every entry of every sum with j is suppressed, yet j is determined: only
		// possible through sums elsewhere. Suppress the smallest published entry.
		for i := range g.values {
			if !g.suppressed[i] && better(i) {
				best = i
			}
		}
	}
	return best
}

func (g *grid) published() Published {
	at := func(i int) Count {
		if g.suppressed[i] {
			return Count{Suppressed: true}
		}
		return Count{Value: g.values[i]}
	}
	p := Published{Cells: make([][]Count, g.rows), RowTotals: make([]Count, g.rows), Total: at(g.total())}
	if !g.rowsOnly {
		p.ColTotals = make([]Count, g.cols)
	}
	for r := range g.rows {
		p.Cells[r] = make([]Count, g.cols)
		for c := range g.cols {
			p.Cells[r][c] = at(g.cell(r, c))
		}
		p.RowTotals[r] = at(g.rowTotal(r))
	}
	for c := range p.ColTotals {
		p.ColTotals[c] = at(g.colTotal(c))
	}
	return p
}
