package domain

import (
	"testing"
	"time"
)

func TestGrantConsent(t *testing.T) {
	valid := GrantConsent{GrantID: "g-1", Recipient: bank,
		Categories: []DataCategory{DataIdentity, DataBanking}, Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear}
	with := func(f func(*GrantConsent)) GrantConsent {
		c := valid
		f(&c)
		return c
	}
	tests := []caseTest{
		{name: "the survivor lets a bank see identity and banking data for banking", given: events(referred), when: valid,
			then: events(ConsentGranted{GrantID: "g-1", Recipient: "org-bank", Categories: []DataCategory{DataIdentity, DataBanking},
				Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(10)})},
		{name: "any kind of organisation may receive consent", given: events(referred),
			when: with(func(c *GrantConsent) {
				c.Recipient = idOffice
				c.ExpiresAt = nextYear.In(time.FixedZone("CST", -6*3600))
			}),
			then: events(ConsentGranted{GrantID: "g-1", Recipient: "org-renapo", Categories: []DataCategory{DataIdentity, DataBanking},
				Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(10)})},
		{name: "no grant id", given: events(referred), when: with(func(c *GrantConsent) { c.GrantID = " " }), wantErr: ErrInvalidInput, wantMsg: "grantId:"},
		{name: "grant id already used", given: events(referred, bankGrant), when: with(func(c *GrantConsent) { c.GrantID = "g-bank" }),
			wantErr: ErrInvalidInput, wantMsg: "already used"},
		{name: "recipient without id", given: events(referred), when: with(func(c *GrantConsent) { c.Recipient = OrgRef{Kind: OrgBank} }),
			wantErr: ErrInvalidInput, wantMsg: "recipientOrganisationId:"},
		{name: "no categories", given: events(referred), when: with(func(c *GrantConsent) { c.Categories = nil }), wantErr: ErrInvalidInput, wantMsg: "categories:"},
		{name: "no purposes", given: events(referred), when: with(func(c *GrantConsent) { c.Purposes = []Purpose{} }), wantErr: ErrInvalidInput, wantMsg: "purposes:"},
		{name: "unknown category", given: events(referred), when: with(func(c *GrantConsent) { c.Categories = []DataCategory{"health"} }), wantErr: ErrInvalidInput},
		{name: "duplicate category", given: events(referred), when: with(func(c *GrantConsent) { c.Categories = []DataCategory{DataNotes, DataNotes} }), wantErr: ErrInvalidInput},
		{name: "unknown purpose", given: events(referred), when: with(func(c *GrantConsent) { c.Purposes = []Purpose{"marketing"} }), wantErr: ErrInvalidInput},
		{name: "duplicate purpose", given: events(referred), when: with(func(c *GrantConsent) { c.Purposes = []Purpose{PurposeBanking, PurposeBanking} }), wantErr: ErrInvalidInput},
		{name: "expires now", given: events(referred), when: with(func(c *GrantConsent) { c.ExpiresAt = at(10) }), wantErr: ErrInvalidInput, wantMsg: "expiresAt:"},
		{name: "expired already", given: events(referred), when: with(func(c *GrantConsent) { c.ExpiresAt = at(9) }), wantErr: ErrInvalidInput},
	}
	runCaseTests(t, tests)
}

func TestWithdrawConsent(t *testing.T) {
	withdrawn := ConsentWithdrawn{GrantID: "g-bank", At: at(5)}
	tests := []caseTest{
		{name: "the survivor withdraws a grant", given: events(referred, bankGrant), when: WithdrawConsent{GrantID: "g-bank"},
			then: events(ConsentWithdrawn{GrantID: "g-bank", At: at(10)})},
		{name: "an expired grant can still be withdrawn", given: events(referred, bankGrant), when: WithdrawConsent{GrantID: "g-bank"},
			now: nextYear.AddDate(0, 1, 0), then: events(ConsentWithdrawn{GrantID: "g-bank", At: nextYear.AddDate(0, 1, 0)})},
		{name: "no grant id", given: events(referred), when: WithdrawConsent{}, wantErr: ErrInvalidInput},
		{name: "unknown grant", given: events(referred, bankGrant), when: WithdrawConsent{GrantID: "g-nope"},
			wantErr: ErrInvalidInput, wantMsg: "unknown grant g-nope"},
		{name: "already withdrawn", given: events(referred, bankGrant, withdrawn), when: WithdrawConsent{GrantID: "g-bank"},
			wantErr: ErrInvalidTransition, wantMsg: "withdrawConsent: grant g-bank was already withdrawn on 2026-03-02"},
	}
	runCaseTests(t, tests)
}
