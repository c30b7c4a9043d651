package app

import (
	"context"
	"fmt"
	"time"

	"github.com/waymark-org/waymark/projections"
)

// WorkChange is one change of an organisation's work queue: ids and codes only.
type WorkChange struct {
	Organisation string
	Kind         WorkKind
	CaseID       string
	ItemID       string
	Added        bool   // false: removed
	Position     string // of the event that changed the queue
	At           time.Time
}

// ErrTooManySubscriptions refuses a subscription past the broker's limits (per user,
// per organisation, per server: projections.MaxWorkSubscriptions*).
var ErrTooManySubscriptions = projections.ErrTooManySubscriptions

// ErrWorkRetired refuses a subscription to read models a rebuild is retiring: the
// socket is about to close; reconnect and subscribe again.
var ErrWorkRetired = projections.ErrWorkBrokerClosed

// SubscribeWork returns the changes of the caller's organisation's queue from now on,
// until ctx ends; the channel is then closed. It is closed earlier when the caller
// falls behind (the projections never wait for a subscriber): subscribe again and
// read myWork. An item added on a case the caller may not see now is left out, as
// myWork leaves it out; removals always pass (they say only that a case the caller
// was shown left its queue).
func (s *Service) SubscribeWork(ctx context.Context, actor Actor) (<-chan *WorkChange, error) {
	if err := workQueueHolder(actor); err != nil {
		return nil, err
	}
	if s.work == nil {
		return nil, errNoWorkQueues
	}
	in, cancel, err := s.work.Broker().SubscribeFor(actor.Organisation, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("workChanged: %w", err)
	}
	out := make(chan *WorkChange, 1)
	go func() {
		defer close(out)
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case c, ok := <-in:
				if !ok {
					s.logger.Info("work subscription dropped: the subscriber fell behind", "organisation", actor.Organisation)
					return
				}
				if c.Added && !s.workVisible(actor, c.CaseID) {
					continue
				}
				change := workChangeOf(c)
				select {
				case out <- &change:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// workVisible reports whether the actor may see the case now.
func (s *Service) workVisible(actor Actor, caseID string) bool {
	v, ok := s.cases.Get(caseID)
	return ok && workVisible(actor, v, s.Now())
}

// WorkBroker is where the work queues' changes are published (nil without work
// queues): the webhook dispatcher takes every organisation's (SubscribeAll).
func (s *Service) WorkBroker() *projections.WorkBroker {
	if s.work == nil {
		return nil
	}
	return s.work.Broker()
}
