package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/admin"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// The members of an event's data that hold personal data (sealed): codec's layout.
const (
	personalMember   = "personal"
	blindIndexMember = "blindIndex"
)

// caseTimeline reads case id's events from store as waymark replay shows them: the
// stored data without its personal sub-object and blind index, which are named
// (sealed, or erased once the case key was destroyed) and never opened. The server
// answers 'waymark replay' with it on its admin socket; the offline command calls it
// on the store it opened.
func caseTimeline(ctx context.Context, store eventstore.Store, id string) ([]admin.TimelineEvent, error) {
	stream := eventstore.StreamName(eventstore.KindCase, id)
	if eventstore.ValidateStreamName(stream) != nil {
		return nil, fmt.Errorf("%w: no case %q: a case id is letters, digits, '-' and '_'", admin.ErrNotFound, id)
	}
	recs, err := store.ReadStream(ctx, stream, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) || err == nil && len(recs) == 0 {
		return nil, fmt.Errorf("%w: no case %q in the event store", admin.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read case %s: %w", id, err)
	}
	erased := false
	for _, rec := range recs {
		erased = erased || rec.Type == (domain.SurvivorDataErased{}).EventType()
	}
	out := make([]admin.TimelineEvent, len(recs))
	for i, rec := range recs {
		data, personal, err := withoutPersonal(rec.Data)
		if err != nil {
			return nil, fmt.Errorf("case %s revision %d (%s): %w", id, rec.Revision, rec.Type, err)
		}
		shown := ""
		switch {
		case personal && erased:
			shown = admin.PersonalErased
		case personal:
			shown = admin.PersonalSealed
		}
		md := rec.Metadata
		out[i] = admin.TimelineEvent{
			Version: rec.Revision + 1, Position: rec.Position.String(), RecordedAt: md.RecordedAt.UTC(),
			Type: rec.Type, SchemaVersion: rec.SchemaVersion, Actor: md.Actor, Role: md.Role, Organisation: md.Organisation,
			CommandID: md.CommandID, Data: data, Personal: shown, PrevHash: md.PrevHash, Hash: md.Hash,
		}
	}
	return out, nil
}

// withoutPersonal returns an event's stored data without its personal members, and
// whether it had any.
func withoutPersonal(data json.RawMessage) (json.RawMessage, bool, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, false, fmt.Errorf("its data is not a JSON object: %w", err)
	}
	_, personal := members[personalMember]
	_, indexed := members[blindIndexMember]
	delete(members, personalMember)
	delete(members, blindIndexMember)
	out, err := json.Marshal(members) // members in name order: a stable rendering
	if err != nil {
		return nil, false, err
	}
	return out, personal || indexed, nil
}
