package jsbatch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// lostFuture is a publish whose answer never comes: its stream leader died with it.
type lostFuture struct{}

func (lostFuture) Ok() <-chan *jetstream.PubAck { return nil }
func (lostFuture) Err() <-chan error            { return nil }
func (lostFuture) Msg() *nats.Msg               { return nil }

// A lost answer ends the wait when the round's deadline does, as an unknown
// outcome, instead of holding the round (and every append behind it) for ever.
func TestLostAckTimesOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := awaitAck(ctx, lostFuture{}); !errors.Is(err, jetstream.ErrAsyncPublishTimeout) {
		t.Fatalf("awaitAck of a lost answer: %v, want ErrAsyncPublishTimeout", err)
	}
}
