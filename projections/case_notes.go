package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// ErrNoteMissing: a note's event is not where the view says it is (a store that
// does not hold the log the view was built from).
var ErrNoteMissing = errors.New("note's event not found in the case's stream")

// NoteTexts returns the sealed texts of v's notes, in the order of v.Notes, read from
// the notes' own events in the case's stream: the read model does not keep them (the
// texts of a case's notes were most of its memory), and opening them is a per-request
// path that reads the case's stream once, from its first note on, and decodes only the
// notes' events. A note whose event holds no text (none was sealed) has a zero
// Personal.
func NoteTexts(ctx context.Context, store eventstore.Store, v *CaseView) ([]codec.Personal, error) {
	if len(v.Notes) == 0 {
		return nil, nil
	}
	stream := eventstore.StreamName(eventstore.KindCase, v.ID)
	from := v.Notes[0].Revision
	recs, err := store.ReadStream(ctx, stream, from)
	if err != nil {
		return nil, fmt.Errorf("case %s: read its notes: %w", v.ID, err)
	}
	out := make([]codec.Personal, len(v.Notes))
	for i, n := range v.Notes {
		at := n.Revision - from
		if n.Revision < from || at >= uint64(len(recs)) || recs[at].Revision != n.Revision {
			return nil, fmt.Errorf("case %s: note %s at revision %d: %w", v.ID, n.ID(), n.Revision, ErrNoteMissing)
		}
		e, extras, err := codec.Decode(recs[at])
		if err != nil {
			return nil, fmt.Errorf("case %s: note %s: %w", v.ID, n.ID(), err)
		}
		if added, ok := e.(domain.CaseNoteAdded); !ok || !n.id.is(added.NoteID) {
			return nil, fmt.Errorf("case %s: note %s at revision %d is a %s: %w", v.ID, n.ID(), n.Revision, recs[at].Type, ErrNoteMissing)
		}
		out[i] = extras.Personal
	}
	return out, nil
}
