// Package domain is Waymark's pure core: the Case and Organisation aggregates, their
// commands and events, and the journey's rules (referral → ID recovery → account
// opening → credit repair → closure). It does no I/O, reads no clock and draws no
// random ids, so every decision can be replayed and tested with fixed inputs.
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
	NeedHistory    map[Need]NeedSpan
	BarrierHistory map[Barrier]BarrierSpan

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

	Erased bool // the survivor's personal data was erased; none can be recorded again
}

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

// IDDocument is one requested identity document. The authority named in free text
// and the refusal's text stay sealed in the events.
type IDDocument struct {
	ID                  string
	Kind                DocumentKind
	IssuingOrganisation string // the directory's ID office or government body; "" if named in free text
	Status              DocumentStatus
	ReasonCode          RefusalReason // why it was refused
	RequestedAt         time.Time
	UpdatedAt           time.Time
}

type BankReferral struct {
	Bank    string
	GrantID string // the consent grant that allowed the referral
	At      time.Time
}

type AccountApplication struct {
	Bank        string
	Product     AccountProduct // the product opened, once opened
	Status      ApplicationStatus
	ReasonCode  AccountDeclineReason // why it was declined
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

// CreditDispute is one block/dispute request to a bureau. A dispute filed with items
// (credit.go) is decided item by item: it is resolved, with a derived Outcome, once no
// item is pending, and filed again when refused items are resubmitted. A dispute
// filed with only an ItemCount is resolved as a whole by RecordCreditDisputeOutcome.
type CreditDispute struct {
	ID            string
	Bureau        string
	ItemCount     int
	Items         map[string]DisputeItemState // by item id; nil for a dispute filed without items
	Evidence      []EvidenceKind              // every kind of evidence sent, over all submissions
	Resubmissions int
	Status        DisputeStatus
	Outcome       DisputeOutcome
	ReasonCode    DisputeReason // why a dispute resolved as a whole was not blocked
	FiledAt       time.Time
	ResolvedAt    time.Time
}

// Decide checks cmd against the case and the journey's rules at now and returns the
// events that record what happened. It is pure: it never changes c, reads no clock
// and draws no ids (they come in the command). Errors are *RuleError values wrapping
// one of the sentinels in errors.go.
//
// now is normalised to UTC so stored times have one representation whatever the
// caller's clock location, and compare equal after a JSON round trip.
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
	if !isCaseCommand(cmd) {
		return nil, invalid("command", fmt.Sprintf("%s is not a case command", cmd.CommandType()))
	}
	// The order of these guards is part of the contract: existence first, then
	// whether the case is open, then the command's own rules.
	if refer, ok := cmd.(ReferSurvivor); ok {
		if c.Referred {
			return nil, alreadyExists("this case was already referred; a survivor is referred once per case")
		}
		return decideReferSurvivor(refer, now)
	}
	if !c.Referred {
		return nil, caseNotFound()
	}
	if reopen, ok := cmd.(ReopenCase); ok {
		return decideReopenCase(c, reopen, now)
	}
	// Less data flowing is always allowed, closed case or not: a survivor may withdraw
	// consent, and have their data erased, at any time.
	switch cmd := cmd.(type) {
	case EraseSurvivorData:
		return decideEraseSurvivorData(c, cmd, now)
	case WithdrawConsent:
		return decideWithdrawConsent(c, cmd, now)
	}
	if c.Status == StatusClosed {
		return nil, transition(fmt.Sprintf("the case is closed (%s); reopen it before recording anything else", c.ClosedOutcome))
	}
	return decideOpenCase(c, cmd, now)
}

// decideOpenCase decides a command on a referred, open case.
func decideOpenCase(c Case, cmd Command, now time.Time) ([]Event, error) {
	switch cmd := cmd.(type) {
	case GrantConsent:
		return decideGrantConsent(c, cmd, now)
	case RequestIDDocument:
		return decideRequestIDDocument(c, cmd, now)
	case RecordIDDocumentObtained:
		return decideIDDocumentObtained(c, cmd, now)
	case RecordIDDocumentRefused:
		return decideIDDocumentRefused(c, cmd, now)
	case ReferToBank:
		return decideReferToBank(c, cmd, now)
	case SubmitAccountApplication:
		return decideSubmitAccountApplication(c, cmd, now)
	case RecordAccountOpened:
		return decideAccountOpened(c, cmd, now)
	case RecordAccountDeclined:
		return decideAccountDeclined(c, cmd, now)
	case FileCreditDispute:
		return decideFileCreditDispute(c, cmd, now)
	case RecordCreditDisputeOutcome:
		return decideCreditDisputeOutcome(c, cmd, now)
	case RecordCreditReportObtained:
		return decideCreditReportObtained(c, cmd, now)
	case RecordDisputeItemOutcome:
		return decideDisputeItemOutcome(c, cmd, now)
	case ResubmitCreditDispute:
		return decideResubmitCreditDispute(c, cmd, now)
	case MakeBankOffer:
		return decideMakeBankOffer(c, cmd, now)
	case RecordSurvivorChoice:
		return decideSurvivorChoice(c, cmd, now)
	case DeclineAllOffers:
		return decideDeclineAllOffers(c, cmd, now)
	case ProvideDueDiligencePack:
		return decideProvideDueDiligencePack(c, cmd, now)
	case RecordDueDiligenceDecision:
		return decideDueDiligenceDecision(c, cmd, now)
	case RaiseSafeguardingConcern:
		return decideRaiseSafeguardingConcern(c, cmd, now)
	case AcknowledgeSafeguardingConcern:
		return decideAcknowledgeSafeguardingConcern(c, cmd, now)
	case ResolveSafeguardingConcern:
		return decideResolveSafeguardingConcern(c, cmd, now)
	case SetSafeContactRules:
		return decideSetSafeContactRules(cmd, now)
	case IdentifyBarrier:
		return decideIdentifyBarrier(c, cmd, now)
	case ResolveBarrier:
		return decideResolveBarrier(c, cmd, now)
	case IdentifyNeed:
		return decideIdentifyNeed(c, cmd, now)
	case MeetNeed:
		return decideMeetNeed(c, cmd, now)
	case AddCaseNote:
		return decideAddCaseNote(cmd, now)
	case CloseCase:
		return decideCloseCase(cmd, now)
	}
	return nil, invalid("command", fmt.Sprintf("%s is not a case command", cmd.CommandType()))
}

// isCaseCommand lists the commands Decide handles, so an organisation command (or a
// pointer to a command) is rejected as input before any journey rule runs.
func isCaseCommand(cmd Command) bool {
	switch cmd.(type) {
	case ReferSurvivor, GrantConsent, WithdrawConsent, RequestIDDocument, RecordIDDocumentObtained,
		RecordIDDocumentRefused, ReferToBank, SubmitAccountApplication, RecordAccountOpened,
		RecordAccountDeclined, FileCreditDispute, RecordCreditDisputeOutcome, AddCaseNote, CloseCase, ReopenCase,
		EraseSurvivorData,
		RecordCreditReportObtained, RecordDisputeItemOutcome, ResubmitCreditDispute,
		MakeBankOffer, RecordSurvivorChoice, DeclineAllOffers, ProvideDueDiligencePack, RecordDueDiligenceDecision,
		RaiseSafeguardingConcern, AcknowledgeSafeguardingConcern, ResolveSafeguardingConcern, SetSafeContactRules,
		IdentifyBarrier, ResolveBarrier, IdentifyNeed, MeetNeed:
		return true
	}
	return false
}

// Evolve applies one event and returns the new state; it is the only place a Case
// changes. It accepts events as values or pointers (see Deref). Every event bumps
// Version, even one this version of the code does not know, so Version always equals
// the number of events in the stream. An event about something the case never had
// (which Decide never produces) changes nothing but Version.
func Evolve(c Case, e Event) Case {
	c.Version++
	e = Deref(e)
	switch e := e.(type) {
	case SurvivorReferred:
		c.Referred = true
		c.OwnerOrganisation = e.ReferringOrganisation
		c.Jurisdiction = e.Jurisdiction
		c.Needs = cloneList(e.Needs)
		c.Barriers = cloneList(e.Barriers)
		c.NeedHistory = spansFrom(e.Needs, e.At)
		c.BarrierHistory = spansFrom(e.Barriers, e.At)
		c.Status = StatusOpen
	case ConsentGranted:
		c.Grants = with(c.Grants, e.GrantID, ConsentGrant{
			ID: e.GrantID, Recipient: e.Recipient,
			Categories: cloneList(e.Categories), Purposes: cloneList(e.Purposes),
			GrantedAt: e.At, ExpiresAt: e.ExpiresAt,
		})
	case ConsentWithdrawn:
		if g, ok := c.Grants[e.GrantID]; ok {
			g.Withdrawn, g.WithdrawnAt = true, e.At
			c.Grants = with(c.Grants, e.GrantID, g)
		}
	case IDDocumentRequested:
		c.Documents = with(c.Documents, e.DocumentID, IDDocument{
			ID: e.DocumentID, Kind: e.Kind, IssuingOrganisation: e.IssuingOrganisation,
			Status: DocumentRequested, RequestedAt: e.At, UpdatedAt: e.At,
		})
	case IDDocumentObtained:
		if d, ok := c.Documents[e.DocumentID]; ok {
			d.Status, d.UpdatedAt = DocumentObtained, e.At
			c.Documents = with(c.Documents, e.DocumentID, d)
		}
	case IDDocumentRefused:
		if d, ok := c.Documents[e.DocumentID]; ok {
			d.Status, d.ReasonCode, d.UpdatedAt = DocumentRefused, e.ReasonCode, e.At
			c.Documents = with(c.Documents, e.DocumentID, d)
		}
	case BankReferralMade:
		c.BankReferrals = with(c.BankReferrals, e.Bank, BankReferral{Bank: e.Bank, GrantID: e.GrantID, At: e.At})
	case AccountApplicationSubmitted:
		// A resubmission after a decline replaces the declined application.
		c.Applications = with(c.Applications, e.Bank, AccountApplication{
			Bank: e.Bank, Product: e.Product, Status: ApplicationSubmitted, SubmittedAt: e.At, UpdatedAt: e.At,
		})
	case BankAccountOpened:
		if a, ok := c.Applications[e.Bank]; ok {
			a.Product, a.Status, a.UpdatedAt = e.Product, ApplicationOpened, e.At
			c.Applications = with(c.Applications, e.Bank, a)
		}
	case AccountApplicationDeclined:
		if a, ok := c.Applications[e.Bank]; ok {
			a.Status, a.ReasonCode, a.UpdatedAt = ApplicationDeclined, e.ReasonCode, e.At
			c.Applications = with(c.Applications, e.Bank, a)
		}
	case CreditDisputeResolved:
		if d, ok := c.Disputes[e.DisputeID]; ok {
			d.Status, d.Outcome, d.ReasonCode, d.ResolvedAt = DisputeResolved, e.Outcome, e.ReasonCode, e.At
			c.Disputes = with(c.Disputes, e.DisputeID, d)
		}
	case CreditReportObtained, CreditDisputeFiled, CreditDisputeItemDecided, CreditDisputeResubmitted:
		c = evolveCredit(c, e)
	case BankOfferMade, SurvivorChoseOffer, SurvivorDeclinedAllOffers:
		c = evolveOffers(c, e)
	case DueDiligencePackProvided, DueDiligencePackAccepted, DueDiligencePackRejected:
		c = evolvePacks(c, e)
	case SafeguardingConcernRaised, SafeguardingConcernAcknowledged, SafeguardingConcernResolved:
		c = evolveConcerns(c, e)
	case SafeContactRulesSet:
		c.ContactRules = &SafeContactRules{Allowed: cloneList(e.Allowed), Forbidden: cloneList(e.Forbidden), SetAt: e.At}
	case BarrierIdentified, BarrierResolved, NeedIdentified, NeedMet:
		c = evolveBarriersAndNeeds(c, e)
	case CaseNoteAdded:
		c.NoteCount++
	case CaseClosed:
		c.Status, c.ClosedOutcome = StatusClosed, e.Outcome
	case CaseReopened:
		c.Status, c.ClosedOutcome = StatusOpen, ""
	case SurvivorDataErased:
		c.Erased = true
	}
	c.Stage = furthest(c.Stage, stageReachedBy(e))
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
