package domain

import (
	"fmt"
	"slices"
)

// Reasons are recorded twice: as a code from a closed list, which dashboards and the
// analytics feed count, and optionally as text a person wrote, which is personal data
// (sealed in the event's personal object, erased with the case, its reads logged).
// Every list ends in "other" so that no reason is forced into a wrong code; the text
// says more.

// ReasonDetails is the optional free text beside a reason code.
type ReasonDetails struct {
	Text string `json:"text"`
}

// reasonText checks the optional text of a reason and returns the personal object to
// store (nil when there is no text).
func reasonText(field, text string) (*ReasonDetails, error) {
	t, err := cleanText(field, text, reasonRule)
	if err != nil || t == "" {
		return nil, err
	}
	return &ReasonDetails{Text: t}, nil
}

// checkCode checks a reason code that is required.
func checkCode[T enum](field string, code T, what string) error {
	if code == "" {
		return invalid(field, fmt.Sprintf("a %s is required", what))
	}
	if !code.Valid() {
		return invalid(field, fmt.Sprintf("unknown %s %q", what, string(code)))
	}
	return nil
}

// checkOptionalCode checks a reason code that may be left out.
func checkOptionalCode[T enum](field string, code T, what string) error {
	if code != "" && !code.Valid() {
		return invalid(field, fmt.Sprintf("unknown %s %q", what, string(code)))
	}
	return nil
}

// RefusalReason is why an issuing authority refused an identity document.
type RefusalReason string

const (
	RefusalMissingSupportingDocuments RefusalReason = "missing_supporting_documents"
	RefusalIdentityNotVerified        RefusalReason = "identity_not_verified"
	RefusalNotEligible                RefusalReason = "not_eligible"
	RefusalFeeNotPaid                 RefusalReason = "fee_not_paid"
	RefusalAuthorityUnavailable       RefusalReason = "authority_unavailable"
	RefusalOther                      RefusalReason = "other"
)

func AllRefusalReason() []RefusalReason {
	return []RefusalReason{RefusalMissingSupportingDocuments, RefusalIdentityNotVerified, RefusalNotEligible,
		RefusalFeeNotPaid, RefusalAuthorityUnavailable, RefusalOther}
}

func (x RefusalReason) Valid() bool { return slices.Contains(AllRefusalReason(), x) }

// DeclineReason is why a survivor declined every bank offer.
type DeclineReason string

const (
	DeclineFeesTooHigh            DeclineReason = "fees_too_high"
	DeclineBranchNotAccessible    DeclineReason = "branch_not_accessible"
	DeclineDistrustsBanks         DeclineReason = "distrusts_banks"
	DeclinePrefersAnotherProvider DeclineReason = "prefers_another_provider"
	DeclineSafetyConcern          DeclineReason = "safety_concern"
	DeclineNotReady               DeclineReason = "not_ready"
	DeclineOther                  DeclineReason = "other"
)

func AllDeclineReason() []DeclineReason {
	return []DeclineReason{DeclineFeesTooHigh, DeclineBranchNotAccessible, DeclineDistrustsBanks,
		DeclinePrefersAnotherProvider, DeclineSafetyConcern, DeclineNotReady, DeclineOther}
}

func (x DeclineReason) Valid() bool { return slices.Contains(AllDeclineReason(), x) }

// PackRejectionReason is why a bank did not accept a due-diligence pack.
type PackRejectionReason string

const (
	PackInsufficientEvidence      PackRejectionReason = "insufficient_evidence"
	PackPolicyRequiresID          PackRejectionReason = "policy_requires_id"
	PackOrganisationNotRecognised PackRejectionReason = "organisation_not_recognised"
	PackVisitNotCompleted         PackRejectionReason = "visit_not_completed"
	PackRejectionOther            PackRejectionReason = "other"
)

func AllPackRejectionReason() []PackRejectionReason {
	return []PackRejectionReason{PackInsufficientEvidence, PackPolicyRequiresID, PackOrganisationNotRecognised,
		PackVisitNotCompleted, PackRejectionOther}
}

func (x PackRejectionReason) Valid() bool { return slices.Contains(AllPackRejectionReason(), x) }

// AccountDeclineReason is why a bank declined an account application.
type AccountDeclineReason string

const (
	AccountIdentityNotVerified       AccountDeclineReason = "identity_not_verified"
	AccountInsufficientDocumentation AccountDeclineReason = "insufficient_documentation"
	AccountSanctionsScreening        AccountDeclineReason = "sanctions_screening"
	AccountPreviousFraudFlag         AccountDeclineReason = "previous_fraud_flag"
	AccountProductUnavailable        AccountDeclineReason = "product_unavailable"
	AccountDeclineOther              AccountDeclineReason = "other"
)

func AllAccountDeclineReason() []AccountDeclineReason {
	return []AccountDeclineReason{AccountIdentityNotVerified, AccountInsufficientDocumentation, AccountSanctionsScreening,
		AccountPreviousFraudFlag, AccountProductUnavailable, AccountDeclineOther}
}

func (x AccountDeclineReason) Valid() bool { return slices.Contains(AllAccountDeclineReason(), x) }

// DisputeReason is why a credit bureau refused a dispute or one of its items.
type DisputeReason string

const (
	DisputeInsufficientEvidence  DisputeReason = "insufficient_evidence"
	DisputeIdentityNotVerified   DisputeReason = "identity_not_verified"
	DisputeItemNotFound          DisputeReason = "item_not_found"
	DisputeNotTraffickingRelated DisputeReason = "not_trafficking_related"
	DisputeReasonOther           DisputeReason = "other"
)

func AllDisputeReason() []DisputeReason {
	return []DisputeReason{DisputeInsufficientEvidence, DisputeIdentityNotVerified, DisputeItemNotFound,
		DisputeNotTraffickingRelated, DisputeReasonOther}
}

func (x DisputeReason) Valid() bool { return slices.Contains(AllDisputeReason(), x) }

// ConcernResolution is how a safeguarding concern was resolved.
type ConcernResolution string

const (
	ResolutionSurvivorSafe          ConcernResolution = "survivor_safe"
	ResolutionReferredToAuthorities ConcernResolution = "referred_to_authorities"
	ResolutionAccountRestricted     ConcernResolution = "account_restricted"
	ResolutionNoConcernFound        ConcernResolution = "no_concern_found"
	ResolutionOther                 ConcernResolution = "other"
)

func AllConcernResolution() []ConcernResolution {
	return []ConcernResolution{ResolutionSurvivorSafe, ResolutionReferredToAuthorities, ResolutionAccountRestricted,
		ResolutionNoConcernFound, ResolutionOther}
}

func (x ConcernResolution) Valid() bool { return slices.Contains(AllConcernResolution(), x) }

// ReopenReason is why a closed case was opened again.
type ReopenReason string

const (
	ReopenSurvivorReturned ReopenReason = "survivor_returned"
	ReopenClosedInError    ReopenReason = "closed_in_error"
	ReopenNewNeed          ReopenReason = "new_need"
	ReopenOther            ReopenReason = "other"
)

func AllReopenReason() []ReopenReason {
	return []ReopenReason{ReopenSurvivorReturned, ReopenClosedInError, ReopenNewNeed, ReopenOther}
}

func (x ReopenReason) Valid() bool { return slices.Contains(AllReopenReason(), x) }

// ErasureReason is why a survivor's personal data was erased. It has no free text:
// the text could only be sealed with the key the erasure destroys.
type ErasureReason string

const (
	ErasureSurvivorRequest  ErasureReason = "survivor_request"
	ErasureRetentionPolicy  ErasureReason = "retention_policy"
	ErasureLegalObligation  ErasureReason = "legal_obligation"
	ErasureConsentWithdrawn ErasureReason = "consent_withdrawn"
	ErasureOther            ErasureReason = "other"
)

func AllErasureReason() []ErasureReason {
	return []ErasureReason{ErasureSurvivorRequest, ErasureRetentionPolicy, ErasureLegalObligation,
		ErasureConsentWithdrawn, ErasureOther}
}

func (x ErasureReason) Valid() bool { return slices.Contains(AllErasureReason(), x) }
