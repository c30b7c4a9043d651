// Package codec maps domain events to the event store's envelope and back.
//
// Every personal field of an event lives in one "personal" sub-object of its data.
// Decode hands that sub-object back separately and untouched, so read models can keep
// it as an opaque value and open it only per request, for a caller allowed to see it.
package codec

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// ErrUnknownEventType is returned for a stored event type the domain does not know.
var ErrUnknownEventType = errors.New("unknown event type")

// Personal is an event's personal sub-object exactly as stored.
type Personal = json.RawMessage

// Encode renders a domain event as event data with the given id and metadata.
func Encode(e domain.Event, id string, md eventstore.Metadata) (eventstore.EventData, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return eventstore.EventData{}, fmt.Errorf("encode %s: %w", e.EventType(), err)
	}
	return eventstore.EventData{
		ID:            id,
		Type:          e.EventType(),
		SchemaVersion: domain.SchemaVersion,
		Data:          data,
		Metadata:      md,
	}, nil
}

// Decode returns a stored event as a domain event value, and its personal sub-object
// as stored (nil when it has none). The domain never needs personal data to decide,
// so callers other than the one opening it per request can ignore the second result.
func Decode(rec eventstore.RecordedEvent) (domain.Event, Personal, error) {
	ptr, ok := domain.NewEvent(rec.Type)
	if !ok {
		return nil, nil, fmt.Errorf("decode %s revision %d: %w %q", rec.Stream, rec.Revision, ErrUnknownEventType, rec.Type)
	}
	if err := json.Unmarshal(rec.Data, ptr); err != nil {
		return nil, nil, fmt.Errorf("decode %s revision %d: %w", rec.Stream, rec.Revision, err)
	}
	// The personal object is handed back exactly as stored (sealed, from Step 2 on);
	// the domain never reads it, so its decoded form in the event value is irrelevant.
	var personal struct {
		Personal json.RawMessage `json:"personal"`
	}
	if err := json.Unmarshal(rec.Data, &personal); err != nil {
		return nil, nil, fmt.Errorf("decode %s revision %d: %w", rec.Stream, rec.Revision, err)
	}
	if string(personal.Personal) == "null" {
		personal.Personal = nil
	}
	return domain.Deref(ptr), personal.Personal, nil
}
