package app

import (
	"context"
	"time"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// BarrierSpan is when a barrier was identified and, if so, resolved (the latest
// time, if it came back).
type BarrierSpan struct {
	Barrier      domain.Barrier
	IdentifiedAt time.Time
	ResolvedAt   time.Time // zero while active
}

// BarrierHistory lists every barrier ever identified, in the domain's order of
// barriers (summary group).
func (c *Case) BarrierHistory(ctx context.Context) ([]BarrierSpan, error) {
	if err := c.authorize(ctx, access.GroupSummary); err != nil {
		return nil, err
	}
	out := []BarrierSpan{}
	for _, b := range domain.AllBarrier() {
		if span, ok := c.v.State.BarrierHistory.Get(b); ok {
			out = append(out, BarrierSpan{Barrier: b, IdentifiedAt: span.IdentifiedAt, ResolvedAt: span.ResolvedAt})
		}
	}
	return out, nil
}

// NeedSpan is when a need was identified and, if so, met.
type NeedSpan struct {
	Need         domain.Need
	IdentifiedAt time.Time
	MetAt        time.Time // zero while open
}

// NeedHistory lists every need ever identified, in the domain's order of needs
// (summary group).
func (c *Case) NeedHistory(ctx context.Context) ([]NeedSpan, error) {
	if err := c.authorize(ctx, access.GroupSummary); err != nil {
		return nil, err
	}
	out := []NeedSpan{}
	for _, n := range domain.AllNeed() {
		if span, ok := c.v.State.NeedHistory.Get(n); ok {
			out = append(out, NeedSpan{Need: n, IdentifiedAt: span.IdentifiedAt, MetAt: span.ResolvedAt})
		}
	}
	return out, nil
}
