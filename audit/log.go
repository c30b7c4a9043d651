package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/eventstore"
)

// CheckpointStream is the stream checkpoints are stored in, as events of type
// CheckpointType: in the global log like every event, so each checkpoint is itself
// covered by the next one's running hash.
const (
	CheckpointStream = "audit-checkpoints"
	CheckpointType   = "CheckpointSigned"
)

// AccessLog is the access log as checkpoints cover it: its stored entries in order.
type AccessLog interface {
	// ScanAccess hands every stored entry after sequence after to f, in order.
	ScanAccess(ctx context.Context, after uint64, f func(seq uint64, data []byte) error) error
}

// readLog hands every event of the global log after from, up to the head as it is
// when the read starts, to f in order.
func readLog(ctx context.Context, store eventstore.Store, from eventstore.Position, f func(eventstore.RecordedEvent) error) error {
	head, err := store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the global log: %w", err)
	}
	if head.IsStart() || !from.Before(head) {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := store.Subscribe(ctx, from)
	if err != nil {
		return fmt.Errorf("read the global log: %w", err)
	}
	defer sub.Close()
	for rec := range sub.Events() {
		if err := f(rec); err != nil {
			return err
		}
		if !rec.Position.Before(head) {
			return nil
		}
	}
	if err := sub.Err(); err != nil {
		return fmt.Errorf("read the global log: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.New("read the global log: it ended before its head")
}

// StoredCheckpoints returns the checkpoints stored in the event store, oldest first
// (none before the first is made). Their signatures are not checked here.
func StoredCheckpoints(ctx context.Context, store eventstore.Store) ([]Checkpoint, error) {
	events, err := store.ReadStream(ctx, CheckpointStream, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	out := make([]Checkpoint, 0, len(events))
	for _, e := range events {
		var c Checkpoint
		if err := json.Unmarshal(e.Data, &c); err != nil {
			return nil, fmt.Errorf("checkpoint at revision %d: %w", e.Revision, err)
		}
		out = append(out, c)
	}
	return out, nil
}
