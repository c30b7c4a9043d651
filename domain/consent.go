package domain

import (
	"fmt"
	"slices"
	"time"
)

// Consent is a set of grants: a recipient organisation may receive some categories of
// the survivor's data for some purposes until the grant expires or is withdrawn. It
// decides where data flows: a bank or a bureau acts on a case only under a grant in
// force (requireConsent).

// DataCategory groups case data by sensitivity; consent is granted per category.
type DataCategory string

const (
	DataIdentity DataCategory = "identity"
	DataBanking  DataCategory = "banking"
	DataCredit   DataCategory = "credit"
	DataNotes    DataCategory = "notes"
)

func AllDataCategory() []DataCategory {
	return []DataCategory{DataIdentity, DataBanking, DataCredit, DataNotes}
}

func (x DataCategory) Valid() bool { return slices.Contains(AllDataCategory(), x) }

// Purpose is what a recipient may use the survivor's data for.
type Purpose string

const (
	PurposeBanking            Purpose = "banking"
	PurposeCreditRepair       Purpose = "credit_repair"
	PurposeCoalitionAnalytics Purpose = "coalition_analytics"
)

func AllPurpose() []Purpose {
	return []Purpose{PurposeBanking, PurposeCreditRepair, PurposeCoalitionAnalytics}
}

func (x Purpose) Valid() bool { return slices.Contains(AllPurpose(), x) }

// ConsentGrant lets one recipient organisation receive some categories of the
// survivor's data for some purposes until it expires or is withdrawn.
type ConsentGrant struct {
	ID          string
	Recipient   string
	Categories  []DataCategory
	Purposes    []Purpose
	GrantedAt   time.Time
	ExpiresAt   time.Time
	Withdrawn   bool
	WithdrawnAt time.Time
}

// ---- Commands and events -----------------------------------------------------------

type GrantConsent struct {
	GrantID    string `waymark:"new"`
	Recipient  OrgRef
	Categories []DataCategory
	Purposes   []Purpose
	ExpiresAt  time.Time
}

type WithdrawConsent struct {
	GrantID string
}

// ConsentGranted: the survivor agreed that Recipient may receive these categories
// of data for these purposes until ExpiresAt.
type ConsentGranted struct {
	GrantID    string         `json:"grantId" waymark:"id"`
	Recipient  string         `json:"recipient" waymark:"id"` // organisation id
	Categories []DataCategory `json:"categories"`
	Purposes   []Purpose      `json:"purposes"`
	ExpiresAt  time.Time      `json:"expiresAt"`
	At         time.Time      `json:"at"`
}

// ConsentWithdrawn: the survivor withdrew a grant; it no longer lets data flow.
type ConsentWithdrawn struct {
	GrantID string    `json:"grantId" waymark:"id"`
	At      time.Time `json:"at"`
}

func (GrantConsent) CommandType() string    { return "GrantConsent" }
func (WithdrawConsent) CommandType() string { return "WithdrawConsent" }
func (ConsentGranted) EventType() string    { return "ConsentGranted" }
func (ConsentWithdrawn) EventType() string  { return "ConsentWithdrawn" }

// ---- Table -------------------------------------------------------------------------

func consentConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[GrantConsent]{decide: decideGrantConsent}.spec(),
			// Less data flowing is always allowed: a survivor may withdraw consent from
			// a closed case too.
			caseCommand[WithdrawConsent]{on: onAnyCase, decide: decideWithdrawConsent}.spec(),
		},
		events: []EventSpec{
			caseEvent[ConsentGranted]{
				party:  func(e ConsentGranted, _ Case) string { return e.Recipient },
				evolve: evolveConsentGranted,
			}.spec(),
			caseEvent[ConsentWithdrawn]{
				party:  func(e ConsentWithdrawn, after Case) string { return after.Grants[e.GrantID].Recipient },
				evolve: evolveConsentWithdrawn,
			}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

// InForce reports whether the grant lets data flow at now: not withdrawn and not yet
// expired (a grant expires at ExpiresAt itself).
func (g ConsentGrant) InForce(now time.Time) bool {
	return !g.Withdrawn && now.Before(g.ExpiresAt)
}

// Covers reports whether the grant, in force at now, lets recipient receive data for
// purpose p.
func (g ConsentGrant) Covers(recipient string, p Purpose, now time.Time) bool {
	return g.InForce(now) && g.Recipient == recipient && slices.Contains(g.Purposes, p)
}

// ConsentFor finds a grant in force at now that lets recipient receive data for p.
// When several do, it picks the one that lasts longest (then the smallest id), so
// the choice recorded in an event does not depend on map order.
func (c Case) ConsentFor(recipient string, p Purpose, now time.Time) (ConsentGrant, bool) {
	var best ConsentGrant
	found := false
	for _, g := range c.Grants {
		if !g.Covers(recipient, p, now) {
			continue
		}
		if !found || g.ExpiresAt.After(best.ExpiresAt) || (g.ExpiresAt.Equal(best.ExpiresAt) && g.ID < best.ID) {
			best, found = g, true
		}
	}
	return best, found
}

func requireConsent(c Case, kind, recipient string, p Purpose, now time.Time) (ConsentGrant, error) {
	g, ok := c.ConsentFor(recipient, p, now)
	if !ok {
		return g, consentRequired(fmt.Sprintf("no consent grant in force lets %s %s receive data for %s", kind, recipient, p))
	}
	return g, nil
}

func decideGrantConsent(c Case, cmd GrantConsent, now time.Time) ([]Event, error) {
	if err := checkID("grantId", cmd.GrantID); err != nil {
		return nil, err
	}
	if _, used := c.Grants[cmd.GrantID]; used {
		return nil, invalid("grantId", fmt.Sprintf("grant id %s is already used on this case; a new grant needs a new id", cmd.GrantID))
	}
	if err := checkOrg("recipientOrganisationId", cmd.Recipient); err != nil {
		return nil, err
	}
	if err := checkList("categories", cmd.Categories, true); err != nil {
		return nil, err
	}
	if err := checkList("purposes", cmd.Purposes, true); err != nil {
		return nil, err
	}
	if !cmd.ExpiresAt.After(now) {
		return nil, invalid("expiresAt", fmt.Sprintf("consent must expire in the future (after %s)", now.Format(time.RFC3339)))
	}
	return one(ConsentGranted{
		GrantID: cmd.GrantID, Recipient: cmd.Recipient.ID,
		Categories: cloneList(cmd.Categories), Purposes: cloneList(cmd.Purposes),
		ExpiresAt: cmd.ExpiresAt.UTC(), At: now,
	})
}

func decideWithdrawConsent(c Case, cmd WithdrawConsent, now time.Time) ([]Event, error) {
	if err := checkID("grantId", cmd.GrantID); err != nil {
		return nil, err
	}
	g, ok := c.Grants[cmd.GrantID]
	if !ok {
		return nil, invalid("grantId", fmt.Sprintf("unknown grant %s on this case", cmd.GrantID))
	}
	if g.Withdrawn {
		return nil, transition(fmt.Sprintf("grant %s was already withdrawn on %s", g.ID, g.WithdrawnAt.Format(time.DateOnly)))
	}
	return one(ConsentWithdrawn{GrantID: cmd.GrantID, At: now})
}

// ---- Evolve ------------------------------------------------------------------------

func evolveConsentGranted(c Case, e ConsentGranted) Case {
	c.Grants = with(c.Grants, e.GrantID, ConsentGrant{
		ID: e.GrantID, Recipient: e.Recipient,
		Categories: cloneList(e.Categories), Purposes: cloneList(e.Purposes),
		GrantedAt: e.At, ExpiresAt: e.ExpiresAt,
	})
	return c
}

func evolveConsentWithdrawn(c Case, e ConsentWithdrawn) Case {
	if g, ok := c.Grants[e.GrantID]; ok {
		g.Withdrawn, g.WithdrawnAt = true, e.At
		c.Grants = with(c.Grants, e.GrantID, g)
	}
	return c
}
