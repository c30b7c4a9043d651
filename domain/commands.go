package domain

import (
	"reflect"
	"time"
)

// Command is a request to change a case or an organisation. Commands are plain
// values; Decide checks them against the current state and returns the events that
// record what happened, or a rule error. Commands never carry the time: Decide takes
// now from the caller's injected clock so decisions are reproducible.
//
// Every case command is listed once, in its concern file's part of the command table
// (caseCommand): how it is decided, on which cases, and who performs it. The
// organisation and revocation commands are decided by DecideOrganisation and
// DecideRevocation.
type Command interface {
	CommandType() string
}

// OrgRef is what the application layer resolved from the organisation directory and
// passes into a command: the domain cannot look anything up. A command's OrgRef
// fields say with their tag how they are filled (see Complete).
type OrgRef struct {
	ID           string
	Kind         OrganisationKind
	Jurisdiction string
}

// caseStatus says on which cases a command may be decided. Decide checks it before
// the command's own rules: existence first, then whether the case is open.
type caseStatus int

const (
	onOpenCase caseStatus = iota // a referred case that is open: most commands (the zero value)
	// onAnyCase: a referred case, open or closed. Less data flowing is always allowed
	// (a survivor may withdraw consent and have her data erased at any time), and
	// reopening is what a closed case is for.
	onAnyCase
	onNewCase // a case never referred: the referral, whose own rule refuses a case that exists
)

// PerformedBy is who performs a case command, as the command declares it. The
// application layer turns it into the access it checks (app/commands.go), so a new
// command needs no list of its own there.
type PerformedBy string

const (
	// ByOwner: the case's owning organisation (and whoever else the access rules let
	// change a case). Most commands.
	ByOwner PerformedBy = "owner"
	// ByBank: the bank named in Performer.Target records its own outcome (an account
	// opened or declined, an offer, a due-diligence decision).
	ByBank PerformedBy = "bank"
	// ByBureau: the bureau the dispute Performer.Target is addressed to records its
	// outcome.
	ByBureau PerformedBy = "bureau"
	// ByConcernParty: a party to a safeguarding concern, the owner or a bank acting for
	// itself (the domain checks the bank is a party).
	ByConcernParty PerformedBy = "concern_party"
	// ByOwnerOrAdmin: the erasure, by the owner or by an administrator acting on the
	// case's id without seeing it.
	ByOwnerOrAdmin PerformedBy = "owner_or_admin"
	// ByTransferRecipient: the recipient of the case's pending transfer accepts or
	// declines it; Performer.Target is the transfer id (the domain checks it is the
	// pending one and that the caller's organisation is its recipient).
	ByTransferRecipient PerformedBy = "transfer_recipient"
)

// Performer is who performs one case command, and on what.
type Performer struct {
	By     PerformedBy
	Target string // ByBank: the bank's organisation id; ByBureau: the dispute id
}

// commandSpec is one row of the case command table.
type commandSpec struct {
	goType reflect.Type
	on     caseStatus
	decide func(c Case, cmd Command, now time.Time) ([]Event, error)
	by     func(cmd Command, c Case) Performer // nil: ByOwner
}

// caseCommand describes a case command. Each concern file lists its commands with it:
//
//	caseCommand[WithdrawConsent]{on: onAnyCase, decide: decideWithdrawConsent}.spec()
type caseCommand[C Command] struct {
	on     caseStatus                                          // zero: an open case
	decide func(c Case, cmd C, now time.Time) ([]Event, error) // the command's rules
	by     func(cmd C, c Case) Performer                       // nil: the case's owner
}

func (d caseCommand[C]) spec() commandSpec {
	s := commandSpec{
		goType: reflect.TypeFor[C](),
		on:     d.on,
		decide: func(c Case, cmd Command, now time.Time) ([]Event, error) { return d.decide(c, cmd.(C), now) },
	}
	if d.by != nil {
		s.by = func(cmd Command, c Case) Performer { return d.by(cmd.(C), c) }
	}
	return s
}

// bankSide is the performer of a bank-side command about bank id.
func bankSide(id string) Performer { return Performer{By: ByBank, Target: id} }

// PerformerOf says who performs cmd on case c, as the command declares it; false when
// cmd is not a case command (the performer is then the owner, so authorisation still
// runs before the command is refused).
func PerformerOf(cmd Command, c Case) (Performer, bool) {
	spec, ok := caseCommandFor(cmd)
	if !ok {
		return Performer{By: ByOwner}, false
	}
	if spec.by == nil {
		return Performer{By: ByOwner}, true
	}
	return spec.by(cmd, c), true
}

// ChangesExistingCase reports whether cmd is a case command decided on a case that
// was referred already: every case command but the referral.
func ChangesExistingCase(cmd Command) bool {
	spec, ok := caseCommandFor(cmd)
	return ok && spec.on != onNewCase
}
