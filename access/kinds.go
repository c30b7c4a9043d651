package access

import (
	"fmt"
	"slices"

	"github.com/waymark-org/waymark/domain"
)

// A role is only as good as the organisation kind it is bound to: a caseworker token
// for a bank's organisation would turn the bank into a shelter. KindsFor lists the
// organisation kinds whose staff may hold a role; a token is valid only for an
// organisation of one of them (checked when it is issued and on every request).
//
//   - caseworker: a shelter, an NGO or a government service (they support survivors)
//   - bank: a bank; bureau: a credit bureau
//   - analyst: the coalition (its analytics team)
//   - auditor: the coalition (every case, personal data with a reason) or a bank (its
//     compliance team: exactly what that bank may see)
//   - admin: the coalition; an admin may also hold no organisation at all (the
//     operator who bootstraps the directory)
func KindsFor(r Role) []domain.OrganisationKind {
	switch r {
	case RoleCaseworker:
		return []domain.OrganisationKind{domain.OrgShelter, domain.OrgNGO, domain.OrgGovernment}
	case RoleBank:
		return []domain.OrganisationKind{domain.OrgBank}
	case RoleBureau:
		return []domain.OrganisationKind{domain.OrgCreditBureau}
	case RoleAnalyst:
		return []domain.OrganisationKind{domain.OrgCoalition}
	case RoleAuditor:
		return []domain.OrganisationKind{domain.OrgCoalition, domain.OrgBank}
	case RoleAdmin:
		return []domain.OrganisationKind{domain.OrgCoalition}
	}
	return nil
}

// NeedsOrganisation reports whether a role must act for an organisation; only an
// admin may act for none.
func NeedsOrganisation(r Role) bool { return r != RoleAdmin }

// ErrRoleNotForKind: the role cannot be held by staff of the organisation's kind.
var ErrRoleNotForKind = fmt.Errorf("role not held by this kind of organisation")

// CheckRoleKind says whether staff of an organisation of kind may hold role; the
// error names what would fit.
func CheckRoleKind(r Role, kind domain.OrganisationKind) error {
	if !r.Valid() {
		return fmt.Errorf("%w: %q is not a Waymark role (one of %v)", ErrRoleNotForKind, string(r), Roles())
	}
	kinds := KindsFor(r)
	if slices.Contains(kinds, kind) {
		return nil
	}
	return fmt.Errorf("%w: a %s acts for %v, and this organisation is a %s", ErrRoleNotForKind, r, kinds, kind)
}
