package domain

import (
	"fmt"
	"slices"
	"time"
)

// Due diligence without standard ID. Many survivors have no usable ID, so the support
// organisation can give a bank an alternative due-diligence pack instead: a signed
// letter on its letterhead, an accompanied branch visit by a named staff member, its
// own address for correspondence. The bank records whether it accepted the pack. An
// account is opened only with an obtained ID document of a kind the bank accepts or
// an accepted pack (AcceptsForOpening).

// PackStatus is where a due-diligence pack stands with its bank.
type PackStatus string

const (
	PackPending  PackStatus = "pending"
	PackAccepted PackStatus = "accepted"
	PackRejected PackStatus = "rejected"
)

func AllPackStatus() []PackStatus { return []PackStatus{PackPending, PackAccepted, PackRejected} }

func (x PackStatus) Valid() bool { return slices.Contains(AllPackStatus(), x) }

// PackRejectionReason is why a bank did not accept a due-diligence pack.
type PackRejectionReason string

const (
	PackInsufficientEvidence      PackRejectionReason = "insufficient_evidence"
	PackPolicyRequiresID          PackRejectionReason = "policy_requires_id"
	PackOrganisationNotRecognised PackRejectionReason = "organisation_not_recognised"
	PackVisitNotCompleted         PackRejectionReason = "visit_not_completed"
	PackRejectionOther            PackRejectionReason = "other"
)

func AllPackRejectionReason() []PackRejectionReason {
	return []PackRejectionReason{PackInsufficientEvidence, PackPolicyRequiresID, PackOrganisationNotRecognised,
		PackVisitNotCompleted, PackRejectionOther}
}

func (x PackRejectionReason) Valid() bool { return slices.Contains(AllPackRejectionReason(), x) }

// StaffDetails names the staff member who accompanies the survivor to the branch.
// It is personal: a name that, with the case, places a survivor at a branch.
type StaffDetails struct {
	StaffName string `json:"staffName"`
}

// DueDiligencePack is one pack given to one bank.
type DueDiligencePack struct {
	PackID                string
	Bank                  string
	SignedLetter          bool
	AccompaniedVisit      bool
	CorrespondenceAddress bool
	Decision              PackStatus
	ReasonCode            PackRejectionReason // why the bank rejected it
	ProvidedAt            time.Time
	DecidedAt             time.Time
}

// ---- Commands and events -----------------------------------------------------------

type ProvideDueDiligencePack struct {
	PackID                string `waymark:"new"`
	Bank                  OrgRef
	SignedLetter          bool
	AccompaniedVisit      bool
	StaffName             string // required for, and only for, an accompanied visit
	CorrespondenceAddress bool
}

type RecordDueDiligenceDecision struct {
	PackID     string
	Accepted   bool
	ReasonCode PackRejectionReason // required when the pack is rejected
	Reason     string              // optional text
}

// DueDiligencePackProvided: the support organisation gave a bank a pack in place of
// standard ID.
type DueDiligencePackProvided struct {
	PackID                string        `json:"packId" waymark:"id"`
	Bank                  string        `json:"bank" waymark:"id"`
	SignedLetter          bool          `json:"signedLetter"`
	AccompaniedVisit      bool          `json:"accompaniedVisit"`
	CorrespondenceAddress bool          `json:"correspondenceAddress"`
	At                    time.Time     `json:"at"`
	Personal              *StaffDetails `json:"personal,omitempty"`
}

// DueDiligencePackAccepted: the bank accepted the pack in place of standard ID.
type DueDiligencePackAccepted struct {
	PackID string    `json:"packId" waymark:"id"`
	Bank   string    `json:"bank" waymark:"id"`
	At     time.Time `json:"at"`
}

// DueDiligencePackRejected: the bank did not accept the pack.
type DueDiligencePackRejected struct {
	PackID     string              `json:"packId" waymark:"id"`
	Bank       string              `json:"bank" waymark:"id"`
	ReasonCode PackRejectionReason `json:"reasonCode"`
	At         time.Time           `json:"at"`
	Personal   *ReasonDetails      `json:"personal,omitempty"`
}

func (ProvideDueDiligencePack) CommandType() string    { return "ProvideDueDiligencePack" }
func (RecordDueDiligenceDecision) CommandType() string { return "RecordDueDiligenceDecision" }

func (DueDiligencePackProvided) EventType() string { return "DueDiligencePackProvided" }
func (DueDiligencePackAccepted) EventType() string { return "DueDiligencePackAccepted" }
func (DueDiligencePackRejected) EventType() string { return "DueDiligencePackRejected" }

// ---- Table -------------------------------------------------------------------------

func dueDiligenceConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[ProvideDueDiligencePack]{decide: decideProvideDueDiligencePack}.spec(),
			// The bank the pack was given to decides on it.
			caseCommand[RecordDueDiligenceDecision]{decide: decideDueDiligenceDecision,
				by: func(cmd RecordDueDiligenceDecision, c Case) Performer { return bankSide(c.Packs[cmd.PackID].Bank) }}.spec(),
		},
		events: []EventSpec{
			caseEvent[DueDiligencePackProvided]{stage: StageAccountOpening, evolve: evolvePackProvided,
				party: func(e DueDiligencePackProvided, _ Case) string { return e.Bank }}.spec(),
			caseEvent[DueDiligencePackAccepted]{evolve: evolvePackAccepted,
				party: func(e DueDiligencePackAccepted, _ Case) string { return e.Bank }}.spec(),
			caseEvent[DueDiligencePackRejected]{evolve: evolvePackRejected,
				party: func(e DueDiligencePackRejected, _ Case) string { return e.Bank }}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideProvideDueDiligencePack(c Case, cmd ProvideDueDiligencePack, now time.Time) ([]Event, error) {
	bank := cmd.Bank.ID
	if err := checkID("packId", cmd.PackID); err != nil {
		return nil, err
	}
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if !cmd.SignedLetter && !cmd.AccompaniedVisit && !cmd.CorrespondenceAddress {
		return nil, invalid("", "a pack holds at least one of a signed letter, an accompanied visit or the organisation's address for correspondence")
	}
	staff, err := cleanText("staffName", cmd.StaffName, nameRule)
	if err != nil {
		return nil, err
	}
	switch {
	case cmd.AccompaniedVisit && staff == "":
		return nil, invalid("staffName", "name the staff member who accompanies the survivor")
	case !cmd.AccompaniedVisit && staff != "":
		return nil, invalid("staffName", "a staff member is named only for an accompanied visit")
	}
	if _, used := c.Packs[cmd.PackID]; used {
		return nil, invalid("packId", fmt.Sprintf("pack id %s is already used on this case", cmd.PackID))
	}
	if _, ok := c.BankReferrals[bank]; !ok {
		return nil, transition(fmt.Sprintf("a pack only for a bank the case was shown to; it was not referred to bank %s", bank))
	}
	if _, err := requireConsent(c, "bank", bank, PurposeBanking, now); err != nil {
		return nil, err
	}
	e := DueDiligencePackProvided{PackID: cmd.PackID, Bank: bank, SignedLetter: cmd.SignedLetter,
		AccompaniedVisit: cmd.AccompaniedVisit, CorrespondenceAddress: cmd.CorrespondenceAddress, At: now}
	if staff != "" {
		e.Personal = &StaffDetails{StaffName: staff}
	}
	return one(e)
}

// decideDueDiligenceDecision records the bank's answer; a reason given with an
// acceptance is refused rather than dropped.
func decideDueDiligenceDecision(c Case, cmd RecordDueDiligenceDecision, now time.Time) ([]Event, error) {
	if err := checkID("packId", cmd.PackID); err != nil {
		return nil, err
	}
	if cmd.Accepted && (cmd.ReasonCode != "" || cmd.Reason != "") {
		return nil, invalid("reasonCode", "a reason is given only when the pack is rejected")
	}
	var text *ReasonDetails
	if !cmd.Accepted {
		if err := checkCode("reasonCode", cmd.ReasonCode, "reason the bank rejected the pack"); err != nil {
			return nil, err
		}
		var err error
		if text, err = reasonText("reason", cmd.Reason); err != nil {
			return nil, err
		}
	}
	p, ok := c.Packs[cmd.PackID]
	if !ok {
		return nil, invalid("packId", fmt.Sprintf("unknown due-diligence pack %s on this case", cmd.PackID))
	}
	if p.Decision != PackPending {
		return nil, transition(fmt.Sprintf("pack %s was already %s by bank %s; provide a new pack instead", p.PackID, p.Decision, p.Bank))
	}
	if cmd.Accepted {
		return one(DueDiligencePackAccepted{PackID: p.PackID, Bank: p.Bank, At: now})
	}
	return one(DueDiligencePackRejected{PackID: p.PackID, Bank: p.Bank, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

// AcceptsForOpening reports whether the survivor can be identified to bank for an
// account opening: the bank accepted a due-diligence pack, or an ID document was
// obtained whose kind the bank accepts, that is a kind listed in the bank's latest
// offer or, if the bank made no offer, any kind. RecordAccountOpened requires it.
func (c Case) AcceptsForOpening(bank string) bool {
	for _, p := range c.Packs {
		if p.Bank == bank && p.Decision == PackAccepted {
			return true
		}
	}
	offer, offered := c.latestOffer(bank)
	for _, d := range c.Documents {
		if d.Status == DocumentObtained && (!offered || slices.Contains(offer.AcceptedDocuments, d.Kind)) {
			return true
		}
	}
	return false
}

// ---- Evolve ------------------------------------------------------------------------

func evolvePackProvided(c Case, e DueDiligencePackProvided) Case {
	c.Packs = with(c.Packs, e.PackID, DueDiligencePack{
		PackID: e.PackID, Bank: e.Bank, SignedLetter: e.SignedLetter, AccompaniedVisit: e.AccompaniedVisit,
		CorrespondenceAddress: e.CorrespondenceAddress, Decision: PackPending, ProvidedAt: e.At,
	})
	return c
}

func evolvePackAccepted(c Case, e DueDiligencePackAccepted) Case {
	if p, ok := c.Packs[e.PackID]; ok {
		p.Decision, p.DecidedAt = PackAccepted, e.At
		c.Packs = with(c.Packs, e.PackID, p)
	}
	return c
}

func evolvePackRejected(c Case, e DueDiligencePackRejected) Case {
	if p, ok := c.Packs[e.PackID]; ok {
		p.Decision, p.ReasonCode, p.DecidedAt = PackRejected, e.ReasonCode, e.At
		c.Packs = with(c.Packs, e.PackID, p)
	}
	return c
}
