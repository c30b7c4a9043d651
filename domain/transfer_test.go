package domain

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// Transfers: the case of shelter org-shelter (MX) moves to org-ngo (MX) or, across
// the border, to org-us-ngo (US), with the survivor's consent for the recipient.
var (
	usNGO    = OrgRef{ID: "org-us-ngo", Kind: OrgNGO, Jurisdiction: "US"}
	ngoGrant = ConsentGranted{GrantID: "g-ngo", Recipient: "org-ngo", Categories: []DataCategory{DataIdentity, DataNotes},
		Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(1)}
	usGrant = ConsentGranted{GrantID: "g-us", Recipient: "org-us-ngo", Categories: []DataCategory{DataIdentity, DataBanking, DataCredit},
		Purposes: []Purpose{PurposeBanking, PurposeCreditRepair}, ExpiresAt: nextYear, At: at(1)}

	transferAsked = CaseTransferRequested{TransferID: "t-1", From: "org-shelter", To: "org-ngo", ToJurisdiction: "MX", GrantID: "g-ngo",
		ReasonCode: TransferSurvivorRelocated, At: at(2), Personal: &ReasonDetails{Text: "she moved to Puebla"}}
	transferTaken     = CaseTransferAccepted{TransferID: "t-1", From: "org-shelter", To: "org-ngo", Jurisdiction: "MX", GrantID: "g-ngo", At: at(3)}
	transferRefused   = CaseTransferDeclined{TransferID: "t-1", To: "org-ngo", ReasonCode: TransferDeclineNoCapacity, At: at(3), Personal: &ReasonDetails{Text: "no beds"}}
	transferCancelled = CaseTransferCancelled{TransferID: "t-1", To: "org-ngo", At: at(3)}

	usAsked = CaseTransferRequested{TransferID: "t-us", From: "org-shelter", To: "org-us-ngo", ToJurisdiction: "US", GrantID: "g-us",
		ReasonCode: TransferReturningHome, At: at(2)}
)

func TestRequestCaseTransfer(t *testing.T) {
	ask := RequestCaseTransfer{TransferID: "t-1", Recipient: ngo, ReasonCode: TransferSurvivorRelocated, Reason: " she moved to Puebla "}
	grant := func(id string, cats []DataCategory, purposes ...Purpose) ConsentGranted {
		return ConsentGranted{GrantID: id, Recipient: "org-ngo", Categories: cats, Purposes: purposes, ExpiresAt: nextYear, At: at(1)}
	}
	identity := []DataCategory{DataIdentity}
	erased := SurvivorDataErased{ReasonCode: ErasureSurvivorRequest, At: at(2)}
	runCaseTests(t, []caseTest{
		{name: "to another shelter's NGO in the same state", given: events(referred, ngoGrant), when: ask, then: events(withAt(transferAsked, at(10)))},
		{name: "across the border", given: events(referred, usGrant),
			when: RequestCaseTransfer{TransferID: "t-us", Recipient: usNGO, ReasonCode: TransferReturningHome},
			then: events(CaseTransferRequested{TransferID: "t-us", From: "org-shelter", To: "org-us-ngo", ToJurisdiction: "US", GrantID: "g-us",
				ReasonCode: TransferReturningHome, At: at(10)})},
		{name: "to a government service", given: events(referred, grant("g-gov", identity, PurposeCreditRepair)),
			when: RequestCaseTransfer{TransferID: "t-1", Recipient: OrgRef{ID: "org-ngo", Kind: OrgGovernment, Jurisdiction: "MX"}, ReasonCode: TransferOther},
			then: events(CaseTransferRequested{TransferID: "t-1", From: "org-shelter", To: "org-ngo", ToJurisdiction: "MX", GrantID: "g-gov",
				ReasonCode: TransferOther, At: at(10)})},
		{name: "the longest-lasting grant is recorded", given: events(referred, ngoGrant, ConsentGranted{GrantID: "g-ngo-2", Recipient: "org-ngo",
			Categories: identity, Purposes: []Purpose{PurposeCreditRepair}, ExpiresAt: nextYear.AddDate(0, 1, 0), At: at(1)}),
			when: RequestCaseTransfer{TransferID: "t-1", Recipient: ngo, ReasonCode: TransferSafety},
			then: events(CaseTransferRequested{TransferID: "t-1", From: "org-shelter", To: "org-ngo", ToJurisdiction: "MX", GrantID: "g-ngo-2",
				ReasonCode: TransferSafety, At: at(10)})},

		{name: "to a bank", given: events(referred, bankGrant), when: RequestCaseTransfer{TransferID: "t-1", Recipient: bank, ReasonCode: TransferOther},
			wantErr: ErrWrongOrganisationKind, wantMsg: "recipientOrganisationId:"},
		{name: "to a bureau", given: events(referred, bureauGrant), when: RequestCaseTransfer{TransferID: "t-1", Recipient: bureau, ReasonCode: TransferOther},
			wantErr: ErrWrongOrganisationKind},
		{name: "to an ID office", given: events(referred), when: RequestCaseTransfer{TransferID: "t-1", Recipient: idOffice, ReasonCode: TransferOther},
			wantErr: ErrWrongOrganisationKind},
		{name: "to itself", given: events(referred, ConsentGranted{GrantID: "g-self", Recipient: "org-shelter", Categories: identity,
			Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(1)}),
			when: RequestCaseTransfer{TransferID: "t-1", Recipient: shelter, ReasonCode: TransferOther}, wantErr: ErrInvalidInput, wantMsg: "already owns the case"},
		{name: "an organisation not resolved", given: events(referred, ngoGrant),
			when: RequestCaseTransfer{TransferID: "t-1", Recipient: OrgRef{ID: "org-x"}, ReasonCode: TransferOther}, wantErr: ErrUnknownOrganisation},
		{name: "no recipient", given: events(referred), when: RequestCaseTransfer{TransferID: "t-1", ReasonCode: TransferOther}, wantErr: ErrInvalidInput},
		{name: "no transfer id", given: events(referred, ngoGrant), when: RequestCaseTransfer{Recipient: ngo, ReasonCode: TransferOther},
			wantErr: ErrInvalidInput, wantMsg: "transferId:"},
		{name: "no reason code", given: events(referred, ngoGrant), when: RequestCaseTransfer{TransferID: "t-1", Recipient: ngo},
			wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
		{name: "an unknown reason code", given: events(referred, ngoGrant), when: RequestCaseTransfer{TransferID: "t-1", Recipient: ngo, ReasonCode: "bored"},
			wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},

		{name: "no consent for the recipient", given: events(referred, bankGrant), when: ask, wantErr: ErrConsentRequired, wantMsg: "org-ngo"},
		{name: "consent without her identity", given: events(referred, grant("g-ngo", []DataCategory{DataBanking}, PurposeBanking)),
			when: ask, wantErr: ErrConsentRequired},
		{name: "consent for coalition analytics only", given: events(referred, grant("g-ngo", identity, PurposeCoalitionAnalytics)),
			when: ask, wantErr: ErrConsentRequired},
		{name: "consent withdrawn", given: events(referred, ngoGrant, ConsentWithdrawn{GrantID: "g-ngo", At: at(2)}),
			when: ask, wantErr: ErrConsentRequired},
		{name: "consent expired", given: events(referred, ngoGrant), now: nextYear, when: ask, wantErr: ErrConsentRequired},

		{name: "a transfer pending already", given: events(referred, ngoGrant, usGrant, usAsked), when: ask,
			wantErr: ErrInvalidTransition, wantMsg: "transfer t-us to org-us-ngo is pending"},
		{name: "again after a decline", given: events(referred, ngoGrant, transferAsked, transferRefused),
			when: RequestCaseTransfer{TransferID: "t-2", Recipient: ngo, ReasonCode: TransferCapacity},
			then: events(CaseTransferRequested{TransferID: "t-2", From: "org-shelter", To: "org-ngo", ToJurisdiction: "MX", GrantID: "g-ngo",
				ReasonCode: TransferCapacity, At: at(10)})},
		{name: "on a closed case", given: events(referred, ngoGrant, closed), when: ask, wantErr: ErrInvalidTransition, wantMsg: "the case is closed"},
		{name: "a case never referred", when: ask, wantErr: ErrCaseNotFound},
		{name: "no text after erasure", given: events(referred, ngoGrant, erased), when: ask, wantErr: ErrInvalidTransition, wantMsg: "erased"},
		{name: "the code alone after erasure", given: events(referred, ngoGrant, erased),
			when: RequestCaseTransfer{TransferID: "t-1", Recipient: ngo, ReasonCode: TransferSurvivorRelocated},
			then: events(CaseTransferRequested{TransferID: "t-1", From: "org-shelter", To: "org-ngo", ToJurisdiction: "MX", GrantID: "g-ngo",
				ReasonCode: TransferSurvivorRelocated, At: at(10)})},
	})
}

func TestAnswerCaseTransfer(t *testing.T) {
	pending := events(referred, ngoGrant, transferAsked)
	accept := AcceptCaseTransfer{TransferID: "t-1", By: ngo}
	decline := DeclineCaseTransfer{TransferID: "t-1", By: ngo, ReasonCode: TransferDeclineNoCapacity, Reason: "no beds"}
	accepted := CaseTransferAccepted{TransferID: "t-1", From: "org-shelter", To: "org-ngo", Jurisdiction: "MX", GrantID: "g-ngo", At: at(10)}
	runCaseTests(t, []caseTest{
		{name: "the recipient accepts", given: pending, when: accept, then: events(accepted)},
		{name: "across the border", given: events(referred, usGrant, usAsked), when: AcceptCaseTransfer{TransferID: "t-us", By: usNGO},
			then: events(CaseTransferAccepted{TransferID: "t-us", From: "org-shelter", To: "org-us-ngo", Jurisdiction: "US", GrantID: "g-us", At: at(10)})},
		{name: "not the recipient accepts", given: pending, when: AcceptCaseTransfer{TransferID: "t-1", By: shelter},
			wantErr: ErrInvalidTransition, wantMsg: "only the recipient, org-ngo, can accept"},
		{name: "consent withdrawn before acceptance", given: append(slices.Clone(pending), ConsentWithdrawn{GrantID: "g-ngo", At: at(4)}),
			when: accept, wantErr: ErrConsentRequired},
		{name: "consent expired before acceptance", given: pending, now: nextYear, when: accept, wantErr: ErrConsentRequired},
		{name: "another grant in force at acceptance", given: append(slices.Clone(pending), ConsentWithdrawn{GrantID: "g-ngo", At: at(4)},
			ConsentGranted{GrantID: "g-ngo-2", Recipient: "org-ngo", Categories: []DataCategory{DataIdentity}, Purposes: []Purpose{PurposeCreditRepair}, ExpiresAt: nextYear, At: at(5)}),
			when: accept, then: events(CaseTransferAccepted{TransferID: "t-1", From: "org-shelter", To: "org-ngo", Jurisdiction: "MX", GrantID: "g-ngo-2", At: at(10)})},
		{name: "accept an unknown transfer", given: pending, when: AcceptCaseTransfer{TransferID: "t-9", By: ngo},
			wantErr: ErrInvalidInput, wantMsg: "transferId: no transfer t-9 is pending"},
		{name: "accept with none pending", given: events(referred, ngoGrant), when: accept, wantErr: ErrInvalidInput},
		{name: "accept without an id", given: pending, when: AcceptCaseTransfer{By: ngo}, wantErr: ErrInvalidInput, wantMsg: "transferId:"},
		{name: "accept twice", given: append(slices.Clone(pending), transferTaken), when: accept, wantErr: ErrInvalidInput},
		{name: "accept a declined transfer", given: append(slices.Clone(pending), transferRefused), when: accept, wantErr: ErrInvalidInput},
		{name: "accept a cancelled transfer", given: append(slices.Clone(pending), transferCancelled), when: accept, wantErr: ErrInvalidInput},
		{name: "accept on a closed case", given: append(slices.Clone(pending), closed), when: accept, wantErr: ErrInvalidTransition, wantMsg: "closed"},

		{name: "the recipient declines", given: pending, when: decline,
			then: events(CaseTransferDeclined{TransferID: "t-1", To: "org-ngo", ReasonCode: TransferDeclineNoCapacity, At: at(10), Personal: &ReasonDetails{Text: "no beds"}})},
		{name: "declines a closed case's transfer", given: append(slices.Clone(pending), closed),
			when: DeclineCaseTransfer{TransferID: "t-1", By: ngo, ReasonCode: TransferDeclineOther},
			then: events(CaseTransferDeclined{TransferID: "t-1", To: "org-ngo", ReasonCode: TransferDeclineOther, At: at(10)})},
		{name: "declines without consent", given: append(slices.Clone(pending), ConsentWithdrawn{GrantID: "g-ngo", At: at(4)}),
			when: DeclineCaseTransfer{TransferID: "t-1", By: ngo, ReasonCode: TransferDeclineOther},
			then: events(CaseTransferDeclined{TransferID: "t-1", To: "org-ngo", ReasonCode: TransferDeclineOther, At: at(10)})},
		{name: "not the recipient declines", given: pending, when: DeclineCaseTransfer{TransferID: "t-1", By: usNGO, ReasonCode: TransferDeclineOther},
			wantErr: ErrInvalidTransition, wantMsg: "only the recipient"},
		{name: "decline without a reason code", given: pending, when: DeclineCaseTransfer{TransferID: "t-1", By: ngo},
			wantErr: ErrInvalidInput, wantMsg: "reasonCode:"},
		{name: "decline an unknown transfer", given: pending, when: DeclineCaseTransfer{TransferID: "t-9", By: ngo, ReasonCode: TransferDeclineOther},
			wantErr: ErrInvalidInput, wantMsg: "transferId:"},

		{name: "the owner cancels", given: pending, when: CancelCaseTransfer{TransferID: "t-1"},
			then: events(CaseTransferCancelled{TransferID: "t-1", To: "org-ngo", At: at(10)})},
		{name: "cancels on a closed case", given: append(slices.Clone(pending), closed), when: CancelCaseTransfer{TransferID: "t-1"},
			then: events(CaseTransferCancelled{TransferID: "t-1", To: "org-ngo", At: at(10)})},
		{name: "cancel an unknown transfer", given: pending, when: CancelCaseTransfer{TransferID: "t-9"}, wantErr: ErrInvalidInput},
		{name: "cancel an accepted transfer", given: append(slices.Clone(pending), transferTaken), when: CancelCaseTransfer{TransferID: "t-1"},
			wantErr: ErrInvalidInput},
		{name: "cancel on a case never referred", when: CancelCaseTransfer{TransferID: "t-1"}, wantErr: ErrCaseNotFound},
	})
}

func withAt(e CaseTransferRequested, when time.Time) CaseTransferRequested { e.At = when; return e }

// Acceptance hands the case over: owner and jurisdiction change, the former owner is
// remembered, the journey and every grant stay as they were.
func TestTransferEvolves(t *testing.T) {
	before := Fold(events(referred, bankGrant, bankReferred, usGrant, usAsked))
	want := &CaseTransfer{ID: "t-us", From: "org-shelter", To: "org-us-ngo", ToJurisdiction: "US", ReasonCode: TransferReturningHome, RequestedAt: at(2)}
	if !reflect.DeepEqual(before.PendingTransfer, want) {
		t.Fatalf("pending transfer = %+v, want %+v", before.PendingTransfer, want)
	}
	after := Evolve(before, CaseTransferAccepted{TransferID: "t-us", From: "org-shelter", To: "org-us-ngo", Jurisdiction: "US", GrantID: "g-us", At: at(3)})
	if after.OwnerOrganisation != "org-us-ngo" || after.Jurisdiction != "US" || after.PendingTransfer != nil ||
		!slices.Equal(after.FormerOwners, []string{"org-shelter"}) {
		t.Fatalf("after acceptance: owner %s, jurisdiction %s, pending %v, former %v", after.OwnerOrganisation, after.Jurisdiction,
			after.PendingTransfer, after.FormerOwners)
	}
	if !reflect.DeepEqual(after.Grants, before.Grants) || !reflect.DeepEqual(after.BankReferrals, before.BankReferrals) ||
		after.Stage != before.Stage || after.Status != StatusOpen {
		t.Error("acceptance changed the grants, referrals, stage or status")
	}
	if before.OwnerOrganisation != "org-shelter" || before.FormerOwners != nil || before.PendingTransfer == nil {
		t.Error("Evolve changed the state it was given")
	}
	// A second move keeps the former owners in order.
	back := Fold(append(events(referred, bankGrant, bankReferred, usGrant, usAsked,
		CaseTransferAccepted{TransferID: "t-us", From: "org-shelter", To: "org-us-ngo", Jurisdiction: "US", GrantID: "g-us", At: at(3)}),
		ngoGrant, CaseTransferRequested{TransferID: "t-2", From: "org-us-ngo", To: "org-ngo", ToJurisdiction: "MX", GrantID: "g-ngo", ReasonCode: TransferReturningHome, At: at(4)},
		CaseTransferAccepted{TransferID: "t-2", From: "org-us-ngo", To: "org-ngo", Jurisdiction: "MX", GrantID: "g-ngo", At: at(5)}))
	if back.OwnerOrganisation != "org-ngo" || back.Jurisdiction != "MX" || !slices.Equal(back.FormerOwners, []string{"org-shelter", "org-us-ngo"}) {
		t.Errorf("after two moves: owner %s, jurisdiction %s, former %v", back.OwnerOrganisation, back.Jurisdiction, back.FormerOwners)
	}
	for _, end := range []Event{transferRefused, transferCancelled} {
		c := Fold(events(referred, ngoGrant, transferAsked, end))
		if c.PendingTransfer != nil || c.OwnerOrganisation != "org-shelter" || c.FormerOwners != nil {
			t.Errorf("after %s: pending %v, owner %s", end.EventType(), c.PendingTransfer, c.OwnerOrganisation)
		}
	}
}

// The recipient answers a transfer; the owner asks and cancels.
func TestTransferPerformers(t *testing.T) {
	c := Fold(events(referred, ngoGrant, transferAsked))
	for cmd, want := range map[Command]Performer{
		RequestCaseTransfer{TransferID: "t-2", Recipient: ngo}: {By: ByOwner},
		CancelCaseTransfer{TransferID: "t-1"}:                  {By: ByOwner},
		AcceptCaseTransfer{TransferID: "t-1"}:                  {By: ByTransferRecipient, Target: "t-1"},
		DeclineCaseTransfer{TransferID: "t-1"}:                 {By: ByTransferRecipient, Target: "t-1"},
	} {
		if got, ok := PerformerOf(cmd, c); !ok || got != want {
			t.Errorf("%s: performer %+v, want %+v", cmd.CommandType(), got, want)
		}
	}
}
