package access

import (
	"slices"
	"strings"

	"github.com/waymark-org/waymark/domain"
)

// The rules, one function per role. Each first decides whether the caller may know the
// case exists (if not: notFound, whatever was asked), then what it may do with it.
// decideCase is only called for a referred case and an authenticated actor.

func decideCase(r Request) Decision {
	switch r.Actor.Role {
	case RoleCaseworker:
		return caseworker(r)
	case RoleBank:
		return bank(r)
	case RoleBureau:
		return bureau(r)
	case RoleAuditor:
		return auditor(r)
	case RoleAdmin:
		return admin(r)
	}
	return notFound() // analysts never see a case
}

// caseworker: the owning organisation's staff may do everything but answer its own
// transfer; an organisation a consent grant in force shares the case with may read the
// summary and the groups of the categories shared with it, and nothing else; the
// recipient of a pending transfer may also accept or decline it.
//
// A former owner has no rule of its own: once a transfer is accepted it sees the case
// only as a consent grant in force shares it, like any organisation. The survivor may
// be fleeing someone close to the old organisation; the new owner holds the whole
// history, and the coalition's auditors keep all of it.
func caseworker(r Request) Decision {
	c, a := r.Case, r.Actor
	if r.Action == ActionDecideTransfer {
		return decideTransfer(r)
	}
	if actsFor(a, c.OwnerOrganisation) {
		if r.Action == ActionRead && !known(r.Group) {
			return forbid("unknown field group")
		}
		if r.Action == ActionReadAccessLog {
			return forbid("auditors read the access log")
		}
		if r.Action == ActionSubjectAccess {
			return allow("the owning organisation's caseworker hands the survivor her own record")
		}
		return allow("caseworker of the organisation that owns the case")
	}
	categories, shared := sharedWith(c, a, r)
	if !shared {
		return notFound()
	}
	if r.Action != ActionRead {
		return forbid("a case shared by consent is read-only for the organisations it is shared with")
	}
	if r.Group == GroupSummary || r.Group == GroupContact {
		return allow("the case is shared with the caseworker's organisation by a consent grant in force")
	}
	if cat, ok := r.Group.category(); ok && slices.Contains(categories, cat) {
		return allow("a consent grant in force shares this group with the caseworker's organisation")
	}
	return forbid("no consent grant in force shares this group with the caseworker's organisation")
}

// decideTransfer: the recipient of the pending transfer answers it, even when the
// survivor has withdrawn the consent that let it see the case (declining lets less data
// flow; accepting is then refused by the domain, which checks consent again). Whether
// Target is the pending transfer's id is the domain's to say: naming another is bad
// input, not a refusal.
func decideTransfer(r Request) Decision {
	c, a := r.Case, r.Actor
	if p := c.PendingTransfer; p != nil && actsFor(a, p.To) {
		return allow("the caseworker's organisation is the recipient of the case's pending transfer")
	}
	if _, shared := sharedWith(c, a, r); shared || actsFor(a, c.OwnerOrganisation) {
		return forbid("only the recipient of a pending transfer accepts or declines it; the owner may cancel it")
	}
	return notFound()
}

// sharedWith reports whether some consent grant in force at r.Now names the actor's
// organisation as recipient, and which data categories those grants share.
func sharedWith(c *domain.Case, a Actor, r Request) (categories []domain.DataCategory, shared bool) {
	for _, g := range c.Grants {
		if g.InForce(r.Now) && actsFor(a, g.Recipient) {
			shared = true
			categories = append(categories, g.Categories...)
		}
	}
	return categories, shared
}

// bank: a bank the case was referred to, while a banking grant to it is in force,
// sees the journey summary and the banking group and records its own outcomes.
func bank(r Request) Decision {
	c, a := r.Case, r.Actor
	if _, referred := c.BankReferrals[a.Organisation]; !referred || a.Organisation == "" {
		return notFound()
	}
	if _, ok := c.ConsentFor(a.Organisation, domain.PurposeBanking, r.Now); !ok {
		return notFound()
	}
	switch r.Action {
	case ActionRead:
		switch r.Group {
		case GroupSummary, GroupBanking, GroupContact, GroupSafeguarding:
			return allow("the case was referred to the bank under a banking grant in force")
		}
		return forbid("a bank reads only the journey summary, banking, safe-contact rules and its safeguarding concerns")
	case ActionRecordBankOutcome:
		if actsFor(a, r.Target) {
			return allow("a bank records the outcome of its own account application")
		}
		return forbid("a bank records only its own account applications' outcomes")
	}
	return forbid("a bank may only record the outcome of its own account applications")
}

// bureau: a bureau a dispute of the case is addressed to, while a credit-repair grant
// to it is in force, sees the credit group and records its own disputes' outcomes.
func bureau(r Request) Decision {
	c, a := r.Case, r.Actor
	if !addressedTo(c, a) {
		return notFound()
	}
	if _, ok := c.ConsentFor(a.Organisation, domain.PurposeCreditRepair, r.Now); !ok {
		return notFound()
	}
	switch r.Action {
	case ActionRead:
		if r.Group == GroupCredit || r.Group == GroupContact {
			return allow("a dispute is addressed to the bureau under a credit-repair grant in force")
		}
		return forbid("a bureau reads only the credit group and the safe-contact rules")
	case ActionRecordDisputeOutcome:
		if d, ok := c.Disputes[r.Target]; ok && actsFor(a, d.Bureau) {
			return allow("a bureau records the outcome of a dispute addressed to it")
		}
		return forbid("a bureau records only the outcomes of disputes addressed to it")
	}
	return forbid("a bureau may only record the outcomes of disputes addressed to it")
}

// addressedTo reports whether some credit dispute of the case is addressed to the
// actor's bureau.
func addressedTo(c *domain.Case, a Actor) bool {
	for _, d := range c.Disputes {
		if actsFor(a, d.Bureau) {
			return true
		}
	}
	return false
}

// auditor: the coalition's auditors read every case (personal groups only with a
// stated reason); a bank's compliance team reads exactly what its bank may read.
// Auditors are read-only.
func auditor(r Request) Decision {
	auditing := r.Action == ActionAudit || r.Action == ActionReadAccessLog
	if r.Actor.bankCompliance() {
		read := r
		read.Action = ActionRead
		if r.Action != ActionRead {
			read.Group = GroupSummary
		}
		d := bank(read)
		if d.Allowed && auditing {
			return allow("a bank's compliance team audits the cases its bank sees")
		}
		if d.Allowed && r.Action != ActionRead {
			return forbid("auditors are read-only")
		}
		return d
	}
	if auditing {
		return allow("auditors audit every case")
	}
	if r.Action != ActionRead {
		return forbid("auditors are read-only")
	}
	switch {
	case !known(r.Group):
		return forbid("unknown field group")
	case r.Group == GroupSafeguarding:
		return forbid("safeguarding concerns are for the support organisation and the bank only")
	case !r.Group.Personal() && !r.Sealed:
		return allow("auditors read every case's journey")
	case strings.TrimSpace(r.Reason) != "":
		return breakGlass("an auditor reads personal data for a stated reason (break-glass)")
	}
	return reasonRequired("an auditor reads personal data only for a stated reason")
}

// admin: no case content, but may erase any case's personal data, by id.
func admin(r Request) Decision {
	if r.Action == ActionErase {
		return Decision{Allowed: true, Why: "an admin may erase any case's personal data"}
	}
	return notFound()
}

// decideGlobal decides the actions that concern no case. They are always Visible:
// refusing one is FORBIDDEN.
func decideGlobal(r Request) Decision {
	a := r.Actor
	switch r.Action {
	case ActionRefer:
		if a.Role == RoleCaseworker && actsFor(a, r.Target) {
			return allow("a caseworker refers survivors for their own organisation")
		}
		return forbid("only a caseworker of the referring organisation may refer a survivor")
	case ActionReadDirectory:
		return allow("every authenticated caller reads the organisation directory")
	case ActionManageDirectory:
		return only(a, "admins manage the organisation directory", RoleAdmin)
	case ActionAnswerSurvey:
		if a.Role == RoleAdmin || a.Role == RoleCaseworker && actsFor(a, r.Target) {
			return allow("an organisation's caseworkers, and admins, answer its baseline survey")
		}
		return forbid("only the organisation's caseworkers, and admins, answer its baseline survey")
	case ActionManageKeys:
		return only(a, "admins manage keys", RoleAdmin)
	case ActionRevokeTokens:
		return only(a, "admins revoke access tokens", RoleAdmin)
	case ActionReadAccessLog:
		// The whole log spans every case: a bank's compliance team reads only the
		// entries of its bank's cases, one case at a time.
		if a.bankCompliance() {
			return forbid("a bank's compliance team reads the access log of its bank's cases only")
		}
		return only(a, "auditors read the access log", RoleAuditor)
	case ActionReadAggregates:
		return only(a, "analysts, auditors and admins read aggregates", RoleAnalyst, RoleAuditor, RoleAdmin)
	case ActionReadDashboard:
		// Every role is bound to an organisation of its kind (kinds.go): every
		// authenticated caller acting for one is an analyst or its staff.
		if NeedsOrganisation(a.Role) && a.Organisation == "" {
			return forbid("the coalition dashboard is read by an organisation's staff, acting for it")
		}
		return allow("analysts and every organisation's staff read the coalition dashboard")
	}
	return Decision{Why: whyUnknownAction}
}

// only allows the action to the listed roles.
func only(a Actor, why string, roles ...Role) Decision {
	if slices.Contains(roles, a.Role) {
		return allow(why)
	}
	return forbid(why)
}

func known(g Group) bool { return slices.Contains(Groups(), g) }
