package domain

import (
	"fmt"
	"strings"
	"time"
)

// Organisation is one entry of the coalition's directory: shelters, NGOs, banks,
// credit bureaus, ID offices and government bodies. It is its own aggregate (its own
// stream) because cases only refer to organisations by id, and the application layer
// resolves them into an OrgRef before deciding a case command.
type Organisation struct {
	Registered   bool
	Name         string
	Kind         OrganisationKind
	Jurisdiction string
	Services     []Service // read-only: EvolveOrganisation never writes into it
	Version      uint64    // events applied so far
}

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
	reg, ok := cmd.(RegisterOrganisation)
	if !ok {
		return nil, invalid("command", fmt.Sprintf("%s is not an organisation command", cmd.CommandType()))
	}
	if o.Registered {
		return nil, alreadyExists(fmt.Sprintf("organisation %q is already registered", o.Name))
	}
	name := strings.TrimSpace(reg.Name)
	if name == "" {
		return nil, invalid("name", "the organisation's name is required")
	}
	if !reg.Kind.Valid() {
		return nil, invalid("kind", fmt.Sprintf("unknown organisation kind %q", reg.Kind))
	}
	if err := checkJurisdiction("jurisdiction", reg.Jurisdiction); err != nil {
		return nil, err
	}
	if err := checkList("services", reg.Services, false); err != nil {
		return nil, err
	}
	return one(OrganisationRegistered{
		Name: name, Kind: reg.Kind, Jurisdiction: reg.Jurisdiction, Services: cloneList(reg.Services), At: now,
	})
}

// EvolveOrganisation applies one event; like Evolve it bumps Version for every event
// and accepts values or pointers.
func EvolveOrganisation(o Organisation, e Event) Organisation {
	o.Version++
	if r, ok := Deref(e).(OrganisationRegistered); ok {
		o.Registered = true
		o.Name, o.Kind, o.Jurisdiction = r.Name, r.Kind, r.Jurisdiction
		o.Services = cloneList(r.Services)
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
