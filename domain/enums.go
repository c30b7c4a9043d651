package domain

import "slices"

// Value types. The enums of the later journey steps live with their concern
// (OfferStatus in offers.go, ContactChannel in contact.go, ...). Every enum is a string type whose values are the lower_snake_case
// names stored in events, so a stored event reads the same in every language. Each
// has Valid() (for input checks in Decide) and an All<Type>() that lists its values
// in order (for API enum mapping and exhaustive tests). All<Type> returns a fresh
// slice each call: there is no package-level mutable state.

// Need is something the survivor needs from the journey.
type Need string

const (
	NeedBankAccount       Need = "bank_account"
	NeedIDDocument        Need = "id_document"
	NeedCreditRepair      Need = "credit_repair"
	NeedFinancialTraining Need = "financial_training"
	NeedTransport         Need = "transport"
	NeedShelter           Need = "shelter"
)

func AllNeed() []Need {
	return []Need{NeedBankAccount, NeedIDDocument, NeedCreditRepair, NeedFinancialTraining, NeedTransport, NeedShelter}
}

func (x Need) Valid() bool { return slices.Contains(AllNeed(), x) }

// Barrier is something that keeps the survivor from financial services.
type Barrier string

const (
	BarrierNoID              Barrier = "no_id"
	BarrierNoIncome          Barrier = "no_income"
	BarrierNoShelterAccess   Barrier = "no_shelter_access"
	BarrierUnawareOfProducts Barrier = "unaware_of_products"
	BarrierNeedsTransport    Barrier = "needs_transport"
	BarrierNeedsTraining     Barrier = "needs_training"
)

func AllBarrier() []Barrier {
	return []Barrier{BarrierNoID, BarrierNoIncome, BarrierNoShelterAccess, BarrierUnawareOfProducts, BarrierNeedsTransport, BarrierNeedsTraining}
}

func (x Barrier) Valid() bool { return slices.Contains(AllBarrier(), x) }

// DataCategory groups case data by sensitivity; consent is granted per category.
type DataCategory string

const (
	DataIdentity DataCategory = "identity"
	DataBanking  DataCategory = "banking"
	DataCredit   DataCategory = "credit"
	DataNotes    DataCategory = "notes"
)

func AllDataCategory() []DataCategory {
	return []DataCategory{DataIdentity, DataBanking, DataCredit, DataNotes}
}

func (x DataCategory) Valid() bool { return slices.Contains(AllDataCategory(), x) }

// Purpose is what a recipient may use the survivor's data for.
type Purpose string

const (
	PurposeBanking            Purpose = "banking"
	PurposeCreditRepair       Purpose = "credit_repair"
	PurposeCoalitionAnalytics Purpose = "coalition_analytics"
)

func AllPurpose() []Purpose {
	return []Purpose{PurposeBanking, PurposeCreditRepair, PurposeCoalitionAnalytics}
}

func (x Purpose) Valid() bool { return slices.Contains(AllPurpose(), x) }

// DocumentKind is a kind of identity document (CURP and INE are Mexican).
type DocumentKind string

const (
	DocBirthCertificate DocumentKind = "birth_certificate"
	DocNationalID       DocumentKind = "national_id"
	DocCURP             DocumentKind = "curp"
	DocINE              DocumentKind = "ine"
	DocPassport         DocumentKind = "passport"
	DocResidencePermit  DocumentKind = "residence_permit"
)

func AllDocumentKind() []DocumentKind {
	return []DocumentKind{DocBirthCertificate, DocNationalID, DocCURP, DocINE, DocPassport, DocResidencePermit}
}

func (x DocumentKind) Valid() bool { return slices.Contains(AllDocumentKind(), x) }

// OrganisationKind is the role an organisation plays in the coalition.
type OrganisationKind string

const (
	OrgShelter      OrganisationKind = "shelter"
	OrgNGO          OrganisationKind = "ngo"
	OrgBank         OrganisationKind = "bank"
	OrgCreditBureau OrganisationKind = "credit_bureau"
	OrgIDOffice     OrganisationKind = "id_office"
	OrgGovernment   OrganisationKind = "government" // a government service that works with survivors
	// OrgCoalition is the coalition itself (its audit and analytics teams, the
	// funder's or regulator's office): it holds no cases and serves no survivor.
	OrgCoalition OrganisationKind = "coalition"
)

func AllOrganisationKind() []OrganisationKind {
	return []OrganisationKind{OrgShelter, OrgNGO, OrgBank, OrgCreditBureau, OrgIDOffice, OrgGovernment, OrgCoalition}
}

func (x OrganisationKind) Valid() bool { return slices.Contains(AllOrganisationKind(), x) }

// SupportsSurvivors reports whether organisations of this kind work with survivors
// directly, and so may refer them and own their cases: shelters, NGOs and government
// services (a victim-services unit, a labour inspectorate's support team).
func (x OrganisationKind) SupportsSurvivors() bool {
	return x == OrgShelter || x == OrgNGO || x == OrgGovernment
}

// Service is something an organisation offers.
type Service string

const (
	ServiceShelter           Service = "shelter"
	ServiceLegalAid          Service = "legal_aid"
	ServiceIDAssistance      Service = "id_assistance"
	ServiceFinancialTraining Service = "financial_training"
	ServiceTransport         Service = "transport"
	ServiceInterpretation    Service = "interpretation"
	ServiceBanking           Service = "banking"
	ServiceCreditReporting   Service = "credit_reporting"
	ServiceIDIssuance        Service = "id_issuance"
)

func AllService() []Service {
	return []Service{ServiceShelter, ServiceLegalAid, ServiceIDAssistance, ServiceFinancialTraining, ServiceTransport,
		ServiceInterpretation, ServiceBanking, ServiceCreditReporting, ServiceIDIssuance}
}

func (x Service) Valid() bool { return slices.Contains(AllService(), x) }

// AccountProduct is a bank product a survivor is offered or applies for; a business
// account or a loan usually comes later in the journey.
type AccountProduct string

const (
	ProductBasicAccount    AccountProduct = "basic_account"
	ProductDebitCard       AccountProduct = "debit_card"
	ProductSavingsAccount  AccountProduct = "savings_account"
	ProductBusinessAccount AccountProduct = "business_account"
	ProductLoan            AccountProduct = "loan"
)

func AllAccountProduct() []AccountProduct {
	return []AccountProduct{ProductBasicAccount, ProductDebitCard, ProductSavingsAccount, ProductBusinessAccount, ProductLoan}
}

func (x AccountProduct) Valid() bool { return slices.Contains(AllAccountProduct(), x) }

// DisputeOutcome is how a credit bureau answered a block/dispute request.
type DisputeOutcome string

const (
	DisputeBlocked          DisputeOutcome = "blocked" // every disputed item blocked
	DisputePartiallyBlocked DisputeOutcome = "partially_blocked"
	DisputeRefused          DisputeOutcome = "refused"
)

func AllDisputeOutcome() []DisputeOutcome {
	return []DisputeOutcome{DisputeBlocked, DisputePartiallyBlocked, DisputeRefused}
}

func (x DisputeOutcome) Valid() bool { return slices.Contains(AllDisputeOutcome(), x) }

// ClosureOutcome is why a case was closed.
type ClosureOutcome string

const (
	ClosureJourneyCompleted ClosureOutcome = "journey_completed"
	ClosureSurvivorWithdrew ClosureOutcome = "survivor_withdrew"
	ClosureLostContact      ClosureOutcome = "lost_contact"
	ClosureTransferred      ClosureOutcome = "transferred"
	ClosureOther            ClosureOutcome = "other"
)

func AllClosureOutcome() []ClosureOutcome {
	return []ClosureOutcome{ClosureJourneyCompleted, ClosureSurvivorWithdrew, ClosureLostContact, ClosureTransferred, ClosureOther}
}

func (x ClosureOutcome) Valid() bool { return slices.Contains(AllClosureOutcome(), x) }

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

// ApplicationStatus tracks one account application at one bank.
type ApplicationStatus string

const (
	ApplicationSubmitted ApplicationStatus = "submitted"
	ApplicationOpened    ApplicationStatus = "opened"
	ApplicationDeclined  ApplicationStatus = "declined"
)

func AllApplicationStatus() []ApplicationStatus {
	return []ApplicationStatus{ApplicationSubmitted, ApplicationOpened, ApplicationDeclined}
}

func (x ApplicationStatus) Valid() bool { return slices.Contains(AllApplicationStatus(), x) }

// DocumentStatus tracks one requested identity document.
type DocumentStatus string

const (
	DocumentRequested DocumentStatus = "requested"
	DocumentObtained  DocumentStatus = "obtained"
	DocumentRefused   DocumentStatus = "refused"
)

func AllDocumentStatus() []DocumentStatus {
	return []DocumentStatus{DocumentRequested, DocumentObtained, DocumentRefused}
}

func (x DocumentStatus) Valid() bool { return slices.Contains(AllDocumentStatus(), x) }

// DisputeStatus tracks one credit dispute.
type DisputeStatus string

const (
	DisputeFiled    DisputeStatus = "filed"
	DisputeResolved DisputeStatus = "resolved"
)

func AllDisputeStatus() []DisputeStatus { return []DisputeStatus{DisputeFiled, DisputeResolved} }

func (x DisputeStatus) Valid() bool { return slices.Contains(AllDisputeStatus(), x) }
