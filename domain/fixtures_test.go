package domain

import "slices"

// Events the tables of the later journey steps start from ("given"). The case is
// shown to two banks; org-bank offers a basic account against a CURP or an INE (or a
// pack), org-bank-2 a debit card against a passport.
var (
	docObtained   = IDDocumentObtained{DocumentID: "doc-1", At: at(3), Personal: &DocumentDetails{DocumentNumber: "CURP123"}}
	bank2Grant    = ConsentGranted{GrantID: "g-bank-2", Recipient: "org-bank-2", Categories: []DataCategory{DataBanking}, Purposes: []Purpose{PurposeBanking}, ExpiresAt: nextYear, At: at(1)}
	bank2Referred = BankReferralMade{Bank: "org-bank-2", GrantID: "g-bank-2", At: at(3)}

	offerA = BankOfferMade{OfferID: "o-1", Bank: "org-bank", Product: ProductBasicAccount, MonthlyFee: Money{Currency: "MXN"},
		AcceptedDocuments: []DocumentKind{DocCURP, DocINE}, AcceptsAlternativePack: true, At: at(4)}
	offerB = BankOfferMade{OfferID: "o-2", Bank: "org-bank-2", Product: ProductDebitCard, MonthlyFee: Money{Currency: "MXN", MinorUnits: 2500},
		AcceptedDocuments: []DocumentKind{DocPassport}, At: at(4)}
	choseA      = SurvivorChoseOffer{OfferID: "o-1", Bank: "org-bank", At: at(5)}
	declinedAll = SurvivorDeclinedAllOffers{ReasonCode: DeclineNotReady, At: at(5), Personal: &ReasonDetails{Text: "wants to wait"}}

	packProvided = DueDiligencePackProvided{PackID: "p-1", Bank: "org-bank", SignedLetter: true, AccompaniedVisit: true,
		At: at(4), Personal: &StaffDetails{StaffName: "Lucía Pérez"}}
	packAccepted = DueDiligencePackAccepted{PackID: "p-1", Bank: "org-bank", At: at(5)}
	packRejected = DueDiligencePackRejected{PackID: "p-1", Bank: "org-bank", ReasonCode: PackInsufficientEvidence, At: at(5), Personal: &ReasonDetails{Text: "letter unsigned"}}

	concernRaised = SafeguardingConcernRaised{ConcernID: "k-1", RaisedBy: "org-bank", Bank: "org-bank",
		Category: ConcernTraffickerControl, At: at(5), Personal: &ConcernDetails{Details: "A man held her card at the counter."}}
	concernAcked = SafeguardingConcernAcknowledged{ConcernID: "k-1", By: "org-shelter", At: at(6)}

	itemDispute = CreditDisputeFiled{DisputeID: "d-2", Bureau: "org-bureau", ItemCount: 2,
		Items:    []DisputeItemFiled{{ItemID: "i-1", Kind: ItemDebt}, {ItemID: "i-2", Kind: ItemAccount}},
		Evidence: []EvidenceKind{EvidenceProofOfIdentity, EvidenceTraffickingDetermination}, At: at(5),
		Personal: &DisputeItemsDetails{Items: []DisputeItemDetails{{ItemID: "i-1", Creditor: "Financiera Norte", AccountReference: "FN-0042"}}}}
	item1Blocked = CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-1", Outcome: ItemBlocked, At: at(6)}
	item2Refused = CreditDisputeItemDecided{DisputeID: "d-2", ItemID: "i-2", Outcome: ItemRefused, ReasonCode: DisputeInsufficientEvidence, At: at(6), Personal: &ReasonDetails{Text: "no determination letter"}}
)

// shown is a case shown to both banks, with consent to each in force. The slice has
// no spare capacity, so tables can append to it without sharing an array.
func shown(more ...Event) []Event {
	return slices.Clip(append(events(referred, bankGrant, bank2Grant, bankReferred, bank2Referred), more...))
}

// laterEvents holds one event of every type the later journey steps added, personal
// parts filled in, for the codec tests.
func laterEvents() []Event {
	return events(
		offerA, offerB, choseA, declinedAll,
		SubjectAccessRequested{RequestID: "sar-1", IdentityCheckedInPerson: true, FreeWillCheckedInPerson: true, At: at(8)},
		packProvided, packAccepted, packRejected,
		concernRaised, concernAcked,
		SafeguardingConcernResolved{ConcernID: "k-1", By: "org-bank", Resolution: ResolutionAccountRestricted, At: at(7), Personal: &ReasonDetails{Text: "card replaced"}},
		SafeContactRulesSet{Allowed: []ContactChannel{ChannelThroughShelter}, Forbidden: []ContactChannel{ChannelPost}, At: at(2),
			Personal: &ContactDetails{Notes: "never by post to the old address"}},
		CreditReportObtained{ReportID: "r-1", Bureau: "org-bureau", At: at(4)},
		itemDispute, item1Blocked, item2Refused,
		CreditDisputeResubmitted{DisputeID: "d-2", ItemIDs: []string{"i-2"}, Evidence: []EvidenceKind{EvidencePoliceReport}, At: at(7)},
		BarrierIdentified{Barrier: BarrierNoIncome, At: at(2)},
		BarrierResolved{Barrier: BarrierNoID, At: at(3)},
		NeedIdentified{Need: NeedShelter, At: at(2)},
		NeedMet{Need: NeedIDDocument, At: at(3)},
		transferAsked, transferTaken, transferRefused, transferCancelled,
		OrganisationRegistered{Name: "Banco", Kind: OrgBank, Jurisdiction: "MX", Services: []Service{ServiceBanking},
			Programmes: []Programme{ProgrammeSurvivorInclusion}, At: at(0)},
		OrganisationProfileUpdated{Services: []Service{ServiceBanking, ServiceFinancialTraining},
			Programmes: []Programme{ProgrammeBasicAccount, ProgrammeFinancialEducation}, At: at(1)},
	)
}
