package domain

// Spans is the latest span of every need or barrier ever recorded on a case, in the
// order each was first recorded. A case records a handful, so a short list: smaller
// to hold and cheaper to copy at every change than a map (whose smallest table holds
// eight). Like the rest of Case it is never changed in place: With returns a new one.
type Spans[T comparable] []Spanned[T]

// Spanned is one need's or barrier's latest span.
type Spanned[T comparable] struct {
	Of T
	BarrierSpan
}

// Get returns x's span, and whether x was ever recorded.
func (s Spans[T]) Get(x T) (BarrierSpan, bool) {
	for _, e := range s {
		if e.Of == x {
			return e.BarrierSpan, true
		}
	}
	return BarrierSpan{}, false
}

// Span is x's span: the zero span if x was never recorded.
func (s Spans[T]) Span(x T) BarrierSpan {
	span, _ := s.Get(x)
	return span
}

// With returns a copy of s with x's span set to span (x keeps its place, or comes
// last if new), leaving s untouched.
func (s Spans[T]) With(x T, span BarrierSpan) Spans[T] {
	out := make(Spans[T], len(s), len(s)+1)
	copy(out, s)
	for i := range out {
		if out[i].Of == x {
			out[i].BarrierSpan = span
			return out
		}
	}
	return append(out, Spanned[T]{Of: x, BarrierSpan: span})
}
