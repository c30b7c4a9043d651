// Package codec maps domain events to the event store's envelope and back.
//
// Every personal field of an event lives in one "personal" sub-object of its data,
// which the application seals (encrypts) before the event is stored. Decode hands that
// sub-object back separately and untouched, so read models keep it as an opaque value
// and open it only per request, for a caller allowed to see it.
package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// ErrUnknownEventType is returned for a stored event type the domain does not know,
// and for an event to encode that is not in the domain's event table.
var ErrUnknownEventType = errors.New("unknown event type")

// ErrUnsealed refuses to encode personal data without a sealer: it is never stored in
// plaintext.
var ErrUnsealed = errors.New("personal data without a sealer")

// Keys of an event's data that the application adds beside the domain's fields.
const (
	personalKey   = "personal"
	blindIndexKey = "blindIndex"
)

// Personal is an event's personal sub-object exactly as stored, with what is needed to
// open it: the sealing binds each ciphertext to its event id and schema version, the
// version the event was stored at (an upcast event keeps it).
type Personal struct {
	EventID       string
	SchemaVersion int
	Data          json.RawMessage
}

// IsZero reports whether there is no personal data.
func (p Personal) IsZero() bool { return len(p.Data) == 0 }

// Extras is what an event's data holds beside the domain's own fields.
type Extras struct {
	Personal Personal
	// BlindIndex holds keyed hashes of the event's searchable personal values (names,
	// document numbers), sealed with the case key like the personal data, so that
	// erasure takes them too: the read model opens them to index the case.
	BlindIndex Personal
}

// BlindIndexEventID is the id the sealing of an event's blind index is bound to: the
// event's own id would let its personal ciphertext be swapped for the index's.
func BlindIndexEventID(eventID string) string { return eventID + "/blind-index" }

// Sealer replaces an event's personal sub-object by its sealed form.
type Sealer func(eventID string, schemaVersion int, plaintext []byte) (json.RawMessage, error)

// Encode renders a domain event as event data with the given id and metadata, at its
// type's schema version (the event table's). An event with a personal sub-object
// needs a sealer (ErrUnsealed otherwise); blindIndex, if any, is added beside it. An
// event that is not in the table (a pointer to one included) is refused: what is
// stored must decode again.
func Encode(e domain.Event, id string, md eventstore.Metadata, seal Sealer, blindIndex []string) (eventstore.EventData, error) {
	spec, ok := domain.EventSpecOf(e)
	if !ok {
		return eventstore.EventData{}, fmt.Errorf("encode %T: %w", e, ErrUnknownEventType)
	}
	return encode(spec, e, id, md, seal, blindIndex)
}

// encode is Encode with the event's table entry found.
func encode(spec domain.EventSpec, e domain.Event, id string, md eventstore.Metadata, seal Sealer, blindIndex []string) (eventstore.EventData, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return eventstore.EventData{}, fmt.Errorf("encode %s: %w", spec.Type, err)
	}
	if data, err = addExtras(data, id, spec.SchemaVersion, seal, blindIndex); err != nil {
		return eventstore.EventData{}, fmt.Errorf("encode %s: %w", spec.Type, err)
	}
	return eventstore.EventData{
		ID:            id,
		Type:          spec.Type,
		SchemaVersion: spec.SchemaVersion,
		Data:          data,
		Metadata:      md,
	}, nil
}

// addExtras seals the personal sub-object and the blind index, each bound to the
// schema version the event is stored at.
func addExtras(data []byte, id string, schemaVersion int, seal Sealer, blindIndex []string) ([]byte, error) {
	// Most events carry no personal data: skip the parse for them. (A false positive —
	// the key inside a string — only costs the parse.)
	if len(blindIndex) == 0 && !bytes.Contains(data, []byte(`"`+personalKey+`":`)) {
		return data, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, err
	}
	plain, personal := fields[personalKey]
	if personal && seal == nil {
		return nil, ErrUnsealed
	}
	if !personal && len(blindIndex) == 0 {
		return data, nil
	}
	if personal {
		sealed, err := seal(id, schemaVersion, plain)
		if err != nil {
			return nil, fmt.Errorf("seal personal data: %w", err)
		}
		fields[personalKey] = sealed
	}
	if len(blindIndex) > 0 {
		if seal == nil {
			return nil, ErrUnsealed
		}
		tokens, err := json.Marshal(blindIndex)
		if err != nil {
			return nil, err
		}
		sealed, err := seal(BlindIndexEventID(id), schemaVersion, tokens)
		if err != nil {
			return nil, fmt.Errorf("seal blind index: %w", err)
		}
		fields[blindIndexKey] = sealed
	}
	return json.Marshal(fields)
}

// Decode returns a stored event as a domain event value and its extras. An event
// stored at an older schema version is upcast step by step (the table's upcasters)
// before it is decoded; its personal sub-object and blind index come from the stored
// bytes, with the stored version, which is what their sealing is bound to. The domain
// never needs personal data to decide; the event value's personal field holds
// whatever the stored (sealed) object decodes to, and nobody reads it.
func Decode(rec eventstore.RecordedEvent) (domain.Event, Extras, error) {
	spec, ok := domain.EventSpecFor(rec.Type)
	if !ok {
		return nil, Extras{}, fmt.Errorf("decode %s revision %d: %w %q", rec.Stream, rec.Revision, ErrUnknownEventType, rec.Type)
	}
	return decode(spec, rec)
}

// decode is Decode with the stored type's table entry found.
func decode(spec domain.EventSpec, rec eventstore.RecordedEvent) (domain.Event, Extras, error) {
	e, err := spec.Decode(rec.SchemaVersion, rec.Data)
	if err != nil {
		return nil, Extras{}, fmt.Errorf("decode %s revision %d: %w", rec.Stream, rec.Revision, err)
	}
	var extras struct {
		Personal   json.RawMessage `json:"personal"`
		BlindIndex json.RawMessage `json:"blindIndex"`
	}
	if err := json.Unmarshal(rec.Data, &extras); err != nil {
		return nil, Extras{}, fmt.Errorf("decode %s revision %d: %w", rec.Stream, rec.Revision, err)
	}
	var out Extras
	if len(extras.BlindIndex) > 0 && string(extras.BlindIndex) != "null" {
		out.BlindIndex = Personal{EventID: BlindIndexEventID(rec.ID), SchemaVersion: rec.SchemaVersion, Data: extras.BlindIndex}
	}
	if len(extras.Personal) > 0 && string(extras.Personal) != "null" {
		out.Personal = Personal{EventID: rec.ID, SchemaVersion: rec.SchemaVersion, Data: extras.Personal}
	}
	return e, out, nil
}
