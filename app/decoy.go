package app

import (
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/projections"
)

// A case the caller may not see answers exactly like a missing one — NOT_FOUND — and
// it must take as long, or the time tells an outsider which ids are real cases. So an
// unknown id is not answered straight from the index: the same visibility decision is
// made, against a decoy no caller can see, shaped like a case of the coalition (an
// owner, bank referrals, consent grants in force) so that the decision does as much
// work. BenchmarkCaseHiddenVsMissing (api) measures the two.

// decoyOwner is no organisation's id (ids are lower-case letters, digits and '-'),
// so no actor acts for it, nor for the decoy's other parties.
const decoyOwner = "-decoy-"

// decoyCase returns the decoy view; it is built once and never changed.
func decoyCase() *projections.CaseView {
	grants := map[string]domain.ConsentGrant{}
	for _, id := range []string{"-decoy-grant-1", "-decoy-grant-2", "-decoy-grant-3"} {
		grants[id] = domain.ConsentGrant{
			ID: id, Recipient: id, Categories: domain.AllDataCategory(), Purposes: domain.AllPurpose(),
			ExpiresAt: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		}
	}
	return &projections.CaseView{
		ID: "-decoy-",
		State: domain.Case{
			Version: 20, Referred: true, OwnerOrganisation: decoyOwner, Jurisdiction: "ZZ",
			Stage: domain.StageAccountOpening, Status: domain.StatusOpen, Grants: grants,
			BankReferrals: map[string]domain.BankReferral{"-decoy-bank-": {Bank: "-decoy-bank-"}},
		},
	}
}
