package domain

import "testing"

// Account opening: a step where the survivor's data leaves the coalition, so every
// command that sends it to a bank checks consent.

func TestReferToBank(t *testing.T) {
	expired := ConsentGranted{GrantID: "g-old", Recipient: "org-bank", Categories: []DataCategory{DataBanking},
		Purposes: []Purpose{PurposeBanking}, ExpiresAt: at(9), At: at(1)}
	longer := ConsentGranted{GrantID: "g-long", Recipient: "org-bank", Categories: []DataCategory{DataBanking},
		Purposes: []Purpose{PurposeBanking, PurposeCoalitionAnalytics}, ExpiresAt: nextYear.AddDate(1, 0, 0), At: at(2)}
	otherBank := ConsentGranted{GrantID: "g-2", Recipient: "org-bank-2", Categories: []DataCategory{DataBanking},
		Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(1)}
	analyticsOnly := ConsentGranted{GrantID: "g-a", Recipient: "org-bank", Categories: []DataCategory{DataBanking},
		Purposes: []Purpose{PurposeCoalitionAnalytics}, ExpiresAt: nextYear, At: at(1)}
	withdrawn := ConsentWithdrawn{GrantID: "g-bank", At: at(2)}

	tests := []caseTest{
		{name: "refer to a bank the survivor consented to", given: events(referred, bankGrant), when: ReferToBank{Bank: bank},
			then: events(BankReferralMade{Bank: "org-bank", GrantID: "g-bank", At: at(10)}), thenStage: StageAccountOpening},
		{name: "the longest-lasting grant is recorded", given: events(referred, bankGrant, longer, expired), when: ReferToBank{Bank: bank},
			then: events(BankReferralMade{Bank: "org-bank", GrantID: "g-long", At: at(10)})},
		{name: "banking after credit repair keeps the stage", given: events(referred, bureauGrant, disputeFiled, bankGrant),
			when: ReferToBank{Bank: bank}, then: events(BankReferralMade{Bank: "org-bank", GrantID: "g-bank", At: at(10)}), thenStage: StageCreditRepair},
		{name: "not a bank", given: events(referred, bankGrant), when: ReferToBank{Bank: shelter},
			wantErr: ErrWrongOrganisationKind, wantMsg: "bankId: organisation org-shelter is not a bank (it is registered as shelter)"},
		{name: "bank not resolved", given: events(referred, bankGrant), when: ReferToBank{Bank: OrgRef{ID: "org-x"}}, wantErr: ErrUnknownOrganisation},
		{name: "no grant at all", given: events(referred), when: ReferToBank{Bank: bank},
			wantErr: ErrConsentRequired, wantMsg: "referToBank: no consent grant in force lets bank org-bank receive data for banking"},
		{name: "grant to another bank", given: events(referred, otherBank), when: ReferToBank{Bank: bank}, wantErr: ErrConsentRequired},
		{name: "grant for another purpose", given: events(referred, analyticsOnly), when: ReferToBank{Bank: bank}, wantErr: ErrConsentRequired},
		{name: "grant expired", given: events(referred, expired), when: ReferToBank{Bank: bank}, wantErr: ErrConsentRequired},
		{name: "grant expires at the instant of referral", given: events(referred, expired), when: ReferToBank{Bank: bank}, now: at(9), wantErr: ErrConsentRequired},
		{name: "grant withdrawn", given: events(referred, bankGrant, withdrawn), when: ReferToBank{Bank: bank}, wantErr: ErrConsentRequired},
		{name: "already referred to that bank", given: events(referred, bankGrant, bankReferred), when: ReferToBank{Bank: bank},
			wantErr: ErrInvalidTransition, wantMsg: "already referred to bank org-bank"},
	}
	runCaseTests(t, tests)
}

func TestSubmitAccountApplication(t *testing.T) {
	withdrawn := ConsentWithdrawn{GrantID: "g-bank", At: at(5)}
	opened := BankAccountOpened{Bank: "org-bank", Product: ProductBasicAccount, At: at(5)}
	declined := AccountApplicationDeclined{Bank: "org-bank", ReasonCode: AccountInsufficientDocumentation, At: at(5)}
	ready := events(referred, bankGrant, bankReferred)

	tests := []caseTest{
		{name: "apply for a basic account", given: ready, when: SubmitAccountApplication{Bank: bank, Product: ProductBasicAccount},
			then: events(AccountApplicationSubmitted{Bank: "org-bank", Product: ProductBasicAccount, At: at(10)}), thenStage: StageAccountOpening},
		{name: "resubmit after a decline", given: append(ready, applied, declined), when: SubmitAccountApplication{Bank: bank, Product: ProductDebitCard},
			then: events(AccountApplicationSubmitted{Bank: "org-bank", Product: ProductDebitCard, At: at(10)})},
		{name: "not a bank", given: ready, when: SubmitAccountApplication{Bank: bureau, Product: ProductBasicAccount}, wantErr: ErrWrongOrganisationKind},
		{name: "unknown product", given: ready, when: SubmitAccountApplication{Bank: bank, Product: "crypto_wallet"}, wantErr: ErrInvalidInput, wantMsg: "product:"},
		{name: "not referred to that bank", given: ready, when: SubmitAccountApplication{Bank: bank2, Product: ProductBasicAccount},
			wantErr: ErrInvalidTransition, wantMsg: "not referred to bank org-bank-2"},
		{name: "consent withdrawn since the referral", given: append(ready, withdrawn), when: SubmitAccountApplication{Bank: bank, Product: ProductBasicAccount},
			wantErr: ErrConsentRequired},
		{name: "consent expired since the referral", given: ready, now: nextYear, when: SubmitAccountApplication{Bank: bank, Product: ProductBasicAccount},
			wantErr: ErrConsentRequired},
		{name: "an application is already pending", given: append(ready, applied), when: SubmitAccountApplication{Bank: bank, Product: ProductSavingsAccount},
			wantErr: ErrInvalidTransition, wantMsg: "already an application at bank org-bank (submitted)"},
		{name: "an account is already open there", given: append(ready, applied, opened), when: SubmitAccountApplication{Bank: bank, Product: ProductSavingsAccount},
			wantErr: ErrInvalidTransition},
	}
	runCaseTests(t, tests)
}

func TestRecordAccountOutcome(t *testing.T) {
	declined := AccountApplicationDeclined{Bank: "org-bank", ReasonCode: AccountInsufficientDocumentation, At: at(5)}
	opened := BankAccountOpened{Bank: "org-bank", Product: ProductBasicAccount, At: at(5)}
	withdrawn := ConsentWithdrawn{GrantID: "g-bank", At: at(4)}
	// Opening needs an obtained ID document or an accepted pack (duediligence_test.go).
	pending := events(referred, bankGrant, docRequested, docObtained, bankReferred, applied)

	tests := []caseTest{
		{name: "the bank opens a different product than applied for", given: pending, when: RecordAccountOpened{Bank: bank, Product: ProductDebitCard},
			then: events(BankAccountOpened{Bank: "org-bank", Product: ProductDebitCard, At: at(10)})},
		{name: "opening is recorded even after consent was withdrawn", given: append(pending, withdrawn), when: RecordAccountOpened{Bank: bank, Product: ProductBasicAccount},
			then: events(BankAccountOpened{Bank: "org-bank", Product: ProductBasicAccount, At: at(10)})},
		{name: "opened: not a bank", given: pending, when: RecordAccountOpened{Bank: ngo, Product: ProductBasicAccount}, wantErr: ErrWrongOrganisationKind},
		{name: "opened: unknown product", given: pending, when: RecordAccountOpened{Bank: bank, Product: "gold"}, wantErr: ErrInvalidInput},
		{name: "opened: at a bank the case was not referred to", given: pending, when: RecordAccountOpened{Bank: bank2, Product: ProductBasicAccount},
			wantErr: ErrInvalidTransition, wantMsg: "account opening only at a bank the case was referred to"},
		{name: "opened: referred but never applied", given: events(referred, bankGrant, bankReferred), when: RecordAccountOpened{Bank: bank, Product: ProductBasicAccount},
			wantErr: ErrInvalidTransition, wantMsg: "no application at bank org-bank"},
		{name: "opened: the application was declined", given: append(pending, declined), when: RecordAccountOpened{Bank: bank, Product: ProductBasicAccount},
			wantErr: ErrInvalidTransition, wantMsg: "already declined"},
		{name: "opened: already opened", given: append(pending, opened), when: RecordAccountOpened{Bank: bank, Product: ProductBasicAccount},
			wantErr: ErrInvalidTransition},

		{name: "the bank declines, with a text beside the code", given: pending,
			when: RecordAccountDeclined{Bank: bank, ReasonCode: AccountInsufficientDocumentation, Reason: " no proof of address "},
			then: events(AccountApplicationDeclined{Bank: "org-bank", ReasonCode: AccountInsufficientDocumentation, At: at(10),
				Personal: &ReasonDetails{Text: "no proof of address"}})},
		{name: "the bank declines with a code only", given: pending, when: RecordAccountDeclined{Bank: bank, ReasonCode: AccountSanctionsScreening},
			then: events(AccountApplicationDeclined{Bank: "org-bank", ReasonCode: AccountSanctionsScreening, At: at(10)})},
		{name: "declined: not a bank", given: pending, when: RecordAccountDeclined{Bank: bureau, ReasonCode: AccountDeclineOther}, wantErr: ErrWrongOrganisationKind},
		{name: "declined: no reason code", given: pending, when: RecordAccountDeclined{Bank: bank, Reason: "text alone"}, wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
		{name: "declined: unknown reason code", given: pending, when: RecordAccountDeclined{Bank: bank, ReasonCode: "grumpy"}, wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
		{name: "declined: a control character in the text", given: pending, when: RecordAccountDeclined{Bank: bank, ReasonCode: AccountDeclineOther, Reason: "a\x1bb"},
			wantErr: ErrInvalidInput, wantMsg: "reason: the text contains a control character"},
		{name: "declined: no application", given: events(referred, bankGrant, bankReferred), when: RecordAccountDeclined{Bank: bank, ReasonCode: AccountDeclineOther},
			wantErr: ErrInvalidTransition},
		{name: "declined: already declined", given: append(pending, declined), when: RecordAccountDeclined{Bank: bank, ReasonCode: AccountDeclineOther},
			wantErr: ErrInvalidTransition},
	}
	runCaseTests(t, tests)
}
