package dashboard

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"
)

// The adversary: everything published, and every sum of the table; whatever the
// published values pin down exactly, by any combination of sums, is disclosed. It is
// computed independently of Suppress's own check (rational ranks, not a modular
// echelon form): an entry is pinned down when adding its unit vector to the sums
// restricted to the suppressed entries does not raise their rank.
func disclosed(tab Table, p Published) []string {
	g := newGrid(tab)
	var unknowns []int
	names := map[int]string{}
	mark := func(i int, c Count, name string) {
		if c.Suppressed {
			unknowns = append(unknowns, i)
			names[i] = name
		}
	}
	for r := range g.rows {
		for c := range g.cols {
			mark(g.cell(r, c), p.Cells[r][c], fmt.Sprintf("cell %d,%d", r, c))
		}
	}
	for r := range g.rows {
		mark(g.rowTotal(r), p.RowTotals[r], fmt.Sprintf("row total %d", r))
	}
	for c := range p.ColTotals {
		mark(g.colTotal(c), p.ColTotals[c], fmt.Sprintf("column total %d", c))
	}
	if !tab.RowTotalsOnly {
		mark(g.total(), p.Total, "total")
	}
	// Suppress's grid lists entries in the same order; rebuild the system here from
	// the lines, not from Suppress's helpers.
	pos := map[int]int{}
	for j, i := range unknowns {
		pos[i] = j
	}
	var a [][]*big.Rat
	for _, l := range g.lines {
		row := make([]*big.Rat, len(unknowns))
		for j := range row {
			row[j] = new(big.Rat)
		}
		used := false
		for _, part := range l.parts {
			if j, ok := pos[part]; ok {
				row[j].SetInt64(1)
				used = true
			}
		}
		if j, ok := pos[l.total]; ok {
			row[j].SetInt64(-1)
			used = true
		}
		if used {
			a = append(a, row)
		}
	}
	base := rationalRank(a)
	var out []string
	for j, i := range unknowns {
		e := make([]*big.Rat, len(unknowns))
		for k := range e {
			e[k] = new(big.Rat)
		}
		e[j].SetInt64(1)
		if rationalRank(append(append([][]*big.Rat(nil), a...), e)) == base {
			out = append(out, names[i])
		}
	}
	return out
}

func rationalRank(a [][]*big.Rat) int {
	m := make([][]*big.Rat, len(a))
	for i, row := range a {
		m[i] = make([]*big.Rat, len(row))
		for j, v := range row {
			m[i][j] = new(big.Rat).Set(v)
		}
	}
	rank := 0
	for c := 0; len(m) > 0 && c < len(m[0]) && rank < len(m); c++ {
		p := -1
		for i := rank; i < len(m); i++ {
			if m[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[rank], m[p] = m[p], m[rank]
		for i := rank + 1; i < len(m); i++ {
			if m[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Quo(m[i][c], m[rank][c])
			for j := c; j < len(m[i]); j++ {
				m[i][j].Sub(m[i][j], new(big.Rat).Mul(f, m[rank][j]))
			}
		}
		rank++
	}
	return rank
}

// checkPublished: nothing from 1 to k−1 is shown, what is shown is true, and nothing
// suppressed can be worked out.
func checkPublished(t *testing.T, name string, tab Table, k int, p Published) {
	t.Helper()
	g := newGrid(tab)
	check := func(what string, c Count, truth int) {
		switch {
		case c.Suppressed && c.Value != 0:
			t.Errorf("%s: %s is suppressed but carries %d", name, what, c.Value)
		case !c.Suppressed && c.Value != truth:
			t.Errorf("%s: %s shows %d, the count is %d", name, what, c.Value, truth)
		case !c.Suppressed && c.Value > 0 && c.Value < k:
			t.Errorf("%s: %s shows %d, below k=%d", name, what, c.Value, k)
		}
	}
	for r := range g.rows {
		for c := range g.cols {
			check(fmt.Sprintf("cell %d,%d", r, c), p.Cells[r][c], g.values[g.cell(r, c)])
		}
		check(fmt.Sprintf("row total %d", r), p.RowTotals[r], g.values[g.rowTotal(r)])
	}
	if tab.RowTotalsOnly {
		if p.ColTotals != nil || !p.Total.Suppressed {
			t.Errorf("%s: a table of row totals only shows column totals %v or a total %+v", name, p.ColTotals, p.Total)
		}
	} else {
		for c := range g.cols {
			check(fmt.Sprintf("column total %d", c), p.ColTotals[c], g.values[g.colTotal(c)])
		}
		check("total", p.Total, g.values[g.total()])
	}
	if d := disclosed(tab, p); len(d) > 0 {
		t.Errorf("%s: the published table gives back %v\n%s", name, d, render(p))
	}
}

func render(p Published) string {
	s := ""
	show := func(c Count) string {
		if c.Suppressed {
			return "   *"
		}
		return fmt.Sprintf("%4d", c.Value)
	}
	for r, row := range p.Cells {
		for _, c := range row {
			s += show(c)
		}
		s += " |" + show(p.RowTotals[r]) + "\n"
	}
	for _, c := range p.ColTotals {
		s += show(c)
	}
	return s + " |" + show(p.Total) + "\n"
}

// Tables an adversary would pick: one small cell beside its row's total; a narrow
// month × organisation × barrier slice; two small cells in one row; a row of small
// cells; a total that is itself small; and a table where no row or column alone gives
// a suppressed cell back but their sums together do.
func TestSuppressAdversarialTables(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells [][]int
		want  []string // entries that must be suppressed (beside what the checks ask)
	}{
		{"total minus parts", [][]int{{3, 10, 12}}, []string{"cell 0,0"}},
		{"one organisation, one month, one barrier", [][]int{{1}}, []string{"cell 0,0", "total"}},
		{"narrow slice among large ones", [][]int{{40, 35, 2}, {51, 60, 48}, {33, 0, 29}}, []string{"cell 0,2"}},
		{"two small in a row", [][]int{{2, 3, 50}, {20, 30, 40}}, []string{"cell 0,0", "cell 0,1"}},
		{"a row of small cells", [][]int{{1, 1, 1, 1}, {9, 9, 9, 9}}, []string{"row total 0"}},
		{"a small total", [][]int{{1, 0}, {0, 2}}, []string{"total"}},
		// Found by TestSuppressRandomTables against a rule that only looked at one
		// row or column at a time (every one with a suppressed cell had two): at k=3
		// cell 2,1 still came back from the rows' and columns' sums together.
		{"given back only by combining sums", [][]int{{6, 59, 3, 5}, {1, 1, 37, 34}, {5, 1, 0, 2}, {0, 0, 43, 0}}, []string{"cell 1,0", "cell 2,1"}},
		{"zeros everywhere but one", [][]int{{0, 0, 0}, {0, 4, 0}, {0, 0, 0}}, []string{"cell 1,1", "total"}},
		{"nothing small", [][]int{{5, 6}, {7, 8}}, nil},
		{"empty", [][]int{}, nil},
	} {
		for _, k := range []int{3, 5, 10} {
			name := fmt.Sprintf("%s, k=%d", tc.name, k)
			tab := Table{Cells: tc.cells}
			p := mustSuppress(t, tab, k)
			checkPublished(t, name, tab, k, p)
			if k != 5 {
				continue
			}
			got := suppressedNames(p)
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("%s: %s is published\n%s", name, w, render(p))
				}
			}
		}
	}
	// Nothing small, nothing suppressed: a table with every count at least k is
	// published whole.
	if p := mustSuppress(t, Table{Cells: [][]int{{5, 6}, {7, 8}}}, 5); len(suppressedNames(p)) != 0 {
		t.Errorf("a table of large counts lost %v", suppressedNames(p))
	}
}

func mustSuppress(t *testing.T, tab Table, k int) Published {
	t.Helper()
	p, err := Suppress(tab, k)
	if err != nil {
		t.Fatalf("Suppress(%v, %d): %v", tab.Cells, k, err)
	}
	return p
}

// What cannot be a table of counts is refused, not published.
func TestSuppressRefusesBadTables(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells [][]int
		k     int
	}{
		{"ragged, shorter", [][]int{{1}, {7, 2}}, 5},
		{"ragged, longer", [][]int{{1, 2}, {7, 2, 3}}, 5},
		{"negative", [][]int{{6, -1}, {7, 9}}, 5},
		{"k below the floor", [][]int{{6, 1}}, 2},
	} {
		if _, err := Suppress(Table{Cells: tc.cells}, tc.k); err == nil {
			t.Errorf("%s: published", tc.name)
		}
	}
	for _, cells := range [][][]int{{}, {{}}, {{}, {}}} {
		if _, err := Suppress(Table{Cells: cells}, 5); err != nil {
			t.Errorf("%v: %v", cells, err)
		}
	}
}

func suppressedNames(p Published) map[string]bool {
	out := map[string]bool{}
	for r, row := range p.Cells {
		for c, x := range row {
			if x.Suppressed {
				out[fmt.Sprintf("cell %d,%d", r, c)] = true
			}
		}
		if p.RowTotals[r].Suppressed {
			out[fmt.Sprintf("row total %d", r)] = true
		}
	}
	for c, x := range p.ColTotals {
		if x.Suppressed {
			out[fmt.Sprintf("column total %d", c)] = true
		}
	}
	if p.Total.Suppressed {
		out["total"] = true
	}
	return out
}

// Random tables, mostly small counts (the dashboard's narrow cells): whatever comes
// out, nothing below k shows and nothing suppressed can be worked out.
func TestSuppressRandomTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		rows, cols := 1+rng.IntN(6), 1+rng.IntN(6)
		cells := make([][]int, rows)
		for r := range cells {
			cells[r] = make([]int, cols)
			for c := range cells[r] {
				switch rng.IntN(4) {
				case 0:
					cells[r][c] = 0
				case 1, 2:
					cells[r][c] = 1 + rng.IntN(6)
				default:
					cells[r][c] = rng.IntN(60)
				}
			}
		}
		k := []int{3, 5, 8}[i%3]
		tab := Table{Cells: cells}
		checkPublished(t, fmt.Sprintf("table %d %v", i, cells), tab, k, mustSuppress(t, tab, k))
		tab.RowTotalsOnly = true
		checkPublished(t, fmt.Sprintf("table %d %v, row totals only", i, cells), tab, k, mustSuppress(t, tab, k))
	}
}

// A table of figures by month publishes each figure's total over the months, and no
// column total: a row with one small month and its total still hides the month, with
// a second month suppressed beside it; rows are independent of each other.
func TestSuppressRowTotalsOnly(t *testing.T) {
	tab := Table{Cells: [][]int{{12, 2, 30}, {40, 41, 42}}, RowTotalsOnly: true}
	p := mustSuppress(t, tab, 5)
	checkPublished(t, "figures by month", tab, 5, p)
	got := suppressedNames(p)
	want := map[string]bool{"cell 0,1": true, "cell 0,0": true, "total": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("suppressed %v, want %v\n%s", got, want, render(p))
	}
}

// The modular echelon form Suppress relies on agrees with exact rational ranks on the
// systems of suppressed tables.
func TestDeterminedAgreesWithRationalRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		rows, cols := 1+rng.IntN(5), 1+rng.IntN(5)
		g := newGrid(Table{Cells: make2D(rows, cols)})
		for j := range g.suppressed {
			g.suppressed[j] = rng.IntN(3) == 0
		}
		unknowns := g.unknowns()
		if len(unknowns) == 0 {
			continue
		}
		sys := g.system(unknowns)
		got := map[int]bool{}
		for _, j := range determined(sys) {
			got[j] = true
		}
		a := make([][]*big.Rat, len(sys))
		for r, row := range sys {
			a[r] = make([]*big.Rat, len(row))
			for c, v := range row {
				a[r][c] = big.NewRat(int64(v), 1)
			}
		}
		base := rationalRank(a)
		for j := range unknowns {
			e := make([]*big.Rat, len(unknowns))
			for k := range e {
				e[k] = new(big.Rat)
			}
			e[j].SetInt64(1)
			want := rationalRank(append(append([][]*big.Rat(nil), a...), e)) == base
			if got[j] != want {
				t.Fatalf("system %d (%d×%d, suppressed %v): unknown %d determined: %v, rationally %v", i, rows, cols, unknowns, j, got[j], want)
			}
		}
	}
}

func make2D(rows, cols int) [][]int {
	out := make([][]int, rows)
	for r := range out {
		out[r] = make([]int, cols)
	}
	return out
}

func TestCheckMinCell(t *testing.T) {
	for k, ok := range map[int]bool{2: false, 0: false, -1: false, 3: true, 5: true, 50: true} {
		if err := CheckMinCell(k); (err == nil) != ok {
			t.Errorf("k=%d: %v", k, err)
		}
	}
}
