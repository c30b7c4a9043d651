package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/eventstore"
)

// WaitFor waits until the read models have applied the position token minPosition
// ("" for no wait), so a caller reads its own writes. A position the log has not
// reached is ErrBadInput at once (no write ever returned it); one the read models
// have not reached within the read timeout is ErrNotCaughtUp.
func (s *Service) WaitFor(ctx context.Context, minPosition string) error {
	if minPosition == "" {
		return nil
	}
	p, err := eventstore.ParsePosition(minPosition)
	if err != nil {
		return fmt.Errorf("minPosition is not a position from this server: %w", ErrBadInput)
	}
	return s.waitPosition(ctx, p)
}

func (s *Service) waitPosition(ctx context.Context, p eventstore.Position) error {
	if !s.runner.Position().Before(p) {
		return nil // the usual case: no look at the store
	}
	head, err := s.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the log's head: %w", err)
	}
	if head.Before(p) {
		return fmt.Errorf("minPosition %s is ahead of the log (its head is %s): %w", p, head, ErrBadInput)
	}
	wait, cancel := context.WithTimeout(ctx, s.readTimeout)
	defer cancel()
	if err := s.runner.WaitFor(wait, p); err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("the read models did not reach minPosition %s within %s (they are at %s); retry shortly: %w",
				p, s.readTimeout, s.runner.Position(), ErrNotCaughtUp)
		}
		return fmt.Errorf("read models have not reached %s: %w", p, err)
	}
	return nil
}
