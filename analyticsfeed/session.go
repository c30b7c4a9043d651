package analyticsfeed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// member is a case in the feed. Its state is folded when its next event comes (a case
// known from the registry after a restart is not read before it is needed).
type member struct {
	id    string
	e     entry
	state *domain.Case
}

// session is one run of the publisher, from resuming to its end (ctx, a failure, or a
// republish). A failure ends the session; the next one resumes from the stream.
type session struct {
	cfg     Config
	pub     *Publisher
	st      *stream
	reg     *registry
	consent consent
	members map[string]*member
	exp     expiries
	// step is the log position whose messages are being published, and next the part
	// the next one gets. An expiry's tombstones belong to the step reached.
	step eventstore.Position
	next int
	// done is the last log position whose step is done, and marked the one the read
	// mark records (readmark.go).
	done, marked eventstore.Position
}

func newSession(ctx context.Context, pub *Publisher) (*session, error) {
	st, err := openStream(ctx, pub.cfg)
	if err != nil {
		return nil, err
	}
	reg, err := openRegistry(ctx, pub.cfg.JS, pub.cfg.Replicas, pub.cfg.after)
	if err != nil {
		return nil, err
	}
	return &session{cfg: pub.cfg, pub: pub, st: st, reg: reg, consent: consent{isRecipient: pub.cfg.IsAnalyticsRecipient},
		members: map[string]*member{}}, nil
}

// run resumes and publishes until ctx ends (nil), a republish is asked for
// (errRestart) or something fails.
func (s *session) run(ctx context.Context) error {
	from, err := s.resume(ctx)
	if err != nil {
		return err
	}
	s.pub.reset(from)
	s.cfg.Logger.Info("analytics feed: publishing", "after", from.String(), "cases_in_feed", len(s.members))
	sub, err := s.cfg.Store.Subscribe(ctx, from)
	if err != nil {
		return fmt.Errorf("subscribe to the log after %s: %w", from, err)
	}
	defer sub.Close()
	var (
		wake  <-chan time.Time
		stop  func()
		armed time.Time
	)
	defer func() {
		if stop != nil {
			stop()
		}
	}()
	s.done = from
	markTick := time.NewTicker(markInterval)
	defer markTick.Stop()
	for {
		// The timer follows the earliest expiry among the feed's cases.
		var at time.Time
		if m := s.exp.first(s.members); m != nil {
			at = m.e.Leaves
		}
		if !at.Equal(armed) {
			if stop != nil {
				stop()
			}
			wake, stop, armed = nil, nil, at
			if !at.IsZero() {
				wake, stop = s.cfg.Wake(at)
			}
		}
		select {
		case <-ctx.Done():
			// A stop: the next start resumes after what was read.
			stopping, cancel := context.WithTimeout(context.WithoutCancel(ctx), markStopWait)
			s.writeMark(stopping, s.done)
			cancel()
			return nil
		case <-markTick.C:
			s.writeMark(ctx, s.done)
		case req := <-s.pub.republishes:
			// A refused position changed nothing: go on. Any other failure may have
			// reset part of the feed: end the session, the next one resumes from what
			// is there.
			if err := s.pub.republish(ctx, req); err != nil && !errors.Is(err, ErrBeyondHead) {
				return err
			}
		case <-wake:
			wake, stop, armed = nil, nil, time.Time{} // re-armed above if not yet due
			if err := s.sweep(ctx, s.cfg.Now()); err != nil {
				return err
			}
		case rec, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil {
					return fmt.Errorf("read the log: %w", err)
				}
				if ctx.Err() != nil {
					return nil
				}
				return errors.New("read the log: the subscription ended")
			}
			if err := s.handle(ctx, rec); err != nil {
				return err
			}
		}
	}
}

// handle is one step: the expiries due first (they belong to the step before), then
// the event.
func (s *session) handle(ctx context.Context, rec eventstore.RecordedEvent) error {
	now := s.cfg.Now()
	if err := s.sweep(ctx, now); err != nil {
		return err
	}
	s.step, s.next = rec.Position, 0
	if kind, id, ok := eventstore.SplitStreamName(rec.Stream); ok && kind == eventstore.KindCase && id != "" {
		var err error
		if m := s.members[id]; m != nil {
			err = s.memberEvent(ctx, m, rec, now)
		} else if rec.Type == grantType {
			err = s.grant(ctx, id, rec, now)
		}
		if err != nil {
			return err
		}
	}
	// Told before the position moves: whoever waits for the position may then count
	// on having been told.
	if s.cfg.Published != nil {
		s.cfg.Published(rec.Metadata.RecordedAt)
	}
	s.pub.advance(rec.Position)
	s.done = rec.Position
	return nil
}

// memberEvent publishes the event of a case in the feed, or makes the case leave.
func (s *session) memberEvent(ctx context.Context, m *member, rec eventstore.RecordedEvent, now time.Time) error {
	if m.state == nil {
		st, err := s.fold(ctx, rec.Stream, rec.Revision)
		if err != nil {
			return err
		}
		m.state = &st
	}
	event, _, err := codec.Decode(rec)
	if err != nil {
		return caseError("decode an event", err)
	}
	after := domain.Evolve(*m.state, event)
	m.state = &after
	if !s.consent.inFeed(after, now) {
		return s.leave(ctx, m, rec.Metadata.RecordedAt, nil) // a withdrawal or an erasure: not published
	}
	e := m.e
	e.Jurisdictions = withJurisdiction(e.Jurisdictions, after.Jurisdiction)
	e.Leaves = s.consent.leaves(after)
	if !e.Leaves.Equal(m.e.Leaves) || !slices.Equal(e.Jurisdictions, m.e.Jurisdictions) {
		// Before the message: a restart must know every jurisdiction published under.
		if err := s.reg.put(ctx, m.id, e); err != nil {
			return err
		}
		m.e = e
		s.exp.push(m)
	}
	if ce, ok := analytics.Map(rec, event, after, s.cfg.Pseudonymizer); ok {
		return s.publishJourney(ctx, m, ce)
	}
	return nil
}

// grant brings a case into the feed if the grant makes it belong: its whole history so
// far is published, the grant included.
func (s *session) grant(ctx context.Context, id string, rec eventstore.RecordedEvent, now time.Time) error {
	hist, err := s.history(ctx, rec.Stream, func(r eventstore.RecordedEvent) bool { return r.Revision == rec.Revision })
	if err != nil {
		return err
	}
	if len(hist) == 0 || hist[len(hist)-1].rec.ID != rec.ID {
		return caseError("backfill", eventstore.ErrStreamNotFound)
	}
	after := hist[len(hist)-1]
	if !s.consent.inFeed(after.c, now) {
		return nil
	}
	// A cheap look was enough for most grants; this one was for the analytics.
	e := entry{Entry: rec.ID, Entered: rec.Position.String(), Leaves: s.consent.leaves(after.c), Backfill: true}
	for _, h := range hist {
		e.Jurisdictions = withJurisdiction(e.Jurisdictions, h.c.Jurisdiction)
	}
	m := &member{id: id, e: e, state: &after.c}
	if err := s.reg.put(ctx, id, m.e); err != nil { // before the first message (doc.go)
		return err
	}
	s.members[id] = m
	s.exp.push(m)
	return s.backfill(ctx, m, hist, -1)
}

// backfill publishes the journey's messages after part skip, then clears the entry's
// Backfill mark.
func (s *session) backfill(ctx context.Context, m *member, hist []caseState, skip int) error {
	part := 0
	for _, h := range hist {
		ce, ok := analytics.Map(h.rec, h.event, h.c, s.cfg.Pseudonymizer)
		if !ok {
			continue
		}
		if part > skip {
			s.next = part
			if err := s.publishJourney(ctx, m, ce); err != nil {
				return err
			}
		}
		part++
	}
	s.next = max(s.next, part)
	m.e.Backfill = false
	return s.reg.put(ctx, m.id, m.e)
}

func (s *session) publishJourney(ctx context.Context, m *member, ce analytics.CloudEvent) error {
	err := s.st.publish(ctx, ce, analytics.Subject(ce), journeyMsgID(ce, s.cfg.Pseudonymizer, m.e.Entry), s.step, s.next)
	if err == nil {
		s.next++
	}
	return err
}

// leave makes a case leave the feed: its tombstones (after the ones the stream's last
// message says were published, when resuming), then the purge, then the registry.
// Tombstones first: see doc.go.
func (s *session) leave(ctx context.Context, m *member, at time.Time, last *published) error {
	if !m.e.Leaving {
		m.e.Leaving, m.e.Left = true, at
		if err := s.reg.put(ctx, m.id, m.e); err != nil {
			return err
		}
	}
	pseudonym := s.cfg.Pseudonymizer.Pseudonym(m.id)
	done := ""
	if last != nil && last.tombstone && last.pseudonym == pseudonym {
		done = last.jurisdiction // its tombstones go out in this order: the ones up to it are out
	}
	for _, j := range m.e.Jurisdictions {
		if done != "" && j <= done {
			continue
		}
		ce, ok := analytics.Tombstone(m.id, m.e.Entry, j, m.e.Left, s.cfg.Pseudonymizer)
		if !ok {
			continue
		}
		if err := s.st.publish(ctx, ce, analytics.TombstoneSubject(j), ce.ID, s.step, s.next); err != nil {
			return err
		}
		s.next++
	}
	if err := s.st.purge(ctx, pseudonym); err != nil {
		return err
	}
	if err := s.reg.remove(ctx, m.id); err != nil {
		return err
	}
	delete(s.members, m.id)
	return nil
}

// sweep makes every case whose consent has expired by now leave, earliest first.
func (s *session) sweep(ctx context.Context, now time.Time) error {
	for m := s.exp.due(now, s.members); m != nil; m = s.exp.due(now, s.members) {
		if err := s.leave(ctx, m, m.e.Leaves, nil); err != nil { // it left when its consent expired
			return err
		}
	}
	return nil
}
