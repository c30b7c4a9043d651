package domain

import (
	"reflect"
	"slices"
)

// The table: every case command and every event, each described once, by the concern
// file it belongs to. Each concern contributes its part through one function (its
// commands, then its events); concerns lists them. Nothing registers itself: the
// table is built once from these functions when the package is loaded, and never
// changed afterwards (lookups hand out copies).

// concern is one concern file's part of the table.
type concern struct {
	commands []commandSpec // its case commands
	events   []EventSpec   // its events
}

// concerns lists every concern's part, case events first in journey order, then the
// organisation and revocation aggregates'.
func concerns() []concern {
	return []concern{
		referralConcern(),
		consentConcern(),
		idRecoveryConcern(),
		bankingConcern(),
		offersConcern(),
		dueDiligenceConcern(),
		safeguardingConcern(),
		contactConcern(),
		creditConcern(),
		barriersConcern(),
		lifecycleConcern(),
		transferConcern(),
		organisationConcern(),
		surveyConcern(),
		revocationConcern(),
	}
}

// table is the table indexed for lookups.
type table struct {
	events        []EventSpec
	eventByName   map[string]int       // index into events
	eventByGoType map[reflect.Type]int // index into events
	commands      map[reflect.Type]commandSpec
}

// theTable is built once and only ever read. (A duplicate name or type keeps its
// first entry; TestTableHasNoDuplicates refuses both.)
var theTable = buildTable(concerns())

func buildTable(cs []concern) table {
	t := table{eventByName: map[string]int{}, eventByGoType: map[reflect.Type]int{}, commands: map[reflect.Type]commandSpec{}}
	for _, c := range cs {
		for _, s := range c.events {
			if _, dup := t.eventByName[s.Type]; dup {
				continue
			}
			if _, dup := t.eventByGoType[s.GoType]; dup {
				continue
			}
			t.eventByName[s.Type] = len(t.events)
			t.eventByGoType[s.GoType] = len(t.events)
			t.events = append(t.events, s)
		}
		for _, s := range c.commands {
			if _, dup := t.commands[s.goType]; !dup {
				t.commands[s.goType] = s
			}
		}
	}
	return t
}

// Events describes every event type, in the order of concerns.
func Events() []EventSpec { return slices.Clone(theTable.events) }

// EventTypes lists every stored event type name, in the order of Events.
func EventTypes() []string {
	out := make([]string, len(theTable.events))
	for i, s := range theTable.events {
		out[i] = s.Type
	}
	return out
}

// EventSpecFor describes the event type stored under name; false for a name this code
// does not know.
func EventSpecFor(name string) (EventSpec, bool) {
	i, ok := theTable.eventByName[name]
	if !ok {
		return EventSpec{}, false
	}
	return theTable.events[i], true
}

// EventSpecOf describes e's type; false when e is not an event of the table (a
// pointer to one included).
func EventSpecOf(e Event) (EventSpec, bool) {
	if e == nil {
		return EventSpec{}, false
	}
	i, ok := theTable.eventByGoType[reflect.TypeOf(e)]
	if !ok {
		return EventSpec{}, false
	}
	return theTable.events[i], true
}

// PartyOf names the bank, bureau or other organisation a case event concerns, given
// the case after it ("" when it concerns none in particular). Banks and bureaus see
// only the journey steps that concern them or no one: another bank's offer, or a
// concern involving another bank, is none of their business.
func PartyOf(e Event, after Case) string {
	s, ok := EventSpecOf(e)
	if !ok {
		return ""
	}
	return s.Party(e, after)
}

// caseCommandFor finds cmd's row of the command table; false for a command that is
// not a case command (a pointer to one included).
func caseCommandFor(cmd Command) (commandSpec, bool) {
	if cmd == nil {
		return commandSpec{}, false
	}
	s, ok := theTable.commands[reflect.TypeOf(cmd)]
	return s, ok
}
