package projections

import (
	"context"
	"fmt"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/eventstore"
)

// decodeAheadBuffer is how many decoded events may wait for the applying goroutine.
const decodeAheadBuffer = 256

// decodedEvent is a record of the log with its event decoded, ready to apply.
type decodedEvent struct {
	env   Envelope
	folds bool  // of a stream the projections fold: a case, an organisation, a revocation
	err   error // the record's event did not decode
}

// decodeAhead decodes the records from events on a goroutine of its own, in order,
// and hands them on: decoding an event's JSON was two fifths of the applying
// goroutine's work in a rebuild, which the two goroutines now share between two
// cores. The channel closes once events does or ctx ends; wait returns once the
// goroutine has.
func decodeAhead(ctx context.Context, events <-chan eventstore.RecordedEvent) (decoded <-chan decodedEvent, wait func()) {
	out := make(chan decodedEvent, decodeAheadBuffer)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for rec := range events {
			select {
			case out <- decodeEvent(rec):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, func() { <-done }
}

// decodeEvent decodes rec's event if the projections fold its stream.
func decodeEvent(rec eventstore.RecordedEvent) decodedEvent {
	d := decodedEvent{env: Envelope{Record: rec}}
	switch kind, _, _ := eventstore.SplitStreamName(rec.Stream); kind {
	case eventstore.KindCase, eventstore.KindOrganisation, eventstore.KindRevocation:
		d.folds = true
		var err error
		if d.env.Event, d.env.Extras, err = codec.DecodeShared(rec); err != nil {
			d.err = fmt.Errorf("projections: %w", err)
		}
	}
	return d
}
