package analyticsfeed

import (
	"context"
	"errors"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/eventstore"
)

// redacted is an error about one case whose cause's text is withheld: the store's and
// the codec's errors name the case's stream, and the publisher logs its errors.
// errors.Is and As still see the cause.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// caseError wraps err, from op on one case, without its text.
func caseError(op string, err error) error {
	kind := "failed"
	for _, k := range []struct {
		err  error
		name string
	}{
		{context.Canceled, "cancelled"}, {context.DeadlineExceeded, "timed out"},
		{eventstore.ErrStreamNotFound, eventstore.ErrStreamNotFound.Error()},
		{eventstore.ErrClosed, eventstore.ErrClosed.Error()},
		{codec.ErrUnknownEventType, codec.ErrUnknownEventType.Error()},
	} {
		if errors.Is(err, k.err) {
			kind = k.name
			break
		}
	}
	return &redacted{msg: op + ": " + kind + " (the cause names the case: withheld)", err: err}
}
