package domain

import (
	"regexp"
	"slices"
	"testing"
)

func TestEnums(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	check := func(name string, values []string, valid func(string) bool) {
		t.Helper()
		if len(values) == 0 || valid("") || valid("Nope") {
			t.Errorf("%s: empty or accepts junk", name)
		}
		for i, v := range values {
			if !snake.MatchString(v) || !valid(v) || slices.Contains(values[:i], v) {
				t.Errorf("%s: bad value %q", name, v)
			}
		}
	}
	check("Need", strs(AllNeed()), func(s string) bool { return Need(s).Valid() })
	check("Barrier", strs(AllBarrier()), func(s string) bool { return Barrier(s).Valid() })
	check("DataCategory", strs(AllDataCategory()), func(s string) bool { return DataCategory(s).Valid() })
	check("Purpose", strs(AllPurpose()), func(s string) bool { return Purpose(s).Valid() })
	check("DocumentKind", strs(AllDocumentKind()), func(s string) bool { return DocumentKind(s).Valid() })
	check("OrganisationKind", strs(AllOrganisationKind()), func(s string) bool { return OrganisationKind(s).Valid() })
	check("Service", strs(AllService()), func(s string) bool { return Service(s).Valid() })
	check("AccountProduct", strs(AllAccountProduct()), func(s string) bool { return AccountProduct(s).Valid() })
	check("DisputeOutcome", strs(AllDisputeOutcome()), func(s string) bool { return DisputeOutcome(s).Valid() })
	check("ClosureOutcome", strs(AllClosureOutcome()), func(s string) bool { return ClosureOutcome(s).Valid() })
	check("TransferReason", strs(AllTransferReason()), func(s string) bool { return TransferReason(s).Valid() })
	check("TransferDeclineReason", strs(AllTransferDeclineReason()), func(s string) bool { return TransferDeclineReason(s).Valid() })
	check("TransferStatus", strs(AllTransferStatus()), func(s string) bool { return TransferStatus(s).Valid() })
	check("Stage", strs(AllStage()), func(s string) bool { return Stage(s).Valid() })
	check("Status", strs(AllStatus()), func(s string) bool { return Status(s).Valid() })
	check("ApplicationStatus", strs(AllApplicationStatus()), func(s string) bool { return ApplicationStatus(s).Valid() })
	check("DocumentStatus", strs(AllDocumentStatus()), func(s string) bool { return DocumentStatus(s).Valid() })
	check("DisputeStatus", strs(AllDisputeStatus()), func(s string) bool { return DisputeStatus(s).Valid() })
	check("ContactChannel", strs(AllContactChannel()), func(s string) bool { return ContactChannel(s).Valid() })
	check("ConcernCategory", strs(AllConcernCategory()), func(s string) bool { return ConcernCategory(s).Valid() })
	check("ConcernStatus", strs(AllConcernStatus()), func(s string) bool { return ConcernStatus(s).Valid() })
	check("ItemKind", strs(AllItemKind()), func(s string) bool { return ItemKind(s).Valid() })
	check("ItemOutcome", strs(AllItemOutcome()), func(s string) bool { return ItemOutcome(s).Valid() })
	check("EvidenceKind", strs(AllEvidenceKind()), func(s string) bool { return EvidenceKind(s).Valid() })
	check("Programme", strs(AllProgramme()), func(s string) bool { return Programme(s).Valid() })
	check("OfferStatus", strs(AllOfferStatus()), func(s string) bool { return OfferStatus(s).Valid() })
	check("PackStatus", strs(AllPackStatus()), func(s string) bool { return PackStatus(s).Valid() })
	check("SurveyNeed", strs(AllSurveyNeed()), func(s string) bool { return SurveyNeed(s).Valid() })

	for _, k := range AllOrganisationKind() {
		if k.SupportsSurvivors() != (k == OrgShelter || k == OrgNGO || k == OrgGovernment) {
			t.Errorf("%s.SupportsSurvivors() = %v", k, k.SupportsSurvivors())
		}
	}
	// All* hands out a fresh slice: changing one cannot change the enum.
	AllNeed()[0] = "money"
	if !NeedBankAccount.Valid() || Need("money").Valid() {
		t.Errorf("All* must not share state")
	}
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
