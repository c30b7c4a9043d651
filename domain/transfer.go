package domain

import (
	"fmt"
	"slices"
	"time"
)

// Transfers: a survivor moves — to another shelter in the same state, or across a
// border — and her case moves with her. The owning organisation asks another support
// organisation to take the case over, with her consent for that recipient; the
// recipient accepts or declines; the owner may cancel while it waits. On acceptance
// the recipient owns the case and the case is handled in the recipient's
// jurisdiction. It stays the same case: same id, same history, same key, same
// pseudonym in the feed; grants to banks and bureaus stay as they were.
//
// The former owner keeps no access of its own (access/rules.go): the survivor may be
// fleeing someone close to the old organisation, the new owner holds the whole
// history, and the coalition's auditors keep all of it. A consent grant in force
// still shares the case with the former owner, as with any organisation.

// TransferReason is why the owner asks another organisation to take a case over.
type TransferReason string

const (
	TransferSurvivorRelocated  TransferReason = "survivor_relocated"  // she moved, within the country
	TransferReturningHome      TransferReason = "returning_home"      // she returns to her country, or leaves it
	TransferSpecialistServices TransferReason = "specialist_services" // the recipient offers what she needs
	TransferSafety             TransferReason = "safety"              // her safety needs another organisation
	TransferCapacity           TransferReason = "capacity"            // the owner cannot go on supporting her
	TransferOther              TransferReason = "other"
)

func AllTransferReason() []TransferReason {
	return []TransferReason{TransferSurvivorRelocated, TransferReturningHome, TransferSpecialistServices,
		TransferSafety, TransferCapacity, TransferOther}
}

func (x TransferReason) Valid() bool { return slices.Contains(AllTransferReason(), x) }

// TransferDeclineReason is why a recipient declined a case.
type TransferDeclineReason string

const (
	TransferDeclineNoCapacity         TransferDeclineReason = "no_capacity"
	TransferDeclineOutsideServiceArea TransferDeclineReason = "outside_service_area"
	TransferDeclineServiceNotOffered  TransferDeclineReason = "service_not_offered"
	TransferDeclineConflictOfInterest TransferDeclineReason = "conflict_of_interest"
	TransferDeclineOther              TransferDeclineReason = "other"
)

func AllTransferDeclineReason() []TransferDeclineReason {
	return []TransferDeclineReason{TransferDeclineNoCapacity, TransferDeclineOutsideServiceArea,
		TransferDeclineServiceNotOffered, TransferDeclineConflictOfInterest, TransferDeclineOther}
}

func (x TransferDeclineReason) Valid() bool { return slices.Contains(AllTransferDeclineReason(), x) }

// TransferStatus is where a transfer stands; the history of a case's transfers (read
// from its journey) shows it.
type TransferStatus string

const (
	TransferPending   TransferStatus = "pending"
	TransferAccepted  TransferStatus = "accepted"
	TransferDeclined  TransferStatus = "declined"
	TransferCancelled TransferStatus = "cancelled"
)

func AllTransferStatus() []TransferStatus {
	return []TransferStatus{TransferPending, TransferAccepted, TransferDeclined, TransferCancelled}
}

func (x TransferStatus) Valid() bool { return slices.Contains(AllTransferStatus(), x) }

// CaseTransfer is a transfer waiting for the recipient's answer.
type CaseTransfer struct {
	ID             string
	From           string // the owner that asked
	To             string // the recipient organisation
	ToJurisdiction string // the recipient's jurisdiction: the case's once accepted
	ReasonCode     TransferReason
	RequestedAt    time.Time
}

// ---- Commands and events -----------------------------------------------------------

// RequestCaseTransfer: the owner asks Recipient to take the case over.
type RequestCaseTransfer struct {
	TransferID string `waymark:"new"`
	Recipient  OrgRef
	ReasonCode TransferReason
	Reason     string // optional text (personal)
}

// AcceptCaseTransfer: the recipient takes the case over.
type AcceptCaseTransfer struct {
	TransferID string
	By         OrgRef `waymark:"actor"` // the caller's organisation: it must be the recipient
}

// DeclineCaseTransfer: the recipient will not take the case; it stays with its owner.
type DeclineCaseTransfer struct {
	TransferID string
	By         OrgRef `waymark:"actor"`
	ReasonCode TransferDeclineReason
	Reason     string // optional text (personal)
}

// CancelCaseTransfer: the owner withdraws its request before the recipient answered.
type CancelCaseTransfer struct {
	TransferID string
}

// CaseTransferRequested: the owner asked To to take the case over, under the consent
// grant GrantID.
type CaseTransferRequested struct {
	TransferID     string         `json:"transferId" waymark:"id"`
	From           string         `json:"from" waymark:"id"`
	To             string         `json:"to" waymark:"id"`
	ToJurisdiction string         `json:"toJurisdiction" waymark:"code"`
	GrantID        string         `json:"grantId" waymark:"id"`
	ReasonCode     TransferReason `json:"reasonCode"`
	At             time.Time      `json:"at"`
	Personal       *ReasonDetails `json:"personal,omitempty"`
}

// CaseTransferAccepted: To owns the case from now on, in Jurisdiction; From no longer
// does.
type CaseTransferAccepted struct {
	TransferID   string    `json:"transferId" waymark:"id"`
	From         string    `json:"from" waymark:"id"`
	To           string    `json:"to" waymark:"id"`
	Jurisdiction string    `json:"jurisdiction" waymark:"code"`
	GrantID      string    `json:"grantId" waymark:"id"` // the grant in force at acceptance
	At           time.Time `json:"at"`
}

// CaseTransferDeclined: To will not take the case over.
type CaseTransferDeclined struct {
	TransferID string                `json:"transferId" waymark:"id"`
	To         string                `json:"to" waymark:"id"`
	ReasonCode TransferDeclineReason `json:"reasonCode"`
	At         time.Time             `json:"at"`
	Personal   *ReasonDetails        `json:"personal,omitempty"`
}

// CaseTransferCancelled: the owner withdrew its request to To.
type CaseTransferCancelled struct {
	TransferID string    `json:"transferId" waymark:"id"`
	To         string    `json:"to" waymark:"id"`
	At         time.Time `json:"at"`
}

func (RequestCaseTransfer) CommandType() string { return "RequestCaseTransfer" }
func (AcceptCaseTransfer) CommandType() string  { return "AcceptCaseTransfer" }
func (DeclineCaseTransfer) CommandType() string { return "DeclineCaseTransfer" }
func (CancelCaseTransfer) CommandType() string  { return "CancelCaseTransfer" }

func (CaseTransferRequested) EventType() string { return "CaseTransferRequested" }
func (CaseTransferAccepted) EventType() string  { return "CaseTransferAccepted" }
func (CaseTransferDeclined) EventType() string  { return "CaseTransferDeclined" }
func (CaseTransferCancelled) EventType() string { return "CaseTransferCancelled" }

// ---- Table -------------------------------------------------------------------------

func transferConcern() concern {
	byRecipient := func(id string) Performer { return Performer{By: ByTransferRecipient, Target: id} }
	return concern{
		commands: []commandSpec{
			caseCommand[RequestCaseTransfer]{decide: decideRequestCaseTransfer}.spec(),
			caseCommand[AcceptCaseTransfer]{decide: decideAcceptCaseTransfer,
				by: func(cmd AcceptCaseTransfer, _ Case) Performer { return byRecipient(cmd.TransferID) }}.spec(),
			// Declining and cancelling let less data flow: a closed case takes them, so a
			// transfer never waits on a case no one can accept.
			caseCommand[DeclineCaseTransfer]{on: onAnyCase, decide: decideDeclineCaseTransfer,
				by: func(cmd DeclineCaseTransfer, _ Case) Performer { return byRecipient(cmd.TransferID) }}.spec(),
			caseCommand[CancelCaseTransfer]{on: onAnyCase, decide: decideCancelCaseTransfer}.spec(),
		},
		// Each concerns the recipient: banks and bureaus do not see another
		// organisation's transfers in the journey (the new owner they see in the summary).
		events: []EventSpec{
			caseEvent[CaseTransferRequested]{evolve: evolveCaseTransferRequested,
				party: func(e CaseTransferRequested, _ Case) string { return e.To }}.spec(),
			caseEvent[CaseTransferAccepted]{evolve: evolveCaseTransferAccepted,
				party: func(e CaseTransferAccepted, _ Case) string { return e.To }}.spec(),
			caseEvent[CaseTransferDeclined]{evolve: evolveCaseTransferDeclined,
				party: func(e CaseTransferDeclined, _ Case) string { return e.To }}.spec(),
			caseEvent[CaseTransferCancelled]{evolve: evolveCaseTransferCancelled,
				party: func(e CaseTransferCancelled, _ Case) string { return e.To }}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

// TransferConsent finds the grant that lets recipient take the case over at now: in
// force, naming the recipient, sharing at least her identity (an owner knows who she
// is; without that the recipient could not take her case on) for a purpose of the
// journey it continues, banking or credit repair. Consent for coalition analytics
// is not consent to have her case handled by someone else. When several grants
// qualify, the one that lasts longest (then the smallest id) is chosen.
func (c Case) TransferConsent(recipient string, now time.Time) (ConsentGrant, bool) {
	var best ConsentGrant
	found := false
	for _, g := range c.Grants {
		if !g.InForce(now) || g.Recipient != recipient || !slices.Contains(g.Categories, DataIdentity) ||
			!(slices.Contains(g.Purposes, PurposeBanking) || slices.Contains(g.Purposes, PurposeCreditRepair)) {
			continue
		}
		if !found || g.ExpiresAt.After(best.ExpiresAt) || (g.ExpiresAt.Equal(best.ExpiresAt) && g.ID < best.ID) {
			best, found = g, true
		}
	}
	return best, found
}

func requireTransferConsent(c Case, recipient string, now time.Time) (ConsentGrant, error) {
	g, ok := c.TransferConsent(recipient, now)
	if !ok {
		return g, consentRequired(fmt.Sprintf("no consent grant in force shares the survivor's identity with %s for banking or credit repair; "+
			"she must agree to the transfer to this organisation", recipient))
	}
	return g, nil
}

func decideRequestCaseTransfer(c Case, cmd RequestCaseTransfer, now time.Time) ([]Event, error) {
	if err := checkID("transferId", cmd.TransferID); err != nil {
		return nil, err
	}
	to := cmd.Recipient
	if err := checkOrg("recipientOrganisationId", to); err != nil {
		return nil, err
	}
	if !to.Kind.SupportsSurvivors() {
		return nil, wrongKind("recipientOrganisationId", fmt.Sprintf("organisation %s is registered as %s; a case is transferred only to a shelter, an NGO or a government service", to.ID, kindName(to.Kind)))
	}
	if to.ID == c.OwnerOrganisation {
		return nil, invalid("recipientOrganisationId", fmt.Sprintf("organisation %s already owns the case", to.ID))
	}
	if err := checkCode("reasonCode", cmd.ReasonCode, "transfer reason"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	if p := c.PendingTransfer; p != nil {
		return nil, transition(fmt.Sprintf("transfer %s to %s is pending; it must be accepted, declined or cancelled first", p.ID, p.To))
	}
	g, err := requireTransferConsent(c, to.ID, now)
	if err != nil {
		return nil, err
	}
	return one(CaseTransferRequested{TransferID: cmd.TransferID, From: c.OwnerOrganisation, To: to.ID,
		ToJurisdiction: to.Jurisdiction, GrantID: g.ID, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

// pendingTransfer finds the transfer a command names: it must be the one pending.
func pendingTransfer(c Case, id string) (CaseTransfer, error) {
	if err := checkID("transferId", id); err != nil {
		return CaseTransfer{}, err
	}
	p := c.PendingTransfer
	if p == nil || p.ID != id {
		return CaseTransfer{}, invalid("transferId", fmt.Sprintf("no transfer %s is pending on this case", id))
	}
	return *p, nil
}

// byRecipient checks that the organisation answering a transfer is its recipient.
func byRecipient(p CaseTransfer, by OrgRef, verb string) error {
	if by.ID != p.To {
		return transition(fmt.Sprintf("only the recipient, %s, can %s transfer %s", p.To, verb, p.ID))
	}
	return nil
}

// decideAcceptCaseTransfer checks the survivor's consent again: she may have withdrawn
// it while the recipient was deciding.
func decideAcceptCaseTransfer(c Case, cmd AcceptCaseTransfer, now time.Time) ([]Event, error) {
	p, err := pendingTransfer(c, cmd.TransferID)
	if err != nil {
		return nil, err
	}
	if err := byRecipient(p, cmd.By, "accept"); err != nil {
		return nil, err
	}
	g, err := requireTransferConsent(c, p.To, now)
	if err != nil {
		return nil, err
	}
	return one(CaseTransferAccepted{TransferID: p.ID, From: c.OwnerOrganisation, To: p.To,
		Jurisdiction: p.ToJurisdiction, GrantID: g.ID, At: now})
}

func decideDeclineCaseTransfer(c Case, cmd DeclineCaseTransfer, now time.Time) ([]Event, error) {
	if err := checkCode("reasonCode", cmd.ReasonCode, "reason for declining"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	p, err := pendingTransfer(c, cmd.TransferID)
	if err != nil {
		return nil, err
	}
	if err := byRecipient(p, cmd.By, "decline"); err != nil {
		return nil, err
	}
	return one(CaseTransferDeclined{TransferID: p.ID, To: p.To, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

func decideCancelCaseTransfer(c Case, cmd CancelCaseTransfer, now time.Time) ([]Event, error) {
	p, err := pendingTransfer(c, cmd.TransferID)
	if err != nil {
		return nil, err
	}
	return one(CaseTransferCancelled{TransferID: p.ID, To: p.To, At: now})
}

// ---- Evolve ------------------------------------------------------------------------

func evolveCaseTransferRequested(c Case, e CaseTransferRequested) Case {
	c.PendingTransfer = &CaseTransfer{ID: e.TransferID, From: e.From, To: e.To, ToJurisdiction: e.ToJurisdiction,
		ReasonCode: e.ReasonCode, RequestedAt: e.At}
	return c
}

// evolveCaseTransferAccepted hands the case to its new owner; the former owners are
// kept in order (a case may move more than once).
func evolveCaseTransferAccepted(c Case, e CaseTransferAccepted) Case {
	c.FormerOwners = append(slices.Clip(cloneList(c.FormerOwners)), e.From)
	c.OwnerOrganisation, c.Jurisdiction = e.To, e.Jurisdiction
	c.PendingTransfer = nil
	return c
}

func evolveCaseTransferDeclined(c Case, e CaseTransferDeclined) Case {
	return endTransfer(c, e.TransferID)
}

func evolveCaseTransferCancelled(c Case, e CaseTransferCancelled) Case {
	return endTransfer(c, e.TransferID)
}

// endTransfer clears the pending transfer id (the pointer is replaced, never changed).
func endTransfer(c Case, id string) Case {
	if c.PendingTransfer != nil && c.PendingTransfer.ID == id {
		c.PendingTransfer = nil
	}
	return c
}
