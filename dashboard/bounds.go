package dashboard

// unbounded stands for "no upper bound" in the bounds an adversary can put on a
// suppressed count (far above any count, far below overflow when a few are added).
const unbounded = int64(1) << 40

// bounds are the least and greatest value each entry can have given what is
// published, counts never being negative: published entries are what they show;
// suppressed ones start at [0, unbounded], and each sum narrows its suppressed members
// by what its other members allow, sum after sum, until nothing changes. This is the
// reasoning anyone can do with a pencil (it finds no bound a cleverer solver would
// miss only in tables where the exact check, determined, already suppressed more).
func (g *grid) bounds() (lo, hi []int64) {
	lo, hi = make([]int64, len(g.values)), make([]int64, len(g.values))
	for i, v := range g.values {
		if g.suppressed[i] {
			hi[i] = unbounded
		} else {
			lo[i], hi[i] = int64(v), int64(v)
		}
	}
	for range 4 * len(g.values) { // each pass narrows something, or it stops
		changed := false
		for _, l := range g.lines {
			// parts − total = 0: each member's coefficient is +1 (a part) or −1 (the total).
			members := append(append([]int(nil), l.parts...), l.total)
			sign := func(m int) int64 {
				if m == len(members)-1 {
					return -1
				}
				return 1
			}
			// The sum of sign·x over all members, as a range.
			var sumLo, sumHi int64
			for m, i := range members {
				if sign(m) > 0 {
					sumLo, sumHi = sumLo+lo[i], sumHi+hi[i]
				} else {
					sumLo, sumHi = sumLo-hi[i], sumHi-lo[i]
				}
			}
			for m, i := range members {
				if !g.suppressed[i] {
					continue
				}
				// The others' range: the whole range without this member.
				var oLo, oHi int64
				if sign(m) > 0 {
					oLo, oHi = sumLo-lo[i], sumHi-hi[i]
				} else {
					oLo, oHi = sumLo+hi[i], sumHi+lo[i]
				}
				// sign·x = −others: x ∈ sign·[−oHi, −oLo].
				newLo, newHi := -oHi, -oLo
				if sign(m) < 0 {
					newLo, newHi = oLo, oHi
				}
				if newHi < hi[i] && newHi < unbounded/2 {
					hi[i], changed = max(newHi, lo[i]), true
				}
				if newLo > lo[i] && newLo > -unbounded/2 {
					lo[i], changed = min(newLo, hi[i]), true
				}
			}
		}
		if !changed {
			break
		}
	}
	return lo, hi
}

// firstNarrow is the first small count (suppressed for being from 1 to k−1) that the
// published table bounds away from 0 or below k, or −1 if none is.
func (g *grid) firstNarrow(k int) int {
	lo, hi := g.bounds()
	for _, i := range g.primary {
		if lo[i] > 0 || hi[i] < int64(k) {
			return i
		}
	}
	return -1
}
