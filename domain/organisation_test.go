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
	shelterRegistered := OrganisationRegistered{Name: "Casa Segura", Kind: OrgShelter, Jurisdiction: "MX", At: at(0)}
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

		{name: "register a bank in partner programmes",
			when: RegisterOrganisation{Name: "Banco Uno", Kind: OrgBank, Jurisdiction: "MX", Services: []Service{ServiceBanking},
				Programmes: []Programme{ProgrammeSurvivorInclusion, ProgrammeBasicAccount}},
			then: events(OrganisationRegistered{Name: "Banco Uno", Kind: OrgBank, Jurisdiction: "MX", Services: []Service{ServiceBanking},
				Programmes: []Programme{ProgrammeSurvivorInclusion, ProgrammeBasicAccount}, At: at(10)})},
		{name: "only banks take part in programmes", when: with(func(c *RegisterOrganisation) { c.Programmes = []Programme{ProgrammeFinancialEducation} }),
			wantErr: ErrInvalidInput, wantMsg: "programmes: only a bank takes part in partner programmes; this organisation is a shelter"},
		{name: "unknown programme", when: RegisterOrganisation{Name: "B", Kind: OrgBank, Jurisdiction: "MX", Programmes: []Programme{"loyalty"}},
			wantErr: ErrInvalidInput, wantMsg: "programmes:"},
		{name: "programme listed twice", when: RegisterOrganisation{Name: "B", Kind: OrgBank, Jurisdiction: "MX",
			Programmes: []Programme{ProgrammeBasicAccount, ProgrammeBasicAccount}}, wantErr: ErrInvalidInput, wantMsg: "twice"},

		{name: "a bank updates its services and programmes", given: events(registered),
			when: UpdateOrganisationProfile{Services: []Service{ServiceBanking, ServiceFinancialTraining}, Programmes: []Programme{ProgrammeFinancialEducation}},
			then: events(OrganisationProfileUpdated{Services: []Service{ServiceBanking, ServiceFinancialTraining},
				Programmes: []Programme{ProgrammeFinancialEducation}, At: at(10)})},
		{name: "an update may clear both lists", given: events(registered), when: UpdateOrganisationProfile{Services: []Service{}},
			then: events(OrganisationProfileUpdated{At: at(10)})},
		{name: "a shelter updates its services", given: events(shelterRegistered),
			when: UpdateOrganisationProfile{Services: []Service{ServiceShelter, ServiceInterpretation, ServiceTransport}},
			then: events(OrganisationProfileUpdated{Services: []Service{ServiceShelter, ServiceInterpretation, ServiceTransport}, At: at(10)})},
		{name: "a shelter cannot list programmes", given: events(shelterRegistered),
			when: UpdateOrganisationProfile{Programmes: []Programme{ProgrammeSurvivorInclusion}}, wantErr: ErrInvalidInput, wantMsg: "programmes:"},
		{name: "update with an unknown service", given: events(registered), when: UpdateOrganisationProfile{Services: []Service{"catering"}},
			wantErr: ErrInvalidInput, wantMsg: "services:"},
		{name: "update an organisation never registered", when: UpdateOrganisationProfile{Services: []Service{ServiceBanking}},
			wantErr: ErrUnknownOrganisation, wantMsg: "updateOrganisationProfile: the organisation is not in the directory"},
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
	got := FoldOrganisation(events(e))
	want := Organisation{Registered: true, Active: true, Name: "Banco Uno", Kind: OrgBank, Jurisdiction: "MX", Services: []Service{ServiceBanking}, Version: 1}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	e.Services[0] = ServiceShelter
	if got.Services[0] != ServiceBanking {
		t.Fatalf("the state shares the event's services")
	}

	u := OrganisationProfileUpdated{Services: []Service{ServiceFinancialTraining}, Programmes: []Programme{ProgrammeSurvivorInclusion}, At: at(1)}
	updated := EvolveOrganisation(got, u)
	want = Organisation{Registered: true, Active: true, Name: "Banco Uno", Kind: OrgBank, Jurisdiction: "MX",
		Services: []Service{ServiceFinancialTraining}, Programmes: []Programme{ProgrammeSurvivorInclusion}, Version: 2}
	if !reflect.DeepEqual(updated, want) {
		t.Fatalf("after the update got %+v, want %+v", updated, want)
	}
	u.Programmes[0] = ProgrammeBasicAccount
	if updated.Programmes[0] != ProgrammeSurvivorInclusion || got.Programmes != nil {
		t.Fatalf("the state shares the event's programmes, or the update changed the earlier state")
	}
}

func TestDeactivateAndReactivateOrganisation(t *testing.T) {
	registered := []Event{OrganisationRegistered{Name: "Banco", Kind: OrgBank, Jurisdiction: "MX", At: at(0)}}
	deactivated := append(registered[:1:1], OrganisationDeactivated{At: at(1)})
	decide := func(given []Event, cmd Command) ([]Event, error) {
		return DecideOrganisation(FoldOrganisation(given), cmd, at(2))
	}
	if got, err := decide(registered, DeactivateOrganisation{}); err != nil || !reflect.DeepEqual(got, []Event{OrganisationDeactivated{At: at(2)}}) {
		t.Fatalf("deactivate: %v %v", got, err)
	}
	if o := FoldOrganisation(deactivated); o.Active || !o.Registered || o.Name != "Banco" {
		t.Errorf("a deactivated organisation: %+v", o)
	}
	if _, err := decide(deactivated, DeactivateOrganisation{}); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("deactivated twice: %v", err)
	}
	if got, err := decide(deactivated, ReactivateOrganisation{}); err != nil || !reflect.DeepEqual(got, []Event{OrganisationReactivated{At: at(2)}}) {
		t.Fatalf("reactivate: %v %v", got, err)
	}
	if _, err := decide(registered, ReactivateOrganisation{}); !errors.Is(err, ErrInvalidTransition) {
		t.Errorf("reactivating an active organisation: %v", err)
	}
	if _, err := decide(nil, DeactivateOrganisation{}); !errors.Is(err, ErrUnknownOrganisation) {
		t.Errorf("deactivating an unknown organisation: %v", err)
	}
	if o := FoldOrganisation(append(deactivated, OrganisationReactivated{At: at(3)})); !o.Active {
		t.Errorf("a reactivated organisation: %+v", o)
	}
}
