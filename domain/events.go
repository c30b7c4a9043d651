package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
)

// Event is a fact that happened, named in the past tense. Events are plain values:
// Decide returns values, the table's Decode returns values, and Evolve applies values
// (a pointer to an event is not an event of the table: Evolve only counts it).
//
// Personal data lives in exactly one field per event, Personal, a pointer with the
// json name "personal", so the store can seal that one object and nothing else
// needs to be inspected. No other field may hold names, dates of birth, contact
// details, addresses, document numbers, or any text a person wrote: free text is
// personal data, always. Every string stored outside Personal is either a closed
// vocabulary (a type with Valid() bool) or tagged with what it is — waymark:"id" (an
// identifier, of the form CheckID accepts or made by Waymark), waymark:"code" (an
// ISO code), waymark:"public" (an organisation's public name) — and a test
// (TestFreeTextLivesOnlyInPersonal) fails for any other.
//
// The type name an event's EventType returns is what the store keeps: never change
// one. Every event type is described once in the event table (EventSpec, table.go).
type Event interface {
	EventType() string
}

// Aggregate is the kind of stream an event belongs to.
type Aggregate string

const (
	AggregateCase         Aggregate = "case"
	AggregateOrganisation Aggregate = "organisation"
	AggregateRevocation   Aggregate = "revocation"
)

// Upcaster rewrites an event's stored data from one schema version to the next. It
// rewrites the event's own fields only: the "personal" and "blindIndex" values beside
// them are sealed, and pass through untouched. Personal data stays bound to the
// version it was sealed under: the codec hands it back with the stored version, from
// the stored bytes, whatever an upcaster does.
type Upcaster func(data json.RawMessage) (json.RawMessage, error)

// ErrSchemaVersion is a stored event at a schema version this code cannot read: one
// below 1, one newer than its type's current version (written by a later Waymark), or
// one with no upcaster to the current version.
var ErrSchemaVersion = errors.New("unsupported schema version")

// EventSpec describes one event type, once: what it is called in the store, the Go
// type it decodes into, the schema version it is stored at, the stream it belongs to,
// the stage of the journey it shows a case has reached, the party it concerns, where
// its personal data is, how it changes a case, and how older stored versions of it
// are read. The codec, the journey, the read models and the application read it
// instead of keeping lists of their own.
//
// An EventSpec is a value: the table hands out copies, and nothing in one is ever
// changed after it is built (Upcasting returns a new one).
type EventSpec struct {
	Type          string       // the stored type name, T's EventType(); never changes
	GoType        reflect.Type // the struct type an event of this type decodes into (a value, never a pointer)
	SchemaVersion int          // the version new events are stored at: 1, plus one per change of shape
	Aggregate     Aggregate    // the kind of stream it is appended to
	Stage         Stage        // the stage an event of this type shows a case has reached; "" for none
	// Personal is the type of the event's Personal object, which holds all of its
	// personal data (sealed when stored); nil when the event has none.
	Personal reflect.Type

	decode    func(data []byte) (Event, error)
	party     func(e Event, after Case) string // nil: it concerns no bank or bureau in particular
	evolve    func(c Case, e Event) Case       // nil for events of other aggregates
	upcasters map[int]Upcaster                 // by the version they read; each returns the next
}

// DescribeEvent describes event type T, which must be a struct type: stored under T's
// EventType at schema version 1, in streams of aggregate a, reaching no stage and
// concerning no party. The organisation and revocation events are described with it;
// the case events with caseEvent, which adds their stage, party and evolve; tests
// describe made-up types with it to try the machinery.
func DescribeEvent[T Event](a Aggregate) EventSpec {
	var zero T
	t := reflect.TypeFor[T]()
	return EventSpec{
		Type:          zero.EventType(),
		GoType:        t,
		SchemaVersion: 1,
		Aggregate:     a,
		Personal:      personalType(t),
		decode:        decodeAs[T],
	}
}

// Upcasting returns s reading data stored at version from with up (which returns data
// of version from+1), and storing new events at version from+1 at least. A change of
// shape is one more Upcasting on the type's table entry: the older versions keep
// being read.
func (s EventSpec) Upcasting(from int, up Upcaster) EventSpec {
	ups := make(map[int]Upcaster, len(s.upcasters)+1)
	maps.Copy(ups, s.upcasters)
	ups[from] = up
	s.upcasters = ups
	s.SchemaVersion = max(s.SchemaVersion, from+1)
	return s
}

// Decode reads an event of this type stored at schema version version: it upcasts the
// data step by step to the current version, then decodes it into a value of GoType.
func (s EventSpec) Decode(version int, data []byte) (Event, error) {
	if version < 1 || version > s.SchemaVersion {
		return nil, fmt.Errorf("%s at schema version %d (this code reads 1 to %d): %w", s.Type, version, s.SchemaVersion, ErrSchemaVersion)
	}
	for v := version; v < s.SchemaVersion; v++ {
		up, ok := s.upcasters[v]
		if !ok {
			return nil, fmt.Errorf("%s: no upcaster from schema version %d: %w", s.Type, v, ErrSchemaVersion)
		}
		next, err := up(data)
		if err != nil {
			return nil, fmt.Errorf("upcast %s from schema version %d: %w", s.Type, v, err)
		}
		data = next
	}
	return s.decode(data)
}

// Is reports whether e is an event of this type: a value of GoType (a pointer to one
// is not).
func (s EventSpec) Is(e Event) bool { return e != nil && reflect.TypeOf(e) == s.GoType }

// Party names the bank or bureau an event of this type concerns, given the case after
// it ("" when it concerns none in particular, or e is not of this type).
func (s EventSpec) Party(e Event, after Case) string {
	if s.party == nil || !s.Is(e) {
		return ""
	}
	return s.party(e, after)
}

// decodeAs decodes data into a value of T: events leave the codec as values, as
// Decide makes them.
func decodeAs[T Event](data []byte) (Event, error) {
	var e T
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, err
	}
	return e, nil
}

// personalType is the type the Personal field of struct type t points to, or nil.
func personalType(t reflect.Type) reflect.Type {
	if t.Kind() != reflect.Struct {
		return nil
	}
	f, ok := t.FieldByName("Personal")
	if !ok || f.Type.Kind() != reflect.Pointer {
		return nil
	}
	return f.Type.Elem()
}

// caseEvent describes a case event: the stage it reaches, the party it concerns and
// how it changes a case. Each concern file lists its case events with it:
//
//	caseEvent[CreditReportObtained]{stage: StageCreditRepair, evolve: evolveCreditReportObtained,
//		party: func(e CreditReportObtained, _ Case) string { return e.Bureau }}.spec()
type caseEvent[T Event] struct {
	stage  Stage                        // "" when it reaches no stage
	party  func(e T, after Case) string // nil when it concerns no bank or bureau in particular
	evolve func(c Case, e T) Case       // required: how the case changes
	// fast decodes the type's usual stored form without reflection, reporting false
	// for any other (encoding/json then decodes it); nil for none (decode_fast.go).
	fast func(data []byte) (T, bool)
}

func (d caseEvent[T]) spec() EventSpec {
	s := DescribeEvent[T](AggregateCase)
	s.Stage = d.stage
	s.evolve = func(c Case, e Event) Case { return d.evolve(c, e.(T)) }
	if d.party != nil {
		s.party = func(e Event, after Case) string { return d.party(e.(T), after) }
	}
	if d.fast != nil {
		s.decode = func(data []byte) (Event, error) {
			if e, ok := d.fast(data); ok {
				return e, nil
			}
			return decodeAs[T](data)
		}
	}
	return s
}
