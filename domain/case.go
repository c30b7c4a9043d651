// Package domain is Waymark's pure core: the Case and Organisation aggregates, their
// commands and events, and the journey's rules (referral → ID recovery → account
// opening → credit repair → closure). It does no I/O, reads no clock and draws no
// random ids, so every decision can be replayed and tested with fixed inputs.
//
// One file per concern (referral.go, consent.go, idrecovery.go, banking.go,
// offers.go, duediligence.go, safeguarding.go, contact.go, credit.go, barriers.go,
// lifecycle.go, transfer.go, organisation.go, revocation.go) holds its vocabulary, commands,
// events, rules and evolve, and its part of the table (table.go), which describes
// every case command and every event once. This file keeps Case and the dispatch:
// Decide and Evolve find a command's or an event's row in the table; they have no
// list of their own.
package domain

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"
)

// Case is the state of one survivor's journey, rebuilt from the case's events. It
// holds no personal data (that stays sealed inside the events), so it may be
// snapshotted or logged.
//
// Case is a value. Evolve never writes into a map or slice it received: it copies a
// map before changing it, so a state kept by a caller (a test, a snapshot, a
// projection) never changes under it. Treat every map and slice in a Case as
// read-only.
type Case struct {
	Version uint64 // events applied so far; equals the stream's next revision

	Referred          bool
	OwnerOrganisation string // the referring shelter or NGO
	Jurisdiction      string
	Needs             []Need    // the needs not yet met, in the order they were identified
	Barriers          []Barrier // the barriers still active, in the order they were identified

	// The latest span of every need and barrier ever recorded (barriers.go), so the
	// coalition sees which barriers block whom and for how long.
	NeedHistory    Spans[Need]
	BarrierHistory Spans[Barrier]

	Stage  Stage // the furthest stage reached; stages can be skipped but never go back
	Status Status

	Grants        map[string]ConsentGrant       // by grant id
	Documents     map[string]IDDocument         // by document id
	BankReferrals map[string]BankReferral       // by bank organisation id
	Applications  map[string]AccountApplication // by bank organisation id: the latest one
	Disputes      map[string]CreditDispute      // by dispute id
	CreditReports map[string]CreditReport       // by report id
	NoteCount     int

	Offers            map[string]BankOffer           // by offer id (offers.go)
	ChosenOffer       string                         // the offer the survivor chose; "" if none (or after declining all)
	DeclinedAllOffers bool                           // her latest answer declined every offer, and no bank has offered since
	DeclineReasonCode DeclineReason                  // why, while DeclinedAllOffers holds
	Packs             map[string]DueDiligencePack    // by pack id (duediligence.go)
	Concerns          map[string]SafeguardingConcern // by concern id (safeguarding.go)
	ContactRules      *SafeContactRules              // nil until set (contact.go); replaced, never changed in place

	ClosedOutcome ClosureOutcome // set while the case is closed, cleared on reopening

	// PendingTransfer is the transfer waiting for its recipient's answer, nil when none
	// (transfer.go); replaced, never changed in place. FormerOwners lists the
	// organisations that owned the case before, oldest first.
	PendingTransfer *CaseTransfer
	FormerOwners    []string

	Erased bool // the survivor's personal data was erased; none can be recorded again
}

// Stage is a step of the journey. Stages are ordered: a case records the furthest
// stage it reached; stages may be skipped but a case never goes back.
type Stage string

const (
	StageReferral       Stage = "referral"
	StageIDRecovery     Stage = "id_recovery"
	StageAccountOpening Stage = "account_opening"
	StageCreditRepair   Stage = "credit_repair"
)

func AllStage() []Stage {
	return []Stage{StageReferral, StageIDRecovery, StageAccountOpening, StageCreditRepair}
}

func (x Stage) Valid() bool { return slices.Contains(AllStage(), x) }

// Rank orders stages: referral is 1, credit_repair 4; the empty or an unknown stage
// is 0, so any real stage outranks the zero Case's.
func (x Stage) Rank() int { return slices.Index(AllStage(), x) + 1 }

// Status says whether a case is open or closed.
type Status string

const (
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

func AllStatus() []Status { return []Status{StatusOpen, StatusClosed} }

func (x Status) Valid() bool { return slices.Contains(AllStatus(), x) }

// ---- Decide ------------------------------------------------------------------------

// Decide checks cmd against the case and the journey's rules at now and returns the
// events that record what happened. It is pure: it never changes c, reads no clock
// and draws no ids (they come in the command). Errors are *RuleError values wrapping
// one of the sentinels in errors.go.
//
// now is normalised to UTC so stored times have one representation whatever the
// caller's clock location, and compare equal after a JSON round trip.
//
// Each command's rules (its decide function, in its concern file) check in this
// order: the command's own fields (ErrInvalidInput, ErrWrongOrganisationKind),
// references to things the case must already have (ErrInvalidInput: unknown grant,
// document or dispute), where the journey stands (ErrInvalidTransition), and last
// whether the survivor's consent lets the data flow (ErrConsentRequired). Before
// them Decide checks that the case exists and is open, as the command's row asks;
// after them, that an erased case is not given personal data.
func Decide(c Case, cmd Command, now time.Time) ([]Event, error) {
	events, err := decide(c, cmd, now.UTC())
	if err != nil {
		return nil, inCommand(cmd, err)
	}
	return events, nil
}

func decide(c Case, cmd Command, now time.Time) ([]Event, error) {
	events, err := decideCase(c, cmd, now)
	if err != nil {
		return nil, err
	}
	// There is no key left to seal new personal data of an erased case with, and the
	// survivor asked for it to be gone: a command that would record some is refused
	// (the same command without its optional text is fine).
	if c.Erased && slices.ContainsFunc(events, HasPersonal) {
		return nil, erasedTransition()
	}
	return events, nil
}

func decideCase(c Case, cmd Command, now time.Time) ([]Event, error) {
	if cmd == nil {
		return nil, invalid("command", "no command given")
	}
	// Only the commands of the table are case commands: an organisation command, or
	// a pointer to a command, is rejected as input before any journey rule runs.
	spec, ok := caseCommandFor(cmd)
	if !ok {
		return nil, invalid("command", fmt.Sprintf("%s is not a case command", cmd.CommandType()))
	}
	// The order of these guards is part of the contract: existence first, then
	// whether the case is open, then the command's own rules.
	switch {
	case spec.on == onNewCase:
		// The referral: its own rule refuses a case that exists.
	case !c.Referred:
		return nil, caseNotFound()
	case c.Status == StatusClosed && spec.on != onAnyCase:
		return nil, transition(fmt.Sprintf("the case is closed (%s); reopen it before recording anything else", c.ClosedOutcome))
	}
	return spec.decide(c, cmd, now)
}

// ---- Evolve ------------------------------------------------------------------------

// Evolve applies one event and returns the new state; it is the only place a Case
// changes (each event's evolve function, in its concern file, is called from here
// only). Every event bumps Version, even one this version of the code does not know,
// so Version always equals the number of events in the stream. An event about
// something the case never had (which Decide never produces) changes nothing but
// Version; so does anything that is not a case event of the table (an organisation's
// event, a pointer to an event).
func Evolve(c Case, e Event) Case {
	c.Version++
	spec, ok := EventSpecOf(e)
	if !ok || spec.evolve == nil {
		return c
	}
	c = spec.evolve(c, e)
	c.Stage = furthest(c.Stage, spec.Stage)
	return c
}

// Fold rebuilds a case from its events, oldest first.
func Fold(events []Event) Case {
	var c Case
	for _, e := range events {
		c = Evolve(c, e)
	}
	return c
}

// furthest keeps the later stage: stages can be skipped but never go back.
func furthest(a, b Stage) Stage {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// with returns a copy of m with k set to v, leaving m untouched (copy-on-write keeps
// earlier Case values unchanged).
func with[K comparable, V any](m map[K]V, k K, v V) map[K]V {
	out := make(map[K]V, len(m)+1)
	maps.Copy(out, m)
	out[k] = v
	return out
}

// without returns a copy of xs with every x left out (nil when nothing remains),
// leaving xs untouched.
func without[T comparable](xs []T, x T) []T {
	var out []T
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// cloneList copies a slice so state and events never share a backing array, and
// turns an empty slice into nil so a value survives a JSON round trip (omitempty)
// unchanged.
func cloneList[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	return append([]T(nil), xs...)
}

// HasPersonal reports whether an event carries personal data: its Personal field (the
// one field per event that may hold any) is set.
func HasPersonal(e Event) bool {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	f := v.FieldByName("Personal")
	return f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil()
}
