package sealing

import (
	"bytes"
	"testing"
)

// BenchmarkOpen opens a blind index's worth of sealed data with the case key cached:
// what a start from a snapshot and every personal read pay per sealed object.
func BenchmarkOpen(b *testing.B) {
	v := newVault(b, NewMemKeyStore(), newRing(b, "k1"))
	const caseID = "0193a0b4-1c2d-7e3f-8a9b-0c1d2e3f4a5b"
	if err := v.EnsureCaseKey(b.Context(), caseID); err != nil {
		b.Fatal(err)
	}
	sealed, err := v.Seal(b.Context(), caseID, "e1", 1, bytes.Repeat([]byte("x"), 120))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := v.Open(b.Context(), caseID, "e1", 1, sealed); err != nil {
			b.Fatal(err)
		}
	}
}
