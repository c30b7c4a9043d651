package app

// Step 1's access policy, decided here and nowhere else. Step 2 replaces it with the
// full decision (grants, banks, bureaus, break-glass); callers do not change.

// Action is what a caller wants to do.
type Action string

const (
	ActionReadCase      Action = "case:read"
	ActionReadPersonal  Action = "case:read-personal"
	ActionChangeCase    Action = "case:change"
	ActionReferSurvivor Action = "case:refer"
	ActionManageOrgs    Action = "organisation:manage"
	ActionReadOrgs      Action = "organisation:read"
)

// authorize decides whether actor may take action on a case owned by owner ("" when
// the action is not about a case). It returns nil, ErrUnauthenticated, ErrNotFound (the
// caller may not know the case exists) or ErrForbidden (a visible case, a forbidden
// action).
func authorize(actor Actor, action Action, owner string) error {
	if !actor.Authenticated() {
		return ErrUnauthenticated
	}
	switch action {
	case ActionReadOrgs:
		return nil
	case ActionManageOrgs:
		if actor.Role == RoleAdmin {
			return nil
		}
		return ErrForbidden
	case ActionReferSurvivor:
		if actor.Role == RoleCaseworker && actor.Organisation == owner {
			return nil
		}
		return ErrForbidden
	}
	if !canSee(actor, owner) {
		return ErrNotFound
	}
	switch action {
	case ActionReadCase:
		return nil
	case ActionReadPersonal, ActionChangeCase:
		if actor.Role == RoleCaseworker {
			return nil
		}
	}
	return ErrForbidden
}

// canSee reports whether actor may know that a case owned by owner exists.
func canSee(actor Actor, owner string) bool {
	switch actor.Role {
	case RoleCaseworker:
		return actor.Organisation == owner
	case RoleAuditor:
		return true
	}
	return false
}
