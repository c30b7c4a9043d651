// Package access is Waymark's one authorisation decision. Authorize decides every
// access — reading a field group of a case, every case command, and the actions that
// concern no case — from who asks, what they ask, the case's state (its owner, its
// consent grants, its bank referrals and credit disputes) and the time. It is pure:
// no I/O, no clock, no configuration; the same request always gets the same decision.
//
// The API calls it from one place and maps a refusal with Decision.Err: a case the
// caller may not see is NOT_FOUND, never FORBIDDEN, so a refusal never confirms that a
// case exists. Consent is judged at Request.Now with the domain's own rules
// (domain.ConsentGrant.InForce, domain.Case.ConsentFor): a grant that expired or was
// withdrawn gives nothing from that moment on.
package access

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/waymark-org/waymark/domain"
)

// Role is what an authenticated caller does in the coalition; it comes from the
// caller's token.
type Role string

const (
	RoleCaseworker Role = "caseworker" // a shelter's or NGO's staff: their organisation's cases and those shared with it
	RoleBank       Role = "bank"       // a partner bank's staff: cases referred to that bank, banking data only
	RoleBureau     Role = "bureau"     // a credit bureau's staff: the disputes addressed to it
	RoleAuditor    Role = "auditor"    // coalition auditors: read-only; personal data only with a stated reason
	RoleAnalyst    Role = "analyst"    // aggregates and the analytics feed, never a case
	RoleAdmin      Role = "admin"      // the organisation directory and keys; erasure; no case content
)

// Roles lists every role in order; a fresh slice each call.
func Roles() []Role {
	return []Role{RoleCaseworker, RoleBank, RoleBureau, RoleAuditor, RoleAnalyst, RoleAdmin}
}

func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Actor is the authenticated caller: a user id, a role and the organisation they act
// for (a bank's or bureau's staff act for that bank or bureau), and that
// organisation's kind, which the API reads from the directory (an auditor of a bank
// sees what the bank sees; of the coalition, every case).
type Actor struct {
	ID           string
	Role         Role
	Organisation string
	Kind         domain.OrganisationKind
}

// bankCompliance reports whether the actor is a bank's compliance team: an auditor
// acting for a bank, who sees exactly what that bank may see.
func (a Actor) bankCompliance() bool { return a.Role == RoleAuditor && a.Kind == domain.OrgBank }

// Authenticated reports whether the actor is a known user with a known role. Every
// request from an actor that is not gets ErrUnauthenticated.
func (a Actor) Authenticated() bool { return a.ID != "" && a.Role.Valid() }

// Group is a field group of a Case; each group is authorised whole.
type Group string

const (
	// GroupSummary: stage, status, jurisdiction, owning organisation, dates, needs,
	// barriers, closure and the journey timeline. No personal data.
	GroupSummary  Group = "summary"
	GroupIdentity Group = "identity" // name, contact, date of birth, document numbers
	GroupConsent  Group = "consent"  // the consent grants
	GroupBanking  Group = "banking"  // bank referrals and account applications
	GroupCredit   Group = "credit"   // credit disputes
	GroupNotes    Group = "notes"    // case notes
	// GroupSafeguarding: safeguarding concerns. Only the owning organisation and the
	// bank a concern involves see it — no one else, auditors included.
	GroupSafeguarding Group = "safeguarding"
	// GroupContact: how the survivor may be contacted; shown to every organisation
	// that may contact the survivor.
	GroupContact Group = "contact"
)

// Groups lists every field group in order; a fresh slice each call.
func Groups() []Group {
	return []Group{GroupSummary, GroupIdentity, GroupConsent, GroupBanking, GroupCredit, GroupNotes, GroupSafeguarding, GroupContact}
}

// Personal reports whether the group holds the survivor's personal data (sealed in
// the events; decrypted per request and recorded in the access log).
func (g Group) Personal() bool {
	return g == GroupIdentity || g == GroupNotes || g == GroupSafeguarding || g == GroupContact
}

// category is the consent data category that shares a group with another
// organisation; summary and consent have none.
func (g Group) category() (domain.DataCategory, bool) {
	switch g {
	case GroupIdentity:
		return domain.DataIdentity, true
	case GroupBanking:
		return domain.DataBanking, true
	case GroupCredit:
		return domain.DataCredit, true
	case GroupNotes:
		return domain.DataNotes, true
	}
	return "", false
}

// Action is what a request does.
type Action string

const (
	ActionRead   Action = "case.read"   // read Request.Group of a case
	ActionChange Action = "case.change" // any case command not listed below
	// ActionRecordBankOutcome is a bank-side command about Target, a bank's
	// organisation id: an account opened or declined, an offer, a due-diligence
	// decision, a safeguarding concern raised, acknowledged or resolved by the bank.
	ActionRecordBankOutcome Action = "case.bank-outcome"
	// ActionRecordDisputeOutcome: the outcome of a dispute or of one of its items;
	// Target = the dispute id.
	ActionRecordDisputeOutcome Action = "case.dispute-outcome"
	ActionErase                Action = "case.erase" // eraseSurvivorData
	ActionRefer                Action = "case.refer" // referSurvivor; no Case; Target = the referring organisation id
	ActionReadDirectory        Action = "directory.read"
	ActionManageDirectory      Action = "directory.manage" // registerOrganisation
	// ActionAnswerSurvey: answer Target's baseline survey (an organisation id). The
	// organisation's own caseworkers know its services and what its survivors lack;
	// admins enter answers collected on paper.
	ActionAnswerSurvey Action = "directory.answer-survey"
	ActionManageKeys   Action = "keys.manage"
	// ActionReadAccessLog: who read which personal data. With a Case, that case's
	// entries (coalition auditors: every case; a bank's compliance team: the cases its
	// bank sees); without one, the whole log (coalition auditors only: the break-glass
	// report).
	ActionReadAccessLog Action = "accesslog.read"
	// ActionAudit reads a case's recorded history as an auditor does: every event in
	// order (caseHistory), the case as of a moment (caseAt), its hash chain checked
	// (verifyCase), its export. Auditors (a bank's compliance team on its bank's
	// cases) and the owning organisation's caseworkers; what each event shows is then
	// decided per field group, like any read.
	ActionAudit Action = "case.audit"
	// ActionSubjectAccess hands a survivor her own record (waymark export
	// --for-survivor), decrypted, on a subject-access request: only a caseworker of the
	// owning organisation, who records the request and hands the record over in person.
	ActionSubjectAccess  Action = "case.subject-access"
	ActionReadAggregates Action = "aggregates.read" // the analytics feed
	// ActionReadDashboard reads the coalition dashboard: de-identified counts and
	// waits, never a case. Analysts and every organisation's staff.
	ActionReadDashboard Action = "dashboard.read"
	ActionRevokeTokens  Action = "tokens.revoke" // revoke an access token, or a user's tokens

	// ActionDecideTransfer: accept or decline the case's pending transfer; Target = the
	// transfer id. Only the recipient's caseworkers, while the transfer is pending.
	ActionDecideTransfer Action = "case.decide-transfer"
)

// Request is one access to decide.
type Request struct {
	Actor  Actor
	Action Action
	Group  Group        // for ActionRead
	Case   *domain.Case // the case concerned (nil for actions on no case); a case never referred counts as absent
	Target string       // see the actions
	Reason string       // a reason the caller stated for this request (break-glass); recorded by the caller when used
	// Sealed marks a read that decrypts sealed personal data inside a group that is
	// otherwise not personal (a pack's staff member, a dispute's creditors, a search by
	// name): for auditors it needs a reason, like the personal groups.
	Sealed bool
	Now    time.Time
}

// Decision is the answer to a Request.
type Decision struct {
	Allowed bool
	// Visible: the caller may know the case exists; false ⇒ callers answer NOT_FOUND,
	// never FORBIDDEN. Actions that concern no case are always Visible, so refusing
	// them is FORBIDDEN. An admin's erasure is Allowed but not Visible: the admin acts
	// by id without seeing the case.
	Visible bool
	// BreakGlass: allowed only because Reason was given; the caller must record the
	// access with the reason before any data leaves.
	BreakGlass bool
	// NeedsReason: refused only for want of a stated reason (an auditor reading
	// personal data without one); the same request with a reason would be allowed
	// as break-glass. Err is then ErrReasonRequired.
	NeedsReason bool
	// Why is a short explanation for logs and error messages, with no personal data.
	// Every decision that hides a case has the same Why, so showing it reveals nothing.
	Why string

	unauthenticated bool // the actor was not authenticated: Err is ErrUnauthenticated
}

// The errors Decision.Err returns, for the API to map to UNAUTHENTICATED, NOT_FOUND
// and FORBIDDEN.
var (
	ErrUnauthenticated = errors.New("not authenticated")
	ErrNotFound        = errors.New("not found")
	ErrForbidden       = errors.New("forbidden")
	// ErrReasonRequired is a refusal a stated reason would lift (Decision.NeedsReason).
	// It is an ErrForbidden too: a caller that only knows refusals treats it as one.
	ErrReasonRequired = fmt.Errorf("%w: a stated reason is required", ErrForbidden)
)

// Err turns a decision into nil (allowed), ErrUnauthenticated, ErrNotFound (the case
// is not visible to the caller), ErrReasonRequired (visible, allowed with a stated
// reason) or ErrForbidden (visible, but not allowed).
func (d Decision) Err() error {
	switch {
	case d.unauthenticated:
		return ErrUnauthenticated
	case d.Allowed:
		return nil
	case !d.Visible:
		return ErrNotFound // says nothing more: the case may not even exist
	case d.NeedsReason:
		return fmt.Errorf("%w: %s", ErrReasonRequired, d.Why)
	}
	if d.Why != "" {
		return fmt.Errorf("%w: %s", ErrForbidden, d.Why)
	}
	return ErrForbidden
}

// Why texts shared by many decisions.
const (
	whyUnauthenticated = "not authenticated"
	whyNotFound        = "no such case for this caller"
	whyUnknownAction   = "unknown action"
)

// Authorize decides one request. It never fails: anything it does not recognise (an
// unknown role, action or group) is refused.
func Authorize(r Request) Decision {
	if !r.Actor.Authenticated() {
		return Decision{Why: whyUnauthenticated, unauthenticated: true}
	}
	switch r.Action {
	case ActionReadAccessLog:
		if r.Case == nil {
			return decideGlobal(r)
		}
		if !r.Case.Referred {
			return notFound()
		}
		return decideCase(r)
	case ActionRead, ActionChange, ActionRecordBankOutcome, ActionRecordDisputeOutcome, ActionErase, ActionAudit,
		ActionSubjectAccess, ActionDecideTransfer:
		if r.Case == nil || !r.Case.Referred {
			return notFound()
		}
		return decideCase(r)
	case ActionRefer, ActionReadDirectory, ActionManageDirectory, ActionAnswerSurvey, ActionManageKeys, ActionReadAggregates,
		ActionRevokeTokens, ActionReadDashboard:
		return decideGlobal(r)
	}
	return Decision{Why: whyUnknownAction}
}

// VisibleCase reports whether the actor may know the case exists, as case lists need:
// whether reading some group of it would not be NOT_FOUND. Whether a case is found
// never depends on the group asked for (every rule decides "not found" from the actor,
// the case and the time alone: TestVisibilityDoesNotDependOnTheGroup), so one decision
// on the summary answers it — a case list decides this for every case it passes, and
// trying each group made an invisible case cost one decision per group.
func VisibleCase(a Actor, c *domain.Case, now time.Time) bool {
	return Authorize(Request{Actor: a, Action: ActionRead, Group: GroupSummary, Case: c, Now: now}).Visible
}

// SeesEveryCaseOf reports whether the actor may see every case org owns, whatever its
// state: a caseworker of the owning organisation (caseworker rule). Case lists count
// such cases without deciding each.
func SeesEveryCaseOf(a Actor, org string) bool {
	return a.Authenticated() && a.Role == RoleCaseworker && actsFor(a, org)
}

// EntryVisible filters the entries of a group the actor may read: a bank sees only
// its own referrals and applications, a bureau only the disputes addressed to it;
// every other role sees every entry. entryOrg is the entry's bank or bureau id.
func EntryVisible(a Actor, entryOrg string) bool {
	if !a.Authenticated() {
		return false
	}
	if a.Role == RoleBank || a.Role == RoleBureau || a.bankCompliance() {
		return actsFor(a, entryOrg)
	}
	return true
}

// actsFor reports whether the actor acts for organisation org. An actor without an
// organisation acts for none.
func actsFor(a Actor, org string) bool { return a.Organisation != "" && a.Organisation == org }

func allow(why string) Decision  { return Decision{Allowed: true, Visible: true, Why: why} }
func forbid(why string) Decision { return Decision{Visible: true, Why: why} }

// reasonRequired refuses what a stated reason would allow (break-glass).
func reasonRequired(why string) Decision { return Decision{Visible: true, NeedsReason: true, Why: why} }
func breakGlass(why string) Decision {
	return Decision{Allowed: true, Visible: true, BreakGlass: true, Why: why}
}
func notFound() Decision { return Decision{Why: whyNotFound} }
