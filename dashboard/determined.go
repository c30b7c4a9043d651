package dashboard

// determined returns the unknowns of the linear system a (one row per equation, one
// column per unknown; the right-hand side does not matter) whose value the system
// fixes: those whose unit vector lies in the span of a's rows. From a's reduced row
// echelon form: an unknown is fixed when its column has a pivot and the pivot's row
// has nothing else (no free unknown beside it).
//
// The arithmetic is modulo a prime, exactly. That gives the rational answer because a
// table's sums form a totally unimodular matrix — every unknown is in at most two
// sums, and the sums split into two groups (the rows and the sum of the row totals;
// the columns and the sum of the column totals) so that two entries of one sign are
// in different groups and two of opposite signs in the same one, as the
// Heller–Tompkins test asks — so every minor is −1, 0 or 1, non-zero modulo any prime
// when it is non-zero at all. Keeping some columns, or adding a unit row, keeps it so. TestDeterminedAgreesWithRationalRank checks it against exact
// rational arithmetic.
func determined(a [][]int) []int {
	if len(a) == 0 {
		return nil
	}
	n := len(a[0])
	m := make([][]int64, len(a))
	for i, row := range a {
		m[i] = make([]int64, n)
		for j, v := range row {
			m[i][j] = mod(int64(v))
		}
	}
	pivotRow := make([]int, n) // the row of each column's pivot, or −1
	for j := range pivotRow {
		pivotRow[j] = -1
	}
	r := 0
	for c := 0; c < n && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if m[i][c] != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		inv := inverse(m[r][c])
		for j := c; j < n; j++ {
			m[r][j] = m[r][j] * inv % prime
		}
		for i := range m {
			if i == r || m[i][c] == 0 {
				continue
			}
			f := m[i][c]
			for j := c; j < n; j++ {
				m[i][j] = mod(m[i][j] - f*m[r][j]%prime)
			}
		}
		pivotRow[c] = r
		r++
	}
	var out []int
	for c, row := range pivotRow {
		if row < 0 {
			continue
		}
		alone := true
		for j := range n {
			if j != c && m[row][j] != 0 {
				alone = false
				break
			}
		}
		if alone {
			out = append(out, c)
		}
	}
	return out
}

// prime is 2³¹−1: products of two residues fit in an int64.
const prime = 1<<31 - 1

func mod(v int64) int64 {
	v %= prime
	if v < 0 {
		v += prime
	}
	return v
}

// inverse is v⁻¹ modulo prime (v non-zero), by Fermat: v^(p−2).
func inverse(v int64) int64 {
	result, base, e := int64(1), v, int64(prime-2)
	for e > 0 {
		if e&1 == 1 {
			result = result * base % prime
		}
		base = base * base % prime
		e >>= 1
	}
	return result
}
