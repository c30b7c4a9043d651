package jetstream

import (
	"context"
	"fmt"

	natsjs "github.com/nats-io/nats.go/jetstream"
)

// ReadRaw reads every message of the event stream in order through an ordered
// consumer, decoding nothing, and returns how many it read: the floor any replay of
// the log stands on, which benchmarks of rebuilds and verification compare with.
func ReadRaw(ctx context.Context, s *Store) (int, error) {
	js, err := natsjs.New(s.Conn())
	if err != nil {
		return 0, fmt.Errorf("read raw: %w", err)
	}
	stream, err := js.Stream(ctx, s.cfg.StreamName)
	if err != nil {
		return 0, fmt.Errorf("read raw: %w", err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("read raw: %w", err)
	}
	if info.State.Msgs == 0 {
		return 0, nil
	}
	cons, err := stream.OrderedConsumer(ctx, natsjs.OrderedConsumerConfig{})
	if err != nil {
		return 0, fmt.Errorf("read raw: %w", err)
	}
	msgs, err := cons.Messages()
	if err != nil {
		return 0, fmt.Errorf("read raw: %w", err)
	}
	defer msgs.Stop()
	for read := 1; ; read++ {
		msg, err := msgs.Next()
		if err != nil {
			return read - 1, fmt.Errorf("read raw: %w", err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return read - 1, fmt.Errorf("read raw: %w", err)
		}
		if md.Sequence.Stream >= info.State.LastSeq {
			return read, nil
		}
	}
}
