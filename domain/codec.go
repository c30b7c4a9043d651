package domain

// The codec maps stored type names to Go values. Events travel as values (Decide
// returns values, Evolve takes values); decoding needs something to unmarshal into,
// so NewEvent hands out a pointer and Deref turns it back into a value. A plain
// switch keeps the list in one readable place with no init-time registry.

// EventTypes lists every event type name, case events in journey order, then
// organisation events.
func EventTypes() []string {
	return []string{
		"SurvivorReferred",
		"ConsentGranted",
		"ConsentWithdrawn",
		"IDDocumentRequested",
		"IDDocumentObtained",
		"IDDocumentRefused",
		"BankReferralMade",
		"BankOfferMade",
		"SurvivorChoseOffer",
		"SurvivorDeclinedAllOffers",
		"DueDiligencePackProvided",
		"DueDiligencePackAccepted",
		"DueDiligencePackRejected",
		"AccountApplicationSubmitted",
		"BankAccountOpened",
		"AccountApplicationDeclined",
		"SafeguardingConcernRaised",
		"SafeguardingConcernAcknowledged",
		"SafeguardingConcernResolved",
		"SafeContactRulesSet",
		"CreditReportObtained",
		"CreditDisputeFiled",
		"CreditDisputeItemDecided",
		"CreditDisputeResubmitted",
		"CreditDisputeResolved",
		"BarrierIdentified",
		"BarrierResolved",
		"NeedIdentified",
		"NeedMet",
		"CaseNoteAdded",
		"CaseClosed",
		"CaseReopened",
		"SurvivorDataErased",
		"OrganisationRegistered",
		"OrganisationProfileUpdated",
		"OrganisationDeactivated",
		"OrganisationReactivated",
		"TokenRevoked",
		"SubjectRevoked",
	}
}

// NewEvent returns a pointer to a zero value of the named event type, ready for
// json.Unmarshal; pass the result through Deref before Evolve or comparison. It
// reports false for a name this code does not know.
func NewEvent(eventType string) (Event, bool) {
	switch eventType {
	case "SurvivorReferred":
		return &SurvivorReferred{}, true
	case "ConsentGranted":
		return &ConsentGranted{}, true
	case "ConsentWithdrawn":
		return &ConsentWithdrawn{}, true
	case "IDDocumentRequested":
		return &IDDocumentRequested{}, true
	case "IDDocumentObtained":
		return &IDDocumentObtained{}, true
	case "IDDocumentRefused":
		return &IDDocumentRefused{}, true
	case "BankReferralMade":
		return &BankReferralMade{}, true
	case "BankOfferMade":
		return &BankOfferMade{}, true
	case "SurvivorChoseOffer":
		return &SurvivorChoseOffer{}, true
	case "SurvivorDeclinedAllOffers":
		return &SurvivorDeclinedAllOffers{}, true
	case "DueDiligencePackProvided":
		return &DueDiligencePackProvided{}, true
	case "DueDiligencePackAccepted":
		return &DueDiligencePackAccepted{}, true
	case "DueDiligencePackRejected":
		return &DueDiligencePackRejected{}, true
	case "AccountApplicationSubmitted":
		return &AccountApplicationSubmitted{}, true
	case "BankAccountOpened":
		return &BankAccountOpened{}, true
	case "AccountApplicationDeclined":
		return &AccountApplicationDeclined{}, true
	case "SafeguardingConcernRaised":
		return &SafeguardingConcernRaised{}, true
	case "SafeguardingConcernAcknowledged":
		return &SafeguardingConcernAcknowledged{}, true
	case "SafeguardingConcernResolved":
		return &SafeguardingConcernResolved{}, true
	case "SafeContactRulesSet":
		return &SafeContactRulesSet{}, true
	case "CreditReportObtained":
		return &CreditReportObtained{}, true
	case "CreditDisputeFiled":
		return &CreditDisputeFiled{}, true
	case "CreditDisputeItemDecided":
		return &CreditDisputeItemDecided{}, true
	case "CreditDisputeResubmitted":
		return &CreditDisputeResubmitted{}, true
	case "CreditDisputeResolved":
		return &CreditDisputeResolved{}, true
	case "BarrierIdentified":
		return &BarrierIdentified{}, true
	case "BarrierResolved":
		return &BarrierResolved{}, true
	case "NeedIdentified":
		return &NeedIdentified{}, true
	case "NeedMet":
		return &NeedMet{}, true
	case "CaseNoteAdded":
		return &CaseNoteAdded{}, true
	case "CaseClosed":
		return &CaseClosed{}, true
	case "CaseReopened":
		return &CaseReopened{}, true
	case "SurvivorDataErased":
		return &SurvivorDataErased{}, true
	case "OrganisationRegistered":
		return &OrganisationRegistered{}, true
	case "OrganisationProfileUpdated":
		return &OrganisationProfileUpdated{}, true
	case "OrganisationDeactivated":
		return &OrganisationDeactivated{}, true
	case "OrganisationReactivated":
		return &OrganisationReactivated{}, true
	case "TokenRevoked":
		return &TokenRevoked{}, true
	case "SubjectRevoked":
		return &SubjectRevoked{}, true
	}
	return nil, false
}

// Deref turns a pointer to an event into the event value; values (and nil
// pointers, which have no value) come back unchanged.
func Deref(e Event) Event {
	switch p := e.(type) {
	case *SurvivorReferred:
		return derefOr(p, e)
	case *ConsentGranted:
		return derefOr(p, e)
	case *ConsentWithdrawn:
		return derefOr(p, e)
	case *IDDocumentRequested:
		return derefOr(p, e)
	case *IDDocumentObtained:
		return derefOr(p, e)
	case *IDDocumentRefused:
		return derefOr(p, e)
	case *BankReferralMade:
		return derefOr(p, e)
	case *BankOfferMade:
		return derefOr(p, e)
	case *SurvivorChoseOffer:
		return derefOr(p, e)
	case *SurvivorDeclinedAllOffers:
		return derefOr(p, e)
	case *DueDiligencePackProvided:
		return derefOr(p, e)
	case *DueDiligencePackAccepted:
		return derefOr(p, e)
	case *DueDiligencePackRejected:
		return derefOr(p, e)
	case *AccountApplicationSubmitted:
		return derefOr(p, e)
	case *BankAccountOpened:
		return derefOr(p, e)
	case *AccountApplicationDeclined:
		return derefOr(p, e)
	case *SafeguardingConcernRaised:
		return derefOr(p, e)
	case *SafeguardingConcernAcknowledged:
		return derefOr(p, e)
	case *SafeguardingConcernResolved:
		return derefOr(p, e)
	case *SafeContactRulesSet:
		return derefOr(p, e)
	case *CreditReportObtained:
		return derefOr(p, e)
	case *CreditDisputeFiled:
		return derefOr(p, e)
	case *CreditDisputeItemDecided:
		return derefOr(p, e)
	case *CreditDisputeResubmitted:
		return derefOr(p, e)
	case *CreditDisputeResolved:
		return derefOr(p, e)
	case *BarrierIdentified:
		return derefOr(p, e)
	case *BarrierResolved:
		return derefOr(p, e)
	case *NeedIdentified:
		return derefOr(p, e)
	case *NeedMet:
		return derefOr(p, e)
	case *CaseNoteAdded:
		return derefOr(p, e)
	case *CaseClosed:
		return derefOr(p, e)
	case *CaseReopened:
		return derefOr(p, e)
	case *SurvivorDataErased:
		return derefOr(p, e)
	case *OrganisationRegistered:
		return derefOr(p, e)
	case *OrganisationProfileUpdated:
		return derefOr(p, e)
	case *OrganisationDeactivated:
		return derefOr(p, e)
	case *OrganisationReactivated:
		return derefOr(p, e)
	case *TokenRevoked:
		return derefOr(p, e)
	case *SubjectRevoked:
		return derefOr(p, e)
	}
	return e
}

func derefOr[T Event](p *T, orig Event) Event {
	if p == nil {
		return orig
	}
	return *p
}
