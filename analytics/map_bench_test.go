package analytics

import "testing"

// BenchmarkMap maps and marshals every case event of the fixtures, per message.
func BenchmarkMap(b *testing.B) {
	var events []fixtureEvent
	for _, fe := range loadFixture(b) {
		if fe.after.Jurisdiction != "" {
			events = append(events, fe)
		}
	}
	p, err := NewPseudonymizer(testKey)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		fe := events[i%len(events)]
		ce, ok := Map(fe.rec, fe.event, fe.after, p)
		if !ok {
			b.Fatalf("%s not mapped", fe.rec.Type)
		}
		if _, err := ce.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}
