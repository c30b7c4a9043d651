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
// back by adding the groups' equations: see determined), and until no small count is
// pinned by what counts cannot be: negative (bounds).

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
// says nothing). A Provisional count is of a period still open: a lower bound that
// moves only in steps of k (Publish).
type Count struct {
	Value       int
	Suppressed  bool
	Provisional bool
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
//
// Two attacks are checked after every suppression, and more counts are suppressed
// while either succeeds (the cheapest rectangle of counts around the exposed one:
// rectangle; or, when every rectangle is suppressed already, the best single count:
// complement):
//   - exact: a suppressed value follows from the published ones by some combination
//     of the table's sums (firstDetermined);
//   - by bounds: counts are never negative, so a sum whose other members are known
//     bounds each suppressed member; bounds carried from sum to sum until nothing
//     changes must leave every small count (1 to k−1) able to be 0 and able to be k
//     or more (firstNarrow), or the table says "one person, here".
//
// Suppress refuses a k below MinCellFloor, a negative count and rows of different
// lengths.
func Suppress(t Table, k int) (Published, error) {
	if err := CheckMinCell(k); err != nil {
		return Published{}, err
	}
	for r, row := range t.Cells {
		if len(row) != len(t.Cells[0]) {
			return Published{}, fmt.Errorf("row %d has %d columns, row 0 has %d", r, len(row), len(t.Cells[0]))
		}
		for c, v := range row {
			if v < 0 {
				return Published{}, fmt.Errorf("cell %d,%d is negative (%d)", r, c, v)
			}
		}
	}
	g := newGrid(t)
	for i, v := range g.values {
		if v > 0 && v < k {
			g.suppressed[i] = true
			g.primary = append(g.primary, i)
		}
	}
	for {
		j := g.firstDetermined()
		if j < 0 {
			j = g.firstNarrow(k)
		}
		if j < 0 {
			break
		}
		if corners := g.rectangle(j); len(corners) > 0 {
			for _, i := range corners {
				g.suppressed[i] = true
			}
			continue
		}
		i := g.complement(j, k)
		if i < 0 {
			// Nothing left to suppress: with nothing published no sum bounds or gives
			// back anything, so this cannot be reached; refuse rather than publish.
			return Published{}, fmt.Errorf("no suppression protects entry %d", j)
		}
		g.suppressed[i] = true
	}
	return g.published(), nil
}

// grid is a table with its margins as one list of entries: the cells row by row, then
// the row totals, the column totals and the grand total; and the sums that bind them,
// each a list of entries whose values add up to zero with the total's sign flipped.
type grid struct {
	primary    []int // the entries suppressed for being small
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

// rectangle chooses, for exposed entry j, three entries that make a rectangle with it
// in the table extended by its margins (the row totals a last column, the column
// totals a last row, the grand total their corner): (r,c) is j, and the others are
// (r,c'), (r',c) and (r',c'). Each row and column of the extended table sums to zero
// once a margin's sign is flipped, so the four corners of a rectangle can all move
// together — up at two, down at the other two — and nothing published pins them: no
// sum gives one back, and the bounds on j widen by what the corners going down hold.
// The rectangle chosen adds the fewest zeros (a zero cannot go down), then the least
// total, then the fewest entries, then the first by position; corners suppressed
// already cost nothing. It returns the corners to suppress, none if every rectangle
// is suppressed already.
func (g *grid) rectangle(j int) []int {
	r, c := g.coords(j)
	var best []int
	var bestCost [4]int
	for r2 := 0; r2 <= g.rows; r2++ {
		for c2 := 0; c2 <= g.cols; c2++ {
			if r2 == r || c2 == c {
				continue
			}
			var add []int
			var cost [4]int
			for _, i := range []int{g.at(r, c2), g.at(r2, c), g.at(r2, c2)} {
				if g.suppressed[i] {
					continue
				}
				add = append(add, i)
				if g.values[i] == 0 {
					cost[0]++
				}
				cost[1] += g.values[i]
			}
			if len(add) == 0 {
				continue
			}
			cost[2] = len(add)
			cost[3] = add[0]
			if best == nil || slices.Compare(cost[:], bestCost[:]) < 0 {
				best, bestCost = add, cost
			}
		}
	}
	return best
}

// coords is entry i's row and column in the table extended by its margins; at is the
// entry at them.
func (g *grid) coords(i int) (r, c int) {
	n := g.rows * g.cols
	switch {
	case i < n:
		return i / g.cols, i % g.cols
	case i < n+g.rows:
		return i - n, g.cols
	case i < n+g.rows+g.cols:
		return g.rows, i - n - g.rows
	}
	return g.rows, g.cols
}

func (g *grid) at(r, c int) int {
	switch {
	case r < g.rows && c < g.cols:
		return g.cell(r, c)
	case r < g.rows:
		return g.rowTotal(r)
	case c < g.cols:
		return g.colTotal(c)
	}
	return g.total()
}

// complement chooses the entry to suppress so that entry j is no longer given back
// (or, for a small count, pinned by bounds: k). The candidates are the published
// entries of the sums that have j, in order of preference: not zero before zero (a
// suppressed zero protects nothing when the sums say it is zero), then the least
// value, cells before totals, then by position. The first candidate whose suppression
// frees j is taken; if none does alone, the first candidate (the loop then comes back
// for j). With no candidate left in j's sums, any published entry, in the same order;
// −1 when everything is suppressed.
func (g *grid) complement(j, k int) int {
	var candidates []int
	for _, l := range g.lines {
		members := append(slices.Clip(l.parts), l.total)
		if !slices.Contains(members, j) {
			continue
		}
		for _, i := range members {
			if !g.suppressed[i] && !slices.Contains(candidates, i) {
				candidates = append(candidates, i)
			}
		}
	}
	if len(candidates) == 0 {
		for i := range g.values {
			if !g.suppressed[i] {
				candidates = append(candidates, i)
			}
		}
	}
	if len(candidates) == 0 {
		return -1
	}
	slices.SortFunc(candidates, func(a, b int) int {
		za, zb := g.values[a] == 0, g.values[b] == 0
		if za != zb {
			if za {
				return 1
			}
			return -1
		}
		if g.isMargin(a) != g.isMargin(b) {
			if g.isMargin(a) {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(g.values[a], g.values[b]), cmp.Compare(a, b))
	})
	for _, i := range candidates {
		g.suppressed[i] = true
		freed := !g.exposed(j, k)
		g.suppressed[i] = false
		if freed {
			return i
		}
	}
	return candidates[0]
}

// exposed says whether suppressed entry j is given back by the sums, or, if it was
// suppressed for being small, pinned by bounds away from 0 or below k.
func (g *grid) exposed(j, k int) bool {
	unknowns := g.unknowns()
	col := slices.Index(unknowns, j)
	for _, d := range determined(g.system(unknowns)) {
		if d == col {
			return true
		}
	}
	if !slices.Contains(g.primary, j) {
		return false
	}
	lo, hi := g.bounds()
	return lo[j] > 0 || hi[j] < int64(k)
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
