package analyticsfeed

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// resume finds where the feed stands and finishes the step a crash interrupted
// (doc.go); it returns the log position to publish after.
func (s *session) resume(ctx context.Context) (eventstore.Position, error) {
	last, ok, err := s.st.last(ctx)
	if err != nil {
		return eventstore.Start, err
	}
	if !ok {
		return s.startEmpty(ctx)
	}
	if s.reg.made {
		// The stream has messages but its registry was lost: who is in the feed is
		// unknown, so a withdrawal would publish no tombstone. Fail closed.
		return eventstore.Start, ErrRegistryLost
	}
	s.step, s.next = last.position, last.part+1
	entries, err := s.reg.load(ctx)
	if err != nil {
		return eventstore.Start, err
	}
	var backfilling *member
	var leaving []*member
	for _, id := range slices.Sorted(maps.Keys(entries)) {
		e := entries[id]
		entered, err := eventstore.ParsePosition(e.Entered)
		if err != nil {
			return eventstore.Start, fmt.Errorf("registry: an entry's position: %w", err)
		}
		if last.position.Before(entered) {
			// It entered after the last message: nothing of it was published. Its grant
			// is read again and brings it in again.
			if err := s.reg.remove(ctx, id); err != nil {
				return eventstore.Start, err
			}
			continue
		}
		m := &member{id: id, e: e}
		s.members[id] = m
		switch {
		case e.Leaving:
			leaving = append(leaving, m)
		case e.Backfill:
			backfilling = m
			s.exp.push(m)
		default:
			s.exp.push(m)
		}
	}
	// A backfill is the first thing its step publishes, and nothing leaves before it
	// is done: finish it first.
	if backfilling != nil {
		if err := s.finishBackfill(ctx, backfilling, last); err != nil {
			return eventstore.Start, err
		}
	}
	for _, m := range leaving {
		if err := s.leave(ctx, m, m.e.Left, &last); err != nil {
			return eventstore.Start, err
		}
	}
	// Read on after the mark when it is past the last message: the events between
	// caused nothing. (A step a crash interrupted is at the last message, past any
	// mark: the mark is written only between steps.)
	mark, ok, err := s.mark(ctx)
	if err != nil {
		return eventstore.Start, err
	}
	if ok && last.position.Before(mark) && backfilling == nil && len(leaving) == 0 {
		s.step, s.next, s.marked = mark, 0, mark
		return mark, nil
	}
	return last.position, nil
}

// finishBackfill publishes the rest of a journey whose backfill a crash interrupted:
// the parts after the stream's last message when that is one of them; otherwise
// they were all published (the backfill came first in its step).
func (s *session) finishBackfill(ctx context.Context, m *member, last published) error {
	hist, err := s.history(ctx, eventstore.StreamName(eventstore.KindCase, m.id),
		func(r eventstore.RecordedEvent) bool { return r.ID == m.e.Entry })
	if err != nil {
		return err
	}
	if len(hist) == 0 || hist[len(hist)-1].rec.ID != m.e.Entry {
		return caseError("finish a backfill", eventstore.ErrStreamNotFound)
	}
	skip := len(hist) // every part
	if !last.tombstone && last.pseudonym == s.cfg.Pseudonymizer.Pseudonym(m.id) {
		skip = last.part
	}
	after := hist[len(hist)-1].c
	m.state = &after
	return s.backfill(ctx, m, hist, skip)
}

// startEmpty starts on an empty stream: nothing was published, so the registry is
// stale and is emptied. After a republish from a position other than the start, the
// cases in the feed at that position are found first (prescan).
func (s *session) startEmpty(ctx context.Context) (eventstore.Position, error) {
	from, err := s.st.from()
	if err != nil {
		return eventstore.Start, err
	}
	// On a feed published from the start (no prescan), read on after the mark: the
	// events up to it caused nothing, or the stream would not be empty.
	mark, marked, err := s.mark(ctx)
	if err != nil {
		return eventstore.Start, err
	}
	marked = marked && from.IsStart() && from.Before(mark)
	if err := s.cfg.JS.DeleteKeyValue(ctx, RegistryBucket); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
		return eventstore.Start, fmt.Errorf("empty the analytics registry: %w", err)
	}
	if s.reg, err = openRegistry(ctx, s.cfg.JS, s.cfg.Replicas, s.cfg.after); err != nil {
		return eventstore.Start, err
	}
	if marked {
		s.step, s.next = mark, 0
		s.writeMark(ctx, mark) // the registry was emptied with it
		return mark, nil
	}
	s.step, s.next = from, 0
	if !from.IsStart() {
		if err := s.prescan(ctx, from); err != nil {
			return eventstore.Start, err
		}
	}
	return from, nil
}

// prescan finds the cases in the feed at position from, for a feed republished after
// it: the log is read up to from for analytics grants (their cases are the only
// candidates), and each candidate is folded up to from. They are registered as in the
// feed since from, without a backfill: a consumer of a feed republished after a
// position has what came before it. Memory: the candidates' ids, while it runs.
func (s *session) prescan(ctx context.Context, from eventstore.Position) error {
	head, err := s.cfg.Store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the log's head: %w", err)
	}
	if head.Before(from) {
		return fmt.Errorf("republish after %s: %w (%s)", from, ErrBeyondHead, head)
	}
	scan, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := s.cfg.Store.Subscribe(scan, eventstore.Start)
	if err != nil {
		return fmt.Errorf("read the log: %w", err)
	}
	defer sub.Close()
	candidates := map[string]bool{}
	now := s.cfg.Now()
	for rec := range sub.Events() {
		if from.Before(rec.Position) {
			break
		}
		if kind, id, ok := eventstore.SplitStreamName(rec.Stream); ok && kind == eventstore.KindCase && rec.Type == grantType {
			event, _, err := codec.Decode(rec)
			if err != nil {
				return caseError("decode a grant", err)
			}
			if g, ok := event.(domain.ConsentGranted); ok && s.consent.grantEnters(g, now) {
				candidates[id] = true
			}
		}
		if rec.Position == from {
			break
		}
	}
	if err := sub.Err(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("read the log: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(candidates)) {
		hist, err := s.history(ctx, eventstore.StreamName(eventstore.KindCase, id),
			func(r eventstore.RecordedEvent) bool { return false })
		if err != nil {
			return err
		}
		e := entry{Entered: from.String()}
		var c domain.Case
		for _, h := range hist {
			if from.Before(h.rec.Position) {
				break
			}
			c = h.c
			e.Jurisdictions = withJurisdiction(e.Jurisdictions, c.Jurisdiction)
			if g, ok := h.event.(domain.ConsentGranted); ok && s.consent.grantEnters(g, now) {
				e.Entry = h.rec.ID // the latest grant that could bring it in names its entry
			}
		}
		if e.Entry == "" || !s.consent.inFeed(c, now) {
			continue
		}
		e.Leaves = s.consent.leaves(c)
		if err := s.reg.put(ctx, id, e); err != nil {
			return err
		}
		m := &member{id: id, e: e, state: &c}
		s.members[id] = m
		s.exp.push(m)
	}
	return nil
}
