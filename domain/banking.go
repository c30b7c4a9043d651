package domain

import (
	"fmt"
	"slices"
	"time"
)

// Banking: the case is referred to partner banks under a banking consent grant, the
// survivor applies for a product at one, and the bank opens the account (with an
// accepted ID document or due-diligence pack, duediligence.go) or declines it with a
// reason. A declined application can be followed by a new one. Offers and the
// survivor's choice are in offers.go.

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

// ---- Commands and events -----------------------------------------------------------

type ReferToBank struct {
	Bank OrgRef
}

type SubmitAccountApplication struct {
	Bank    OrgRef
	Product AccountProduct
}

type RecordAccountOpened struct {
	Bank    OrgRef
	Product AccountProduct
}

type RecordAccountDeclined struct {
	Bank       OrgRef
	ReasonCode AccountDeclineReason
	Reason     string // optional text
}

// BankReferralMade: the case was referred to a partner bank under a consent grant.
type BankReferralMade struct {
	Bank    string    `json:"bank" waymark:"id"`
	GrantID string    `json:"grantId" waymark:"id"` // the grant that allowed the data to flow
	At      time.Time `json:"at"`
}

// AccountApplicationSubmitted: the survivor applied for a product at a bank.
type AccountApplicationSubmitted struct {
	Bank    string         `json:"bank" waymark:"id"`
	Product AccountProduct `json:"product"`
	At      time.Time      `json:"at"`
}

// BankAccountOpened: the bank opened an account (the product may differ from the
// one applied for).
type BankAccountOpened struct {
	Bank    string         `json:"bank" waymark:"id"`
	Product AccountProduct `json:"product"`
	At      time.Time      `json:"at"`
}

// AccountApplicationDeclined: the bank declined the application.
type AccountApplicationDeclined struct {
	Bank       string               `json:"bank" waymark:"id"`
	ReasonCode AccountDeclineReason `json:"reasonCode"`
	At         time.Time            `json:"at"`
	Personal   *ReasonDetails       `json:"personal,omitempty"`
}

func (ReferToBank) CommandType() string              { return "ReferToBank" }
func (SubmitAccountApplication) CommandType() string { return "SubmitAccountApplication" }
func (RecordAccountOpened) CommandType() string      { return "RecordAccountOpened" }
func (RecordAccountDeclined) CommandType() string    { return "RecordAccountDeclined" }

func (BankReferralMade) EventType() string            { return "BankReferralMade" }
func (AccountApplicationSubmitted) EventType() string { return "AccountApplicationSubmitted" }
func (BankAccountOpened) EventType() string           { return "BankAccountOpened" }
func (AccountApplicationDeclined) EventType() string  { return "AccountApplicationDeclined" }

// ---- Table -------------------------------------------------------------------------

func bankingConcern() concern {
	return concern{
		commands: []commandSpec{
			caseCommand[ReferToBank]{decide: decideReferToBank}.spec(),
			caseCommand[SubmitAccountApplication]{decide: decideSubmitAccountApplication}.spec(),
			caseCommand[RecordAccountOpened]{decide: decideAccountOpened,
				by: func(cmd RecordAccountOpened, _ Case) Performer { return bankSide(cmd.Bank.ID) }}.spec(),
			caseCommand[RecordAccountDeclined]{decide: decideAccountDeclined,
				by: func(cmd RecordAccountDeclined, _ Case) Performer { return bankSide(cmd.Bank.ID) }}.spec(),
		},
		events: []EventSpec{
			caseEvent[BankReferralMade]{stage: StageAccountOpening, evolve: evolveBankReferralMade,
				party: func(e BankReferralMade, _ Case) string { return e.Bank }}.spec(),
			caseEvent[AccountApplicationSubmitted]{stage: StageAccountOpening, evolve: evolveApplicationSubmitted,
				party: func(e AccountApplicationSubmitted, _ Case) string { return e.Bank }}.spec(),
			caseEvent[BankAccountOpened]{stage: StageAccountOpening, evolve: evolveBankAccountOpened,
				party: func(e BankAccountOpened, _ Case) string { return e.Bank }}.spec(),
			caseEvent[AccountApplicationDeclined]{evolve: evolveApplicationDeclined,
				party: func(e AccountApplicationDeclined, _ Case) string { return e.Bank }}.spec(),
		},
	}
}

// ---- Rules -------------------------------------------------------------------------

func decideReferToBank(c Case, cmd ReferToBank, now time.Time) ([]Event, error) {
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if r, ok := c.BankReferrals[cmd.Bank.ID]; ok {
		return nil, transition(fmt.Sprintf("the case was already referred to bank %s on %s", r.Bank, r.At.Format(time.DateOnly)))
	}
	g, err := requireConsent(c, "bank", cmd.Bank.ID, PurposeBanking, now)
	if err != nil {
		return nil, err
	}
	return one(BankReferralMade{Bank: cmd.Bank.ID, GrantID: g.ID, At: now})
}

func decideSubmitAccountApplication(c Case, cmd SubmitAccountApplication, now time.Time) ([]Event, error) {
	bank := cmd.Bank.ID
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if !cmd.Product.Valid() {
		return nil, invalid("product", fmt.Sprintf("unknown account product %q", cmd.Product))
	}
	if _, ok := c.BankReferrals[bank]; !ok {
		return nil, transition(fmt.Sprintf("the case was not referred to bank %s; refer it before applying there", bank))
	}
	if a, ok := c.Applications[bank]; ok && a.Status != ApplicationDeclined {
		return nil, transition(fmt.Sprintf("there is already an application at bank %s (%s)", bank, a.Status))
	}
	if _, err := requireConsent(c, "bank", bank, PurposeBanking, now); err != nil {
		return nil, err
	}
	return one(AccountApplicationSubmitted{Bank: bank, Product: cmd.Product, At: now})
}

func decideAccountOpened(c Case, cmd RecordAccountOpened, now time.Time) ([]Event, error) {
	bank := cmd.Bank.ID
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if !cmd.Product.Valid() {
		return nil, invalid("product", fmt.Sprintf("unknown account product %q", cmd.Product))
	}
	if _, ok := c.BankReferrals[bank]; !ok {
		return nil, transition(fmt.Sprintf("account opening only at a bank the case was referred to; it was not referred to bank %s", bank))
	}
	if err := submittedApplication(c, bank, "opened"); err != nil {
		return nil, err
	}
	if !c.AcceptsForOpening(bank) {
		return nil, transition(fmt.Sprintf("no accepted ID document or due-diligence pack for bank %s", bank))
	}
	return one(BankAccountOpened{Bank: bank, Product: cmd.Product, At: now})
}

func decideAccountDeclined(c Case, cmd RecordAccountDeclined, now time.Time) ([]Event, error) {
	if err := checkOrgKind("bankId", cmd.Bank, OrgBank); err != nil {
		return nil, err
	}
	if err := checkCode("reasonCode", cmd.ReasonCode, "decline reason"); err != nil {
		return nil, err
	}
	text, err := reasonText("reason", cmd.Reason)
	if err != nil {
		return nil, err
	}
	if err := submittedApplication(c, cmd.Bank.ID, "declined"); err != nil {
		return nil, err
	}
	return one(AccountApplicationDeclined{Bank: cmd.Bank.ID, ReasonCode: cmd.ReasonCode, At: now, Personal: text})
}

func submittedApplication(c Case, bank, outcome string) error {
	a, ok := c.Applications[bank]
	if !ok {
		return transition(fmt.Sprintf("there is no application at bank %s to be %s; submit one first", bank, outcome))
	}
	if a.Status != ApplicationSubmitted {
		return transition(fmt.Sprintf("the application at bank %s is already %s; submit a new one first", bank, a.Status))
	}
	return nil
}

// ---- Evolve ------------------------------------------------------------------------

func evolveBankReferralMade(c Case, e BankReferralMade) Case {
	c.BankReferrals = with(c.BankReferrals, e.Bank, BankReferral{Bank: e.Bank, GrantID: e.GrantID, At: e.At})
	return c
}

// evolveApplicationSubmitted: a resubmission after a decline replaces the declined
// application.
func evolveApplicationSubmitted(c Case, e AccountApplicationSubmitted) Case {
	c.Applications = with(c.Applications, e.Bank, AccountApplication{
		Bank: e.Bank, Product: e.Product, Status: ApplicationSubmitted, SubmittedAt: e.At, UpdatedAt: e.At,
	})
	return c
}

func evolveBankAccountOpened(c Case, e BankAccountOpened) Case {
	if a, ok := c.Applications[e.Bank]; ok {
		a.Product, a.Status, a.UpdatedAt = e.Product, ApplicationOpened, e.At
		c.Applications = with(c.Applications, e.Bank, a)
	}
	return c
}

func evolveApplicationDeclined(c Case, e AccountApplicationDeclined) Case {
	if a, ok := c.Applications[e.Bank]; ok {
		a.Status, a.ReasonCode, a.UpdatedAt = ApplicationDeclined, e.ReasonCode, e.At
		c.Applications = with(c.Applications, e.Bank, a)
	}
	return c
}
