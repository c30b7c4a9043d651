package dashboard

import "testing"

func TestQuantile(t *testing.T) {
	days := []float64{9, 1, 4, 16, 2, 30, 7, 3, 12, 5}
	for _, tc := range []struct {
		values []float64
		q      float64
		k      int
		want   float64
		ok     bool
	}{
		{days, 0.5, 5, 5, true},      // sorted 1 2 3 4 5 7 9 12 16 30: rank 5
		{days, 0.9, 5, 16, true},     // rank 9
		{days, 1, 5, 30, true},       // the largest
		{days, 0.01, 5, 1, true},     // the smallest
		{days[:4], 0.5, 5, 0, false}, // four waits: suppressed
		{days[:5], 0.5, 5, 4, true},  // 9 1 4 16 2 sorted 1 2 4 9 16: rank 3
		{nil, 0.5, 3, 0, false},
		{days, 0, 5, 0, false},
		{days, 1.5, 5, 0, false},
	} {
		got, ok := Quantile(tc.values, tc.q, tc.k)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Quantile(%v, %v, k=%d) = %v, %v; want %v, %v", tc.values, tc.q, tc.k, got, ok, tc.want, tc.ok)
		}
	}
	if days[0] != 9 {
		t.Errorf("Quantile sorted its input: %v", days)
	}
}
