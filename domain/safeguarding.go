package domain

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Safeguarding. The bank involved or the case's support organisation (its owner) can
// raise a concern on a case (e.g. signs that a trafficker controls the account),
// acknowledge it and resolve it. A concern has exactly those two parties: only they
// may act on it, and only they see it (OpenConcernsFor, ConcernParty).

// ConcernCategory is what a safeguarding concern is about.
type ConcernCategory string

const (
	ConcernTraffickerControl  ConcernCategory = "trafficker_control"
	ConcernCoercion           ConcernCategory = "coercion"
	ConcernSuspiciousActivity ConcernCategory = "suspicious_activity"
	ConcernOther              ConcernCategory = "other"
)

func AllConcernCategory() []ConcernCategory {
	return []ConcernCategory{ConcernTraffickerControl, ConcernCoercion, ConcernSuspiciousActivity, ConcernOther}
}

func (x ConcernCategory) Valid() bool { return slices.Contains(AllConcernCategory(), x) }

// ConcernStatus is where a safeguarding concern stands.
type ConcernStatus string

const (
	ConcernOpen         ConcernStatus = "open"
	ConcernAcknowledged ConcernStatus = "acknowledged"
	ConcernResolved     ConcernStatus = "resolved"
)

func AllConcernStatus() []ConcernStatus {
	return []ConcernStatus{ConcernOpen, ConcernAcknowledged, ConcernResolved}
}

func (x ConcernStatus) Valid() bool { return slices.Contains(AllConcernStatus(), x) }

// ConcernResolution is how a safeguarding concern was resolved.
type ConcernResolution string

const (
	ResolutionSurvivorSafe          ConcernResolution = "survivor_safe"
	ResolutionReferredToAuthorities ConcernResolution = "referred_to_authorities"
	ResolutionAccountRestricted     ConcernResolution = "account_restricted"
	ResolutionNoConcernFound        ConcernResolution = "no_concern_found"
	ResolutionOther                 ConcernResolution = "other"
)

func AllConcernResolution() []ConcernResolution {
	return []ConcernResolution{ResolutionSurvivorSafe, ResolutionReferredToAuthorities, ResolutionAccountRestricted,
		ResolutionNoConcernFound, ResolutionOther}
}

func (x ConcernResolution) Valid() bool { return slices.Contains(AllConcernResolution(), x) }

// MaxConcernTextLength is the longest concern details or resolution, in characters.
const MaxConcernTextLength = 5000

// ConcernDetails is what was seen, written about the survivor: personal.
type ConcernDetails struct {
	Details string `json:"details"`
}

// SafeguardingConcern is one concern on the case.
type SafeguardingConcern struct {
	ConcernID      string
	RaisedBy       string // the owning organisation or Bank
	Bank           string // the bank involved
	Category       ConcernCategory
	Status         ConcernStatus
	RaisedAt       time.Time
	AcknowledgedAt time.Time
	ResolvedAt     time.Time
	Resolution     ConcernResolution // how it was resolved; the text stays sealed in the event
}

// ---- Commands and events -----------------------------------------------------------

type RaiseSafeguardingConcern struct {
	ConcernID string `waymark:"new"`
	By        OrgRef `waymark:"actor"` // the caller's organisation, resolved by the application layer
	Bank      OrgRef // the bank involved
	Category  ConcernCategory
	Details   string
}

type AcknowledgeSafeguardingConcern struct {
	ConcernID string
	By        OrgRef `waymark:"actor"`
}

type ResolveSafeguardingConcern struct {
	ConcernID  string
	By         OrgRef `waymark:"actor"`
	Resolution ConcernResolution
	Text       string // optional: what was done
}

// SafeguardingConcernRaised: the bank or the support organisation raised a concern.
type SafeguardingConcernRaised struct {
	ConcernID string          `json:"concernId" waymark:"id"`
	RaisedBy  string          `json:"raisedBy" waymark:"id"`
	Bank      string          `json:"bank" waymark:"id"`
	Category  ConcernCategory `json:"category"`
	At        time.Time       `json:"at"`
	Personal  *ConcernDetails `json:"personal,omitempty"`
}

// SafeguardingConcernAcknowledged: a party to the concern acknowledged it.
type SafeguardingConcernAcknowledged struct {
	ConcernID string    `json:"concernId" waymark:"id"`
	By        string    `json:"by" waymark:"id"`
	At        time.Time `json:"at"`
}

// SafeguardingConcernResolved: a party to the concern resolved it.
type SafeguardingConcernResolved struct {
	ConcernID  string            `json:"concernId" waymark:"id"`
	By         string            `json:"by" waymark:"id"`
	Resolution ConcernResolution `json:"resolution"`
	At         time.Time         `json:"at"`
	Personal   *ReasonDetails    `json:"personal,omitempty"`
}

func (RaiseSafeguardingConcern) CommandType() string       { return "RaiseSafeguardingConcern" }
func (AcknowledgeSafeguardingConcern) CommandType() string { return "AcknowledgeSafeguardingConcern" }
func (ResolveSafeguardingConcern) CommandType() string     { return "ResolveSafeguardingConcern" }

func (SafeguardingConcernRaised) EventType() string       { return "SafeguardingConcernRaised" }
func (SafeguardingConcernAcknowledged) EventType() string { return "SafeguardingConcernAcknowledged" }
func (SafeguardingConcernResolved) EventType() string     { return "SafeguardingConcernResolved" }

// ---- Table -------------------------------------------------------------------------

func safeguardingConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[RaiseSafeguardingConcern]{decide: decideRaiseSafeguardingConcern,
				by: byConcernParty[RaiseSafeguardingConcern]}.spec(),
			caseCommand[AcknowledgeSafeguardingConcern]{decide: decideAcknowledgeSafeguardingConcern,
				by: byConcernParty[AcknowledgeSafeguardingConcern]}.spec(),
			caseCommand[ResolveSafeguardingConcern]{decide: decideResolveSafeguardingConcern,
				by: byConcernParty[ResolveSafeguardingConcern]}.spec(),
		},
		events: []EventSpec{
			caseEvent[SafeguardingConcernRaised]{stage: StageAccountOpening, evolve: evolveConcernRaised,
				party: func(e SafeguardingConcernRaised, _ Case) string { return e.Bank }}.spec(),
			caseEvent[SafeguardingConcernAcknowledged]{evolve: evolveConcernAcknowledged,
				party: func(e SafeguardingConcernAcknowledged, after Case) string { return after.Concerns[e.ConcernID].Bank }}.spec(),
			caseEvent[SafeguardingConcernResolved]{evolve: evolveConcernResolved,
				party: func(e SafeguardingConcernResolved, after Case) string { return after.Concerns[e.ConcernID].Bank }}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideRaiseSafeguardingConcern(c Case, cmd RaiseSafeguardingConcern, now time.Time) ([]Event, error) {
	bank := cmd.Bank.ID
	if err := checkID("concernId", cmd.ConcernID); err != nil {
		return nil, err
	}
	if err := checkOrg("by", cmd.By); err != nil {
		return nil, err
	}
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if !cmd.Category.Valid() {
		return nil, invalid("category", fmt.Sprintf("unknown concern category %q", cmd.Category))
	}
	details, err := concernText("details", "the concern's details are required", cmd.Details)
	if err != nil {
		return nil, err
	}
	if _, used := c.Concerns[cmd.ConcernID]; used {
		return nil, invalid("concernId", fmt.Sprintf("concern id %s is already used on this case", cmd.ConcernID))
	}
	if cmd.By.ID != c.OwnerOrganisation && cmd.By.ID != bank {
		return nil, transition(fmt.Sprintf("only the bank involved or the case's support organisation can raise a concern; organisation %s is neither", cmd.By.ID))
	}
	if _, ok := c.BankReferrals[bank]; !ok {
		return nil, transition(fmt.Sprintf("a concern only about a bank the case was shown to; it was not referred to bank %s", bank))
	}
	return one(SafeguardingConcernRaised{ConcernID: cmd.ConcernID, RaisedBy: cmd.By.ID, Bank: bank,
		Category: cmd.Category, At: now, Personal: &ConcernDetails{Details: details}})
}

func decideAcknowledgeSafeguardingConcern(c Case, cmd AcknowledgeSafeguardingConcern, now time.Time) ([]Event, error) {
	k, err := concernFor(c, cmd.ConcernID, cmd.By, "acknowledge")
	if err != nil {
		return nil, err
	}
	if k.Status != ConcernOpen {
		return nil, transition(fmt.Sprintf("concern %s is already %s; only an open concern can be acknowledged", k.ConcernID, k.Status))
	}
	return one(SafeguardingConcernAcknowledged{ConcernID: k.ConcernID, By: cmd.By.ID, At: now})
}

func decideResolveSafeguardingConcern(c Case, cmd ResolveSafeguardingConcern, now time.Time) ([]Event, error) {
	if err := checkCode("resolution", cmd.Resolution, "resolution"); err != nil {
		return nil, err
	}
	text, err := cleanText("resolutionText", cmd.Text, textRule{max: MaxConcernTextLength, multiline: true})
	if err != nil {
		return nil, err
	}
	var details *ReasonDetails
	if text != "" {
		details = &ReasonDetails{Text: text}
	}
	k, err := concernFor(c, cmd.ConcernID, cmd.By, "resolve")
	if err != nil {
		return nil, err
	}
	if k.Status == ConcernResolved {
		return nil, transition(fmt.Sprintf("concern %s was already resolved on %s; raise a new one", k.ConcernID, k.ResolvedAt.Format(time.DateOnly)))
	}
	return one(SafeguardingConcernResolved{ConcernID: k.ConcernID, By: cmd.By.ID, Resolution: cmd.Resolution, At: now, Personal: details})
}

// byConcernParty is who acts on a concern: one of its parties, the owner or a bank
// acting for itself (concernFor checks the bank is a party).
func byConcernParty[C Command](C, Case) Performer { return Performer{By: ByConcernParty} }

// concernFor finds a concern that by, one of its parties, may act on.
func concernFor(c Case, id string, by OrgRef, action string) (SafeguardingConcern, error) {
	if err := checkID("concernId", id); err != nil {
		return SafeguardingConcern{}, err
	}
	if err := checkOrg("by", by); err != nil {
		return SafeguardingConcern{}, err
	}
	k, ok := c.Concerns[id]
	if !ok {
		return k, invalid("concernId", fmt.Sprintf("unknown concern %s on this case", id))
	}
	if !c.ConcernParty(id, by.ID) {
		return k, transition(fmt.Sprintf("only the bank or the support organisation of a concern can %s it; organisation %s is neither", action, by.ID))
	}
	return k, nil
}

func concernText(field, missing, text string) (string, error) {
	return cleanText(field, text, textRule{max: MaxConcernTextLength, multiline: true, required: missing})
}

// ConcernParty reports whether org is a party to the concern: the case's owning
// organisation or the bank the concern is about. False for an unknown concern.
func (c Case) ConcernParty(concernID, org string) bool {
	k, ok := c.Concerns[concernID]
	return ok && org != "" && (org == c.OwnerOrganisation || org == k.Bank)
}

// OpenConcernsFor lists the concerns not yet resolved (open or acknowledged) that org
// may see. The case's owning organisation sees all of them; any other organisation
// sees those it raised or that are about it as the bank (so a bank never sees a
// concern about another bank). Oldest first, then by id; nil when there are none.
func (c Case) OpenConcernsFor(org string) []SafeguardingConcern {
	if org == "" {
		return nil
	}
	var out []SafeguardingConcern
	for _, k := range c.Concerns {
		if k.Status == ConcernResolved {
			continue
		}
		if org == c.OwnerOrganisation || org == k.RaisedBy || org == k.Bank {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b SafeguardingConcern) int {
		return cmp.Or(a.RaisedAt.Compare(b.RaisedAt), cmp.Compare(a.ConcernID, b.ConcernID))
	})
	return out
}

// ---- Evolve ------------------------------------------------------------------------

func evolveConcernRaised(c Case, e SafeguardingConcernRaised) Case {
	c.Concerns = with(c.Concerns, e.ConcernID, SafeguardingConcern{ConcernID: e.ConcernID, RaisedBy: e.RaisedBy,
		Bank: e.Bank, Category: e.Category, Status: ConcernOpen, RaisedAt: e.At})
	return c
}

func evolveConcernAcknowledged(c Case, e SafeguardingConcernAcknowledged) Case {
	if k, ok := c.Concerns[e.ConcernID]; ok {
		k.Status, k.AcknowledgedAt = ConcernAcknowledged, e.At
		c.Concerns = with(c.Concerns, e.ConcernID, k)
	}
	return c
}

func evolveConcernResolved(c Case, e SafeguardingConcernResolved) Case {
	if k, ok := c.Concerns[e.ConcernID]; ok {
		k.Status, k.Resolution, k.ResolvedAt = ConcernResolved, e.Resolution, e.At
		c.Concerns = with(c.Concerns, e.ConcernID, k)
	}
	return c
}
