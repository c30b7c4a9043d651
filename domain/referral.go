package domain

import (
	"fmt"
	"slices"
	"time"
)

// Referral opens a case: a shelter, an NGO or a government service refers a survivor,
// with her jurisdiction, her needs and the barriers that keep her from financial
// services, and her personal data (sealed).

const dateLayout = "2006-01-02"

// SurvivorDetails is the survivor's personal data given at referral.
type SurvivorDetails struct {
	FullName    string   `json:"fullName"`
	Aliases     []string `json:"aliases,omitempty"`
	DateOfBirth string   `json:"dateOfBirth,omitempty"` // YYYY-MM-DD
	Phone       string   `json:"phone,omitempty"`
	Email       string   `json:"email,omitempty"`
	Address     string   `json:"address,omitempty"`
}

// ---- Commands and events -----------------------------------------------------------

type ReferSurvivor struct {
	ReferringOrganisation OrgRef
	Jurisdiction          string // ISO 3166-1 alpha-2, e.g. "MX"
	Needs                 []Need
	Barriers              []Barrier
	Survivor              SurvivorDetails
}

// SurvivorReferred opens a case: a shelter or NGO referred a survivor.
type SurvivorReferred struct {
	ReferringOrganisation string           `json:"referringOrganisation" waymark:"id"`
	Jurisdiction          string           `json:"jurisdiction" waymark:"code"`
	Needs                 []Need           `json:"needs,omitempty"`
	Barriers              []Barrier        `json:"barriers,omitempty"`
	At                    time.Time        `json:"at"`
	Personal              *SurvivorDetails `json:"personal,omitempty"`
}

func (ReferSurvivor) CommandType() string  { return "ReferSurvivor" }
func (SurvivorReferred) EventType() string { return "SurvivorReferred" }

// ---- Table -------------------------------------------------------------------------

func referralConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[ReferSurvivor]{on: onNewCase, decide: decideReferSurvivor}.spec(),
		},
		events: []EventSpec{
			caseEvent[SurvivorReferred]{stage: StageReferral, evolve: evolveSurvivorReferred}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideReferSurvivor(c Case, cmd ReferSurvivor, now time.Time) ([]Event, error) {
	if c.Referred {
		return nil, alreadyExists("this case was already referred; a survivor is referred once per case")
	}
	org := cmd.ReferringOrganisation
	if err := checkOrg("referringOrganisationId", org); err != nil {
		return nil, err
	}
	if !org.Kind.SupportsSurvivors() {
		return nil, wrongKind("referringOrganisationId",
			fmt.Sprintf("organisation %s is registered as %s; only a shelter, an NGO or a government service can refer a survivor", org.ID, kindName(org.Kind)))
	}
	if err := checkJurisdiction("jurisdiction", cmd.Jurisdiction); err != nil {
		return nil, err
	}
	if err := checkList("needs", cmd.Needs, false); err != nil {
		return nil, err
	}
	if err := checkList("barriers", cmd.Barriers, false); err != nil {
		return nil, err
	}
	p, err := checkSurvivor(cmd.Survivor, now)
	if err != nil {
		return nil, err
	}
	return one(SurvivorReferred{
		ReferringOrganisation: org.ID, Jurisdiction: cmd.Jurisdiction,
		Needs: cloneList(cmd.Needs), Barriers: cloneList(cmd.Barriers), At: now, Personal: &p,
	})
}

// checkSurvivor checks the survivor's personal data given at referral and returns it
// as stored: trimmed, empty aliases dropped.
func checkSurvivor(s SurvivorDetails, now time.Time) (SurvivorDetails, error) {
	var p SurvivorDetails
	var err error
	if p.FullName, err = cleanText("survivor.fullName", s.FullName, textRule{max: MaxNameLength, required: "the survivor's full name is required"}); err != nil {
		return p, err
	}
	for i, a := range s.Aliases {
		a, err := cleanText(fmt.Sprintf("survivor.aliases[%d]", i), a, nameRule)
		if err != nil {
			return p, err
		}
		if a != "" && !slices.Contains(p.Aliases, a) {
			p.Aliases = append(p.Aliases, a)
		}
	}
	if len(p.Aliases) > MaxAliases {
		return p, invalid("survivor.aliases", fmt.Sprintf("at most %d aliases (got %d)", MaxAliases, len(p.Aliases)))
	}
	if p.DateOfBirth, err = cleanText("survivor.dateOfBirth", s.DateOfBirth, textRule{max: len(dateLayout)}); err != nil {
		return p, err
	}
	if p.DateOfBirth != "" {
		if err := checkDateOfBirth("survivor.dateOfBirth", p.DateOfBirth, now); err != nil {
			return p, err
		}
	}
	if p.Phone, err = cleanText("survivor.phone", s.Phone, textRule{max: MaxPhoneLength}); err != nil {
		return p, err
	}
	if p.Phone != "" {
		if err := checkPhone("survivor.phone", p.Phone); err != nil {
			return p, err
		}
	}
	if p.Email, err = cleanText("survivor.email", s.Email, textRule{max: MaxEmailLength}); err != nil {
		return p, err
	}
	if p.Email != "" {
		if err := checkEmail("survivor.email", p.Email); err != nil {
			return p, err
		}
	}
	if p.Address, err = cleanText("survivor.address", s.Address, textRule{max: MaxAddressLength, multiline: true}); err != nil {
		return p, err
	}
	return p, nil
}

// ---- Evolve ------------------------------------------------------------------------

func evolveSurvivorReferred(c Case, e SurvivorReferred) Case {
	c.Referred = true
	c.OwnerOrganisation = e.ReferringOrganisation
	c.Jurisdiction = e.Jurisdiction
	c.Needs = cloneList(e.Needs)
	c.Barriers = cloneList(e.Barriers)
	c.NeedHistory = spansFrom(e.Needs, e.At)
	c.BarrierHistory = spansFrom(e.Barriers, e.At)
	c.Status = StatusOpen
	return c
}
