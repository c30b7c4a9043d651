package domain

import (
	"fmt"
	"slices"
	"time"
)

// Organisation is one entry of the coalition's directory: shelters, NGOs, banks,
// credit bureaus, ID offices and government bodies. It is its own aggregate (its own
// stream) because cases only refer to organisations by id, and the application layer
// resolves them into an OrgRef before deciding a case command.
type Organisation struct {
	Registered   bool
	Active       bool // registered and not deactivated: its staff's tokens work, commands may name it
	Name         string
	Kind         OrganisationKind
	Jurisdiction string
	Services     []Service   // read-only: EvolveOrganisation never writes into it
	Programmes   []Programme // the partner programmes a bank takes part in; read-only
	Version      uint64      // events applied so far
}

// OrganisationKind is the role an organisation plays in the coalition.
type OrganisationKind string

const (
	OrgShelter      OrganisationKind = "shelter"
	OrgNGO          OrganisationKind = "ngo"
	OrgBank         OrganisationKind = "bank"
	OrgCreditBureau OrganisationKind = "credit_bureau"
	OrgIDOffice     OrganisationKind = "id_office"
	OrgGovernment   OrganisationKind = "government" // a government service that works with survivors
	// OrgCoalition is the coalition itself (its audit and analytics teams, the
	// funder's or regulator's office): it holds no cases and serves no survivor.
	OrgCoalition OrganisationKind = "coalition"
)

func AllOrganisationKind() []OrganisationKind {
	return []OrganisationKind{OrgShelter, OrgNGO, OrgBank, OrgCreditBureau, OrgIDOffice, OrgGovernment, OrgCoalition}
}

func (x OrganisationKind) Valid() bool { return slices.Contains(AllOrganisationKind(), x) }

// SupportsSurvivors reports whether organisations of this kind work with survivors
// directly, and so may refer them and own their cases: shelters, NGOs and government
// services (a victim-services unit, a labour inspectorate's support team).
func (x OrganisationKind) SupportsSurvivors() bool {
	return x == OrgShelter || x == OrgNGO || x == OrgGovernment
}

// Service is something an organisation offers.
type Service string

const (
	ServiceShelter           Service = "shelter"
	ServiceLegalAid          Service = "legal_aid"
	ServiceIDAssistance      Service = "id_assistance"
	ServiceFinancialTraining Service = "financial_training"
	ServiceTransport         Service = "transport"
	ServiceInterpretation    Service = "interpretation"
	ServiceBanking           Service = "banking"
	ServiceCreditReporting   Service = "credit_reporting"
	ServiceIDIssuance        Service = "id_issuance"
)

func AllService() []Service {
	return []Service{ServiceShelter, ServiceLegalAid, ServiceIDAssistance, ServiceFinancialTraining, ServiceTransport,
		ServiceInterpretation, ServiceBanking, ServiceCreditReporting, ServiceIDIssuance}
}

func (x Service) Valid() bool { return slices.Contains(AllService(), x) }

// Programme is a partner programme a bank takes part in.
type Programme string

const (
	ProgrammeSurvivorInclusion  Programme = "survivor_inclusion"
	ProgrammeFinancialEducation Programme = "financial_education"
	ProgrammeBasicAccount       Programme = "basic_account_programme"
)

func AllProgramme() []Programme {
	return []Programme{ProgrammeSurvivorInclusion, ProgrammeFinancialEducation, ProgrammeBasicAccount}
}

func (x Programme) Valid() bool { return slices.Contains(AllProgramme(), x) }

// ---- Commands and events -----------------------------------------------------------

type RegisterOrganisation struct {
	Name         string
	Kind         OrganisationKind
	Jurisdiction string
	Services     []Service
	Programmes   []Programme // partner programmes; only a bank takes part in them
}

// UpdateOrganisationProfile replaces the services an organisation offers and the
// programmes it takes part in (both lists; an empty list clears it).
type UpdateOrganisationProfile struct {
	Services   []Service
	Programmes []Programme
}

// OrganisationRegistered: an organisation joined the coalition's directory.
type OrganisationRegistered struct {
	Name         string           `json:"name" waymark:"public"`
	Kind         OrganisationKind `json:"kind"`
	Jurisdiction string           `json:"jurisdiction" waymark:"code"`
	Services     []Service        `json:"services,omitempty"`
	Programmes   []Programme      `json:"programmes,omitempty"`
	At           time.Time        `json:"at"`
}

// OrganisationProfileUpdated: the organisation's services and programmes were replaced.
type OrganisationProfileUpdated struct {
	Services   []Service   `json:"services,omitempty"`
	Programmes []Programme `json:"programmes,omitempty"`
	At         time.Time   `json:"at"`
}

// DeactivateOrganisation takes an organisation out of service (it left the coalition,
// or its credentials are compromised): its staff's tokens are refused and no new
// command may name it. Its history stays as it is.
type DeactivateOrganisation struct{}

// ReactivateOrganisation puts a deactivated organisation back in service.
type ReactivateOrganisation struct{}

// OrganisationDeactivated: the organisation was taken out of service.
type OrganisationDeactivated struct {
	At time.Time `json:"at"`
}

// OrganisationReactivated: the organisation was put back in service.
type OrganisationReactivated struct {
	At time.Time `json:"at"`
}

func (RegisterOrganisation) CommandType() string      { return "RegisterOrganisation" }
func (UpdateOrganisationProfile) CommandType() string { return "UpdateOrganisationProfile" }
func (DeactivateOrganisation) CommandType() string    { return "DeactivateOrganisation" }
func (ReactivateOrganisation) CommandType() string    { return "ReactivateOrganisation" }
func (OrganisationRegistered) EventType() string      { return "OrganisationRegistered" }
func (OrganisationProfileUpdated) EventType() string  { return "OrganisationProfileUpdated" }
func (OrganisationDeactivated) EventType() string     { return "OrganisationDeactivated" }
func (OrganisationReactivated) EventType() string     { return "OrganisationReactivated" }

// ---- Table -------------------------------------------------------------------------

// organisationConcern: the directory's events. Its commands are decided by
// DecideOrganisation, not on cases, so they are not in the case command table.
func organisationConcern() concern {
	return concern{
		events: []EventSpec{
			DescribeEvent[OrganisationRegistered](AggregateOrganisation),
			DescribeEvent[OrganisationProfileUpdated](AggregateOrganisation),
			DescribeEvent[OrganisationDeactivated](AggregateOrganisation),
			DescribeEvent[OrganisationReactivated](AggregateOrganisation),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

// DecideOrganisation checks an organisation command at now and returns its events.
// Like Decide it is pure and returns *RuleError values wrapping the sentinels.
func DecideOrganisation(o Organisation, cmd Command, now time.Time) ([]Event, error) {
	events, err := decideOrganisation(o, cmd, now.UTC())
	if err != nil {
		return nil, inCommand(cmd, err)
	}
	return events, nil
}

func decideOrganisation(o Organisation, cmd Command, now time.Time) ([]Event, error) {
	if cmd == nil {
		return nil, invalid("command", "no command given")
	}
	switch cmd := cmd.(type) {
	case RegisterOrganisation:
		return decideRegisterOrganisation(o, cmd, now)
	case UpdateOrganisationProfile:
		return decideUpdateOrganisationProfile(o, cmd, now)
	case AnswerBaselineSurvey:
		return decideAnswerBaselineSurvey(o, cmd, now)
	case DeactivateOrganisation:
		if !o.Registered {
			return nil, unknownOrganisation("", "the organisation is not in the directory")
		}
		if !o.Active {
			return nil, transition("the organisation is already deactivated")
		}
		return one(OrganisationDeactivated{At: now})
	case ReactivateOrganisation:
		if !o.Registered {
			return nil, unknownOrganisation("", "the organisation is not in the directory")
		}
		if o.Active {
			return nil, transition("the organisation is active")
		}
		return one(OrganisationReactivated{At: now})
	}
	return nil, invalid("command", fmt.Sprintf("%s is not an organisation command", cmd.CommandType()))
}

func decideRegisterOrganisation(o Organisation, reg RegisterOrganisation, now time.Time) ([]Event, error) {
	if o.Registered {
		return nil, alreadyExists(fmt.Sprintf("organisation %q is already registered", o.Name))
	}
	name, err := cleanText("name", reg.Name, textRule{max: MaxNameLength, required: "the organisation's name is required"})
	if err != nil {
		return nil, err
	}
	if !reg.Kind.Valid() {
		return nil, invalid("kind", fmt.Sprintf("unknown organisation kind %q", reg.Kind))
	}
	if err := checkJurisdiction("jurisdiction", reg.Jurisdiction); err != nil {
		return nil, err
	}
	if err := checkProfile(reg.Kind, reg.Services, reg.Programmes); err != nil {
		return nil, err
	}
	return one(OrganisationRegistered{
		Name: name, Kind: reg.Kind, Jurisdiction: reg.Jurisdiction,
		Services: cloneList(reg.Services), Programmes: cloneList(reg.Programmes), At: now,
	})
}

func decideUpdateOrganisationProfile(o Organisation, cmd UpdateOrganisationProfile, now time.Time) ([]Event, error) {
	if !o.Registered {
		return nil, unknownOrganisation("", "the organisation is not in the directory; register it first")
	}
	if err := checkProfile(o.Kind, cmd.Services, cmd.Programmes); err != nil {
		return nil, err
	}
	return one(OrganisationProfileUpdated{Services: cloneList(cmd.Services), Programmes: cloneList(cmd.Programmes), At: now})
}

// checkProfile checks the services and programmes of an organisation of kind k: only
// a bank takes part in partner programmes.
func checkProfile(k OrganisationKind, services []Service, programmes []Programme) error {
	if err := checkList("services", services, false); err != nil {
		return err
	}
	if err := checkList("programmes", programmes, false); err != nil {
		return err
	}
	if len(programmes) > 0 && k != OrgBank {
		return invalid("programmes", fmt.Sprintf("only a bank takes part in partner programmes; this organisation is a %s", kindName(k)))
	}
	return nil
}

// ---- Evolve ------------------------------------------------------------------------

// EvolveOrganisation applies one event; like Evolve it bumps Version for every event.
// The directory's events are its own: a plain switch is its dispatch (a survey
// answer only counts: nothing the directory decides reads it).
func EvolveOrganisation(o Organisation, e Event) Organisation {
	o.Version++
	switch e := e.(type) {
	case OrganisationRegistered:
		o.Registered, o.Active = true, true
		o.Name, o.Kind, o.Jurisdiction = e.Name, e.Kind, e.Jurisdiction
		o.Services, o.Programmes = cloneList(e.Services), cloneList(e.Programmes)
	case OrganisationProfileUpdated:
		o.Services, o.Programmes = cloneList(e.Services), cloneList(e.Programmes)
	case OrganisationDeactivated:
		o.Active = false
	case OrganisationReactivated:
		o.Active = true
	}
	return o
}

// FoldOrganisation rebuilds an organisation from its events, oldest first.
func FoldOrganisation(events []Event) Organisation {
	var o Organisation
	for _, e := range events {
		o = EvolveOrganisation(o, e)
	}
	return o
}
