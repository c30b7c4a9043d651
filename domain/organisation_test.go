package domain

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecideOrganisation(t *testing.T) {
	registered := OrganisationRegistered{Name: "Banco Uno", Kind: OrgBank, Jurisdiction: "MX", Services: []Service{ServiceBanking}, At: at(0)}
	valid := RegisterOrganisation{Name: " Casa Segura ", Kind: OrgShelter, Jurisdiction: "MX",
		Services: []Service{ServiceShelter, ServiceLegalAid, ServiceFinancialTraining}}
	with := func(f func(*RegisterOrganisation)) RegisterOrganisation {
		c := valid
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		given   []Event
		when    Command
		now     time.Time
		then    []Event
		wantErr error
		wantMsg string
	}{
		{name: "register a shelter", when: valid,
			then: events(OrganisationRegistered{Name: "Casa Segura", Kind: OrgShelter, Jurisdiction: "MX",
				Services: []Service{ServiceShelter, ServiceLegalAid, ServiceFinancialTraining}, At: at(10)})},
		{name: "register a bureau with no services listed", when: RegisterOrganisation{Name: "Buró", Kind: OrgCreditBureau, Jurisdiction: "MX", Services: []Service{}},
			then: events(OrganisationRegistered{Name: "Buró", Kind: OrgCreditBureau, Jurisdiction: "MX", At: at(10)})},
		{name: "register twice", given: events(registered), when: valid, wantErr: ErrAlreadyExists, wantMsg: `"Banco Uno" is already registered`},
		{name: "no name", when: with(func(c *RegisterOrganisation) { c.Name = "  " }), wantErr: ErrInvalidInput, wantMsg: "name:"},
		{name: "no kind", when: with(func(c *RegisterOrganisation) { c.Kind = "" }), wantErr: ErrInvalidInput, wantMsg: "kind:"},
		{name: "unknown kind", when: with(func(c *RegisterOrganisation) { c.Kind = "church" }), wantErr: ErrInvalidInput},
		{name: "no jurisdiction", when: with(func(c *RegisterOrganisation) { c.Jurisdiction = "" }), wantErr: ErrInvalidInput, wantMsg: "jurisdiction:"},
		{name: "jurisdiction not upper case", when: with(func(c *RegisterOrganisation) { c.Jurisdiction = "Mx" }), wantErr: ErrInvalidInput},
		{name: "jurisdiction not two letters", when: with(func(c *RegisterOrganisation) { c.Jurisdiction = "USA" }), wantErr: ErrInvalidInput},
		{name: "unknown service", when: with(func(c *RegisterOrganisation) { c.Services = []Service{"catering"} }), wantErr: ErrInvalidInput, wantMsg: "services:"},
		{name: "duplicate service", when: with(func(c *RegisterOrganisation) { c.Services = []Service{ServiceShelter, ServiceShelter} }), wantErr: ErrInvalidInput},
		{name: "a case command is not an organisation command", when: CloseCase{Outcome: ClosureOther}, wantErr: ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := tt.now
			if now.IsZero() {
				now = at(10)
			}
			state := FoldOrganisation(tt.given)
			got, err := DecideOrganisation(state, tt.when, now)
			if !reflect.DeepEqual(state, FoldOrganisation(tt.given)) {
				t.Fatalf("DecideOrganisation changed its state")
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("got %v, %v; want error %v", got, err, tt.wantErr)
				}
				if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not say %q", err, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.then) {
				t.Fatalf("events\n got %#v\nwant %#v", got, tt.then)
			}
		})
	}
}

func TestFoldOrganisation(t *testing.T) {
	e := OrganisationRegistered{Name: "Banco Uno", Kind: OrgBank, Jurisdiction: "MX", Services: []Service{ServiceBanking}, At: at(0)}
	got := FoldOrganisation(events(&e))
	want := Organisation{Registered: true, Name: "Banco Uno", Kind: OrgBank, Jurisdiction: "MX", Services: []Service{ServiceBanking}, Version: 1}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	e.Services[0] = ServiceShelter
	if got.Services[0] != ServiceBanking {
		t.Fatalf("the state shares the event's services")
	}
}
