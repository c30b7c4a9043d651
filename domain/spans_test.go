package domain

import (
	"reflect"
	"testing"
)

// With keeps each entry's first place, adds new ones last, and never changes the list
// it was called on (a fold's earlier states share it).
func TestSpansWith(t *testing.T) {
	var s Spans[Need]
	a := s.With(NeedShelter, BarrierSpan{IdentifiedAt: at(1)})
	b := a.With(NeedBankAccount, BarrierSpan{IdentifiedAt: at(2)})
	c := b.With(NeedShelter, BarrierSpan{IdentifiedAt: at(1), ResolvedAt: at(3)})
	if s != nil || len(a) != 1 || a[0] != (Spanned[Need]{NeedShelter, BarrierSpan{IdentifiedAt: at(1)}}) {
		t.Errorf("earlier lists changed: %v, %v", s, a)
	}
	want := Spans[Need]{{NeedShelter, BarrierSpan{IdentifiedAt: at(1), ResolvedAt: at(3)}}, {NeedBankAccount, BarrierSpan{IdentifiedAt: at(2)}}}
	if !reflect.DeepEqual(c, want) || b[0].ResolvedAt != (BarrierSpan{}).ResolvedAt {
		t.Errorf("got %v (before: %v), want %v", c, b, want)
	}
	if span, ok := c.Get(NeedBankAccount); !ok || span.IdentifiedAt != at(2) {
		t.Errorf("Get(bank account) = %v, %v", span, ok)
	}
	if span, ok := c.Get(NeedTransport); ok || span != (BarrierSpan{}) || c.Span(NeedTransport) != (BarrierSpan{}) {
		t.Errorf("Get(never recorded) = %v, %v", span, ok)
	}
}
