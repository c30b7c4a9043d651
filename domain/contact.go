package domain

import (
	"fmt"
	"slices"
	"time"
)

// Safe-contact rules: how the survivor may be contacted (channels allowed, channels
// forbidden, and notes such as "never by post to the old address"). The owning
// organisation sets them (the access package decides who may); every organisation
// that may contact the survivor is shown them. Setting them replaces earlier rules.

// ContactChannel is a way of reaching the survivor.
type ContactChannel string

const (
	ChannelPhone          ContactChannel = "phone"
	ChannelSMS            ContactChannel = "sms"
	ChannelEmail          ContactChannel = "email"
	ChannelPost           ContactChannel = "post"
	ChannelInPerson       ContactChannel = "in_person"
	ChannelThroughShelter ContactChannel = "through_shelter"
)

func AllContactChannel() []ContactChannel {
	return []ContactChannel{ChannelPhone, ChannelSMS, ChannelEmail, ChannelPost, ChannelInPerson, ChannelThroughShelter}
}

func (x ContactChannel) Valid() bool { return slices.Contains(AllContactChannel(), x) }

// ContactDetails holds the notes of the contact rules; personal, as they can name
// places and people to avoid.
type ContactDetails struct {
	Notes string `json:"notes"`
}

// SafeContactRules are the rules in force (the notes stay sealed in the event).
type SafeContactRules struct {
	Allowed   []ContactChannel
	Forbidden []ContactChannel
	SetAt     time.Time
}

type SetSafeContactRules struct {
	Allowed   []ContactChannel // at least one
	Forbidden []ContactChannel
	Notes     string // optional, at most MaxNoteLength characters
}

// SafeContactRulesSet: the safe-contact rules were set, replacing any earlier ones.
type SafeContactRulesSet struct {
	Allowed   []ContactChannel `json:"allowed"`
	Forbidden []ContactChannel `json:"forbidden,omitempty"`
	At        time.Time        `json:"at"`
	Personal  *ContactDetails  `json:"personal,omitempty"`
}

func (SetSafeContactRules) CommandType() string { return "SetSafeContactRules" }
func (SafeContactRulesSet) EventType() string   { return "SafeContactRulesSet" }

// ---- Table -------------------------------------------------------------------------

func contactConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[SetSafeContactRules]{decide: decideSetSafeContactRules}.spec(),
		},
		events: []EventSpec{
			caseEvent[SafeContactRulesSet]{evolve: evolveSafeContactRulesSet}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideSetSafeContactRules(_ Case, cmd SetSafeContactRules, now time.Time) ([]Event, error) {
	if err := checkList("allowed", cmd.Allowed, true); err != nil {
		return nil, err
	}
	if err := checkList("forbidden", cmd.Forbidden, false); err != nil {
		return nil, err
	}
	for _, ch := range cmd.Forbidden {
		if slices.Contains(cmd.Allowed, ch) {
			return nil, invalid("forbidden", fmt.Sprintf("%q is both allowed and forbidden", string(ch)))
		}
	}
	notes, err := cleanText("notes", cmd.Notes, textRule{max: MaxNoteLength, multiline: true})
	if err != nil {
		return nil, err
	}
	e := SafeContactRulesSet{Allowed: cloneList(cmd.Allowed), Forbidden: cloneList(cmd.Forbidden), At: now}
	if notes != "" {
		e.Personal = &ContactDetails{Notes: notes}
	}
	return one(e)
}

// ---- Evolve ------------------------------------------------------------------------

// evolveSafeContactRulesSet replaces the rules: a new value, never the old one changed.
func evolveSafeContactRulesSet(c Case, e SafeContactRulesSet) Case {
	c.ContactRules = &SafeContactRules{Allowed: cloneList(e.Allowed), Forbidden: cloneList(e.Forbidden), SetAt: e.At}
	return c
}
