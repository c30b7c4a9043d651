package jssync

import (
	"context"
	"time"
)

// WaitDurable returns once seq is durable, for a reader about to show the message
// at seq: at once when the watermark has passed it; otherwise after waiting up to
// grace for the writer's own Sync (usually under way), and past that by syncing
// itself — the message has been read, so it is written, and an fsync now covers it
// (a writer that died between its publish and its Sync leaves no reader waiting).
func (s *Syncer) WaitDurable(ctx context.Context, seq uint64, grace time.Duration) error {
	if s.mark.Load() >= seq {
		return nil
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	for {
		moved := s.Moved() // before the check: a move after it closes this channel
		if s.mark.Load() >= seq {
			return nil
		}
		select {
		case <-moved:
		case <-timer.C:
			return s.Sync(seq)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
