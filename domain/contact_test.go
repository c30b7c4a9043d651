package domain

import (
	"reflect"
	"strings"
	"testing"
)

func TestSetSafeContactRules(t *testing.T) {
	onlyShelter := []ContactChannel{ChannelThroughShelter}
	runCaseTests(t, []caseTest{
		{name: "only through the shelter, never by post", given: events(referred),
			when: SetSafeContactRules{Allowed: onlyShelter, Forbidden: []ContactChannel{ChannelPost, ChannelPhone}, Notes: " never by post to the old address "},
			then: events(SafeContactRulesSet{Allowed: onlyShelter, Forbidden: []ContactChannel{ChannelPost, ChannelPhone}, At: at(10),
				Personal: &ContactDetails{Notes: "never by post to the old address"}})},
		{name: "no notes: nothing personal", given: events(referred),
			when: SetSafeContactRules{Allowed: []ContactChannel{ChannelSMS, ChannelInPerson}, Notes: "  "},
			then: events(SafeContactRulesSet{Allowed: []ContactChannel{ChannelSMS, ChannelInPerson}, At: at(10)})},
		{name: "new rules replace earlier ones", given: events(referred, SafeContactRulesSet{Allowed: onlyShelter, At: at(2)}),
			when: SetSafeContactRules{Allowed: []ContactChannel{ChannelEmail}},
			then: events(SafeContactRulesSet{Allowed: []ContactChannel{ChannelEmail}, At: at(10)})},
		{name: "notes of exactly the maximum length", given: events(referred),
			when: SetSafeContactRules{Allowed: onlyShelter, Notes: strings.Repeat("é", MaxNoteLength)},
			then: events(SafeContactRulesSet{Allowed: onlyShelter, At: at(10), Personal: &ContactDetails{Notes: strings.Repeat("é", MaxNoteLength)}})},

		{name: "no allowed channel", given: events(referred), when: SetSafeContactRules{Forbidden: []ContactChannel{ChannelPost}},
			wantErr: ErrInvalidInput, wantMsg: "allowed: at least one value is required"},
		{name: "unknown allowed channel", given: events(referred), when: SetSafeContactRules{Allowed: []ContactChannel{"pigeon"}},
			wantErr: ErrInvalidInput, wantMsg: "allowed:"},
		{name: "unknown forbidden channel", given: events(referred), when: SetSafeContactRules{Allowed: onlyShelter, Forbidden: []ContactChannel{"fax"}},
			wantErr: ErrInvalidInput, wantMsg: "forbidden:"},
		{name: "allowed twice", given: events(referred), when: SetSafeContactRules{Allowed: []ContactChannel{ChannelSMS, ChannelSMS}},
			wantErr: ErrInvalidInput, wantMsg: "twice"},
		{name: "forbidden twice", given: events(referred), when: SetSafeContactRules{Allowed: onlyShelter, Forbidden: []ContactChannel{ChannelPost, ChannelPost}},
			wantErr: ErrInvalidInput, wantMsg: "twice"},
		{name: "both allowed and forbidden", given: events(referred),
			when:    SetSafeContactRules{Allowed: []ContactChannel{ChannelPhone, ChannelSMS}, Forbidden: []ContactChannel{ChannelPost, ChannelSMS}},
			wantErr: ErrInvalidInput, wantMsg: `forbidden: "sms" is both allowed and forbidden`},
		{name: "notes too long", given: events(referred), when: SetSafeContactRules{Allowed: onlyShelter, Notes: strings.Repeat("x", MaxNoteLength+1)},
			wantErr: ErrInvalidInput, wantMsg: "notes:"},
	})
}

func TestSafeContactRulesEvolve(t *testing.T) {
	first := SafeContactRulesSet{Allowed: []ContactChannel{ChannelThroughShelter}, Forbidden: []ContactChannel{ChannelPost}, At: at(2),
		Personal: &ContactDetails{Notes: "x"}}
	second := SafeContactRulesSet{Allowed: []ContactChannel{ChannelEmail}, At: at(3)}
	before := Fold(events(referred, first))
	after := Evolve(before, second)
	if want := (SafeContactRules{Allowed: []ContactChannel{ChannelThroughShelter}, Forbidden: []ContactChannel{ChannelPost}, SetAt: at(2)}); !reflect.DeepEqual(*before.ContactRules, want) {
		t.Errorf("rules %+v, want %+v", *before.ContactRules, want)
	}
	if want := (SafeContactRules{Allowed: []ContactChannel{ChannelEmail}, SetAt: at(3)}); !reflect.DeepEqual(*after.ContactRules, want) {
		t.Errorf("replaced rules %+v, want %+v", *after.ContactRules, want)
	}
	if before.ContactRules.SetAt != at(2) {
		t.Error("setting new rules changed the earlier state's rules")
	}
	if Fold(events(referred)).ContactRules != nil {
		t.Error("no rules until they are set")
	}
}
