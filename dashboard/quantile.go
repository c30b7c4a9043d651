package dashboard

import (
	"math"
	"slices"
)

// Quantile is the q-quantile (0 < q ≤ 1: 0.5 the median, 0.9 the 90th percentile) of
// values by nearest rank, and whether it may be published: a quantile of fewer than k
// values is suppressed (with three waits, the median is one survivor's wait).
func Quantile(values []float64, q float64, k int) (float64, bool) {
	if len(values) < k || len(values) == 0 || q <= 0 || q > 1 {
		return 0, false
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))], true
}
