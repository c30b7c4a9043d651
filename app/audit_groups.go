package app

import "github.com/waymark-org/waymark/access"

// eventGroups says, for each case event type, which field group its own data belongs
// to and which its personal sub-object (sealed) does: a case's history shows each
// event's data to a caller who may read that group, exactly as the Case shows the
// state it builds, and opens the personal part under the group whose fields show it.
// TestEveryCaseEventHasItsGroups fails for a case event type left out.
var eventGroups = map[string]struct{ data, personal access.Group }{
	"SurvivorReferred":                {access.GroupSummary, access.GroupIdentity},
	"BarrierIdentified":               {access.GroupSummary, access.GroupSummary},
	"BarrierResolved":                 {access.GroupSummary, access.GroupSummary},
	"NeedIdentified":                  {access.GroupSummary, access.GroupSummary},
	"NeedMet":                         {access.GroupSummary, access.GroupSummary},
	"ConsentGranted":                  {access.GroupConsent, access.GroupConsent},
	"ConsentWithdrawn":                {access.GroupConsent, access.GroupConsent},
	"IDDocumentRequested":             {access.GroupIdentity, access.GroupIdentity},
	"IDDocumentObtained":              {access.GroupIdentity, access.GroupIdentity},
	"IDDocumentRefused":               {access.GroupIdentity, access.GroupIdentity},
	"BankReferralMade":                {access.GroupBanking, access.GroupBanking},
	"AccountApplicationSubmitted":     {access.GroupBanking, access.GroupBanking},
	"BankAccountOpened":               {access.GroupBanking, access.GroupBanking},
	"AccountApplicationDeclined":      {access.GroupBanking, access.GroupBanking},
	"BankOfferMade":                   {access.GroupBanking, access.GroupBanking},
	"SurvivorChoseOffer":              {access.GroupBanking, access.GroupBanking},
	"SurvivorDeclinedAllOffers":       {access.GroupBanking, access.GroupNotes},
	"DueDiligencePackProvided":        {access.GroupBanking, access.GroupBanking},
	"DueDiligencePackAccepted":        {access.GroupBanking, access.GroupBanking},
	"DueDiligencePackRejected":        {access.GroupBanking, access.GroupBanking},
	"CreditReportObtained":            {access.GroupCredit, access.GroupCredit},
	"CreditDisputeFiled":              {access.GroupCredit, access.GroupCredit},
	"CreditDisputeResolved":           {access.GroupCredit, access.GroupCredit},
	"CreditDisputeItemDecided":        {access.GroupCredit, access.GroupCredit},
	"CreditDisputeResubmitted":        {access.GroupCredit, access.GroupCredit},
	"SafeguardingConcernRaised":       {access.GroupSafeguarding, access.GroupSafeguarding},
	"SafeguardingConcernAcknowledged": {access.GroupSafeguarding, access.GroupSafeguarding},
	"SafeguardingConcernResolved":     {access.GroupSafeguarding, access.GroupSafeguarding},
	"SafeContactRulesSet":             {access.GroupContact, access.GroupContact},
	"CaseNoteAdded":                   {access.GroupNotes, access.GroupNotes},
	"CaseClosed":                      {access.GroupSummary, access.GroupNotes},
	"CaseReopened":                    {access.GroupSummary, access.GroupNotes},
	"SurvivorDataErased":              {access.GroupSummary, access.GroupSummary},
	"SubjectAccessRequested":          {access.GroupSummary, access.GroupSummary},
	// A transfer's facts are the journey's; the texts beside its reason codes go with
	// the notes, as a closure's do.
	"CaseTransferRequested": {access.GroupSummary, access.GroupNotes},
	"CaseTransferAccepted":  {access.GroupSummary, access.GroupSummary},
	"CaseTransferDeclined":  {access.GroupSummary, access.GroupNotes},
	"CaseTransferCancelled": {access.GroupSummary, access.GroupSummary},
}

// groupsOf returns an event type's groups. A type the table does not know (none
// should be: a test checks) counts as safeguarding, the narrowest group: fail closed.
func groupsOf(eventType string) (data, personal access.Group) {
	g, ok := eventGroups[eventType]
	if !ok {
		return access.GroupSafeguarding, access.GroupSafeguarding
	}
	return g.data, g.personal
}
