package access_test

import (
	"testing"

	"github.com/waymark-org/waymark/access"
	"github.com/waymark-org/waymark/domain"
)

// Handing a survivor her own record (a subject-access export) is for the owning
// organisation's caseworker alone, open or closed case: she records the request after
// checking in person, and hands the record over. Everyone else is refused, and those
// who may not see the case are told it is not found.
func TestAuthorizeSubjectAccess(t *testing.T) {
	t.Parallel()
	compliance := access.Actor{ID: "u-compliance", Role: access.RoleAuditor, Organisation: "bank-x", Kind: domain.OrgBank}
	tests := []struct {
		open, closed string
		who          string
		actor        access.Actor
	}{
		{"A", "A", "owning caseworker", caseworker("shelter-a")},
		{"F", "F", "caseworker with a grant in force", caseworker("ngo-shared")},
		{"N", "N", "caseworker of another organisation", caseworker("ngo-other")},
		{"F", "F", "bank referred under a grant", bank("bank-x")},
		{"N", "N", "bank whose grant was withdrawn", bank("bank-y")},
		{"F", "F", "bureau with a dispute", bureau("bureau-q")},
		{"F", "F", "coalition auditor", auditor},
		{"F", "F", "bank compliance, its bank sees the case", compliance},
		{"N", "N", "analyst", analyst},
		{"N", "N", "admin", admin},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			t.Parallel()
			check(t, access.Authorize(access.Request{Actor: tt.actor, Action: access.ActionSubjectAccess, Case: openCase(), Now: now}), tt.open)
			check(t, access.Authorize(access.Request{Actor: tt.actor, Action: access.ActionSubjectAccess, Case: closedCase(), Now: now}), tt.closed)
		})
	}
	unreferred := domain.Fold(nil)
	check(t, access.Authorize(access.Request{Actor: caseworker("shelter-a"), Action: access.ActionSubjectAccess, Case: &unreferred, Now: now}), "N")
	check(t, access.Authorize(access.Request{Actor: caseworker("shelter-a"), Action: access.ActionSubjectAccess, Now: now}), "N")
}
