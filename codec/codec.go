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
// schema version the event is stored at. The sealed object replaces the plaintext
// in place, the blind index is added as the last member: the rest of the encoded
// event is kept byte for byte.
func addExtras(data []byte, id string, schemaVersion int, seal Sealer, blindIndex []string) ([]byte, error) {
	// Most events carry no personal data: skip the scan for them. (A false positive —
	// the key inside a string — only costs the scan.)
	if len(blindIndex) == 0 && !bytes.Contains(data, []byte(`"`+personalKey+`":`)) {
		return data, nil
	}
	start, end := -1, -1
	if err := members(data, func(m member) {
		if string(m.key) == personalKey {
			start, end = m.start, m.end
		}
	}); err != nil {
		return nil, err
	}
	personal := start >= 0 && string(data[start:end]) != "null"
	if (personal || len(blindIndex) > 0) && seal == nil {
		return nil, ErrUnsealed
	}
	out := data
	if personal {
		sealed, err := seal(id, schemaVersion, data[start:end])
		if err != nil {
			return nil, fmt.Errorf("seal personal data: %w", err)
		}
		out = make([]byte, 0, len(data)-(end-start)+len(sealed)+len(blindIndexKey)+256)
		out = append(append(append(out, data[:start]...), sealed...), data[end:]...)
	}
	if len(blindIndex) > 0 {
		tokens, err := json.Marshal(blindIndex)
		if err != nil {
			return nil, err
		}
		sealed, err := seal(BlindIndexEventID(id), schemaVersion, tokens)
		if err != nil {
			return nil, fmt.Errorf("seal blind index: %w", err)
		}
		// Before the closing brace (data is compact, as json.Marshal wrote it):
		// `,"blindIndex":<sealed>}`, or without the comma in an empty object.
		body := bytes.TrimRight(out, " \t\r\n")
		if len(body) < 2 || body[len(body)-1] != '}' {
			return nil, errNotAnObject
		}
		body = bytes.TrimRight(body[:len(body)-1], " \t\r\n")
		tail := make([]byte, 0, len(body)+len(blindIndexKey)+len(sealed)+5)
		tail = append(tail, body...)
		if body[len(body)-1] != '{' {
			tail = append(tail, ',')
		}
		tail = append(append(append(tail, `"`+blindIndexKey+`":`...), sealed...), '}')
		out = tail
	}
	return out, nil
}

// Decode returns a stored event as a domain event value and its extras. An event
// stored at an older schema version is upcast step by step (the table's upcasters)
// before it is decoded; its personal sub-object and blind index come from the stored
// bytes, with the stored version, which is what their sealing is bound to. The domain
// never needs personal data to decide: an event at its type's current version is
// decoded without its personal sub-object and blind index (its personal field is
// nil), and an upcast one decodes to whatever its upcasters make of them.
func Decode(rec eventstore.RecordedEvent) (domain.Event, Extras, error) {
	return decodeStored(rec, false)
}

// DecodeShared is Decode with the extras aliasing rec.Data instead of copied out of
// it, for a caller that copies the ones it keeps (Extras.Clone): the read models'
// runner decodes every event of the log and keeps the personal data of few (a note's
// text, most of the log's bytes, is read from the log when it is opened).
func DecodeShared(rec eventstore.RecordedEvent) (domain.Event, Extras, error) {
	return decodeStored(rec, true)
}

// decodeStored is Decode or DecodeShared: the stored type's table entry found, then
// decode.
func decodeStored(rec eventstore.RecordedEvent, shared bool) (domain.Event, Extras, error) {
	spec, ok := domain.EventSpecFor(rec.Type)
	if !ok {
		return nil, Extras{}, fmt.Errorf("decode %s revision %d: %w %q", rec.Stream, rec.Revision, ErrUnknownEventType, rec.Type)
	}
	return decode(spec, rec, shared)
}

// Clone returns x with its own copies of the stored bytes, which no longer alias the
// record they were decoded from (DecodeShared).
func (x Extras) Clone() Extras {
	x.Personal.Data = bytes.Clone(x.Personal.Data)
	x.BlindIndex.Data = bytes.Clone(x.BlindIndex.Data)
	return x
}

// decode is Decode with the stored type's table entry found; shared leaves the
// extras aliasing rec.Data.
func decode(spec domain.EventSpec, rec eventstore.RecordedEvent, shared bool) (domain.Event, Extras, error) {
	// The extras: one scan of the top level, no second decoding; each copied out of
	// the stored bytes (unless shared), so that a read model keeping it keeps no more
	// than it.
	own := bytes.Clone
	if shared {
		own = func(b []byte) []byte { return b[:len(b):len(b)] }
	}
	var personal, index json.RawMessage
	var kept [16]member // the other members: room for an event's without allocating
	rest, extras := kept[:0], 0
	if err := members(rec.Data, func(m member) {
		switch string(m.key) {
		case personalKey:
			personal, extras = own(rec.Data[m.start:m.end]), extras+1
		case blindIndexKey:
			index, extras = own(rec.Data[m.start:m.end]), extras+1
		default:
			rest = append(rest, m)
		}
	}); err != nil {
		return nil, Extras{}, fmt.Errorf("decode %s revision %d: %w", rec.Stream, rec.Revision, err)
	}
	data := rec.Data
	if extras > 0 && rec.SchemaVersion == spec.SchemaVersion {
		// The sealed objects are most of a note's bytes, and replaying the log decoded
		// them into a personal field nobody reads. What a store hands back is valid
		// JSON already (eventstore.DecodeRecord checks the data of every record), and
		// a sealed object that is not opens as nothing.
		data = without(rec.Data, rest)
	}
	e, err := spec.Decode(rec.SchemaVersion, data)
	if err != nil {
		return nil, Extras{}, fmt.Errorf("decode %s revision %d: %w", rec.Stream, rec.Revision, err)
	}
	var out Extras
	if len(index) > 0 && string(index) != "null" {
		out.BlindIndex = Personal{EventID: BlindIndexEventID(rec.ID), SchemaVersion: rec.SchemaVersion, Data: index}
	}
	if len(personal) > 0 && string(personal) != "null" {
		out.Personal = Personal{EventID: rec.ID, SchemaVersion: rec.SchemaVersion, Data: personal}
	}
	return e, out, nil
}

// without is the object data with only the members kept, in their order.
func without(data []byte, kept []member) []byte {
	n := 2
	for _, m := range kept {
		n += m.end - m.from + 1
	}
	out := make([]byte, 0, n)
	out = append(out, '{')
	for i, m := range kept {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, data[m.from:m.end]...)
	}
	return append(out, '}')
}
