package analyticsfeed

import (
	"context"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// grantType is the stored type of a consent grant: the only event that can bring a
// case into the feed, so the only one of a case outside it that is decoded.
const grantType = "ConsentGranted"

// caseState is one event of a case's history and the case after it.
type caseState struct {
	rec   eventstore.RecordedEvent
	event domain.Event
	c     domain.Case
}

// history reads a case's events from its first, folding them, up to and including the
// first for which last reports true (all of them if none does).
func (s *session) history(ctx context.Context, stream string, last func(eventstore.RecordedEvent) bool) ([]caseState, error) {
	recs, err := s.cfg.Store.ReadStream(ctx, stream, 0)
	if err != nil {
		return nil, caseError("read a case's events", err)
	}
	var c domain.Case
	out := make([]caseState, 0, len(recs))
	for _, rec := range recs {
		event, _, err := codec.Decode(rec)
		if err != nil {
			return nil, caseError("decode a case's event", err)
		}
		c = domain.Evolve(c, event)
		out = append(out, caseState{rec: rec, event: event, c: c})
		if last(rec) {
			break
		}
	}
	return out, nil
}

// fold is the case before its event at revision rev: a case in the feed whose state is
// not yet known (after a restart or a republish) is read once, when its next event
// comes.
func (s *session) fold(ctx context.Context, stream string, rev uint64) (domain.Case, error) {
	if rev == 0 {
		return domain.Case{}, nil
	}
	hist, err := s.history(ctx, stream, func(r eventstore.RecordedEvent) bool { return r.Revision+1 >= rev })
	if err != nil {
		return domain.Case{}, err
	}
	if len(hist) == 0 || hist[len(hist)-1].rec.Revision+1 != rev {
		return domain.Case{}, caseError("read a case's events", eventstore.ErrStreamNotFound)
	}
	return hist[len(hist)-1].c, nil
}
