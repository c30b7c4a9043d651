package analyticsfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
)

// The read mark: how far the publisher has read the log, for a feed that publishes
// little. Without it a start resumes after the stream's last message; with few
// consenting cases that is far behind the log's head, and every start read the whole
// log again (2M events: 16 s of both cores after a restart, under the case workers'
// first requests).
//
// The mark is written only between steps, when everything the events up to it caused
// is published: so the events between the stream's last message and the mark caused
// nothing, and resuming after the mark is resuming after the last message with those
// events skipped. It is kept in the registry bucket under a key no case id can take,
// with the creation time of the stream it was read for: a republish makes a new
// stream (and a new registry), and a mark of another stream is never used. Writing it
// is no step of the feed: one that fails is logged and written again later.

// markKey is the read mark's key in the registry: case ids have no dot.
const markKey = "read.mark"

// markInterval is how often the mark is written while the publisher reads on.
const markInterval = 2 * time.Second

// markStopWait bounds the mark's write when the publisher stops.
const markStopWait = 2 * time.Second

// readMark is the mark's value.
type readMark struct {
	// Stream is the creation time of the feed's stream it was read for.
	Stream time.Time `json:"stream"`
	// Position is the last log position whose step is done.
	Position string `json:"position"`
}

// mark returns the position the mark records for the session's stream; ok is false
// when there is none, or it is another stream's.
func (s *session) mark(ctx context.Context) (eventstore.Position, bool, error) {
	kve, err := s.reg.kv.Get(ctx, markKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return eventstore.Start, false, nil
	}
	if err != nil {
		return eventstore.Start, false, fmt.Errorf("registry: read the read mark: %w", err)
	}
	var m readMark
	if err := json.Unmarshal(kve.Value(), &m); err != nil {
		return eventstore.Start, false, fmt.Errorf("registry: decode the read mark: %w", err)
	}
	if !m.Stream.Equal(s.st.created()) {
		return eventstore.Start, false, nil
	}
	p, err := eventstore.ParsePosition(m.Position)
	if err != nil {
		return eventstore.Start, false, fmt.Errorf("registry: the read mark's position: %w", err)
	}
	return p, true, nil
}

// writeMark records that every step up to p is done, if the mark is behind it.
func (s *session) writeMark(ctx context.Context, p eventstore.Position) {
	if !s.marked.Before(p) {
		return
	}
	raw, err := json.Marshal(readMark{Stream: s.st.created(), Position: p.String()})
	if err == nil {
		_, err = s.reg.kv.Put(ctx, markKey, raw)
	}
	if err != nil {
		s.cfg.Logger.Warn("analytics feed: write the read mark", "err", err)
		return
	}
	s.marked = p
}
