package accesslog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrNoRange is a sink that cannot list entries across cases.
var ErrNoRange = errors.New("this access log cannot list entries across cases")

// RangeSink is a Sink that can also list every case's entries recorded in a period
// (the break-glass report). It is optional: the Log refuses the report without it.
type RangeSink interface {
	// Between returns every entry with from <= At < to, in any order.
	Between(ctx context.Context, from, to time.Time) ([]Entry, error)
}

// Between returns every entry recorded from from (inclusive) to to (exclusive), of
// every case, oldest first.
func (l *Log) Between(ctx context.Context, from, to time.Time) ([]Entry, error) {
	r, ok := l.sink.(RangeSink)
	if !ok {
		return nil, ErrNoRange
	}
	out, err := r.Between(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("access log between %s and %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return a.At.Compare(b.At) })
	return out, nil
}
