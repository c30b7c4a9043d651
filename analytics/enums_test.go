package analytics

import (
	"slices"
	"testing"

	"github.com/waymark-org/waymark/domain"
)

func strs[T ~string](xs []T) []string { return codes(xs) }

// Every code the contract publishes is one of its domain vocabulary's values, listed in
// asyncapi.yaml exactly as the domain lists them: a value added to the domain fails
// here until the contract has it (consumers validate against the enums).
func TestContractCodesAreTheDomainVocabularies(t *testing.T) {
	vocabularies := map[string][]string{
		"Need": strs(domain.AllNeed()), "Barrier": strs(domain.AllBarrier()),
		"DataCategory": strs(domain.AllDataCategory()), "Purpose": strs(domain.AllPurpose()),
		"DocumentKind": strs(domain.AllDocumentKind()), "AccountProduct": strs(domain.AllAccountProduct()),
		"RefusalReason": strs(domain.AllRefusalReason()), "AccountDeclineReason": strs(domain.AllAccountDeclineReason()),
		"DeclineReason": strs(domain.AllDeclineReason()), "PackRejectionReason": strs(domain.AllPackRejectionReason()),
		"ContactChannel": strs(domain.AllContactChannel()), "EvidenceKind": strs(domain.AllEvidenceKind()),
		"DisputeOutcome": strs(domain.AllDisputeOutcome()), "ItemOutcome": strs(domain.AllItemOutcome()),
		"DisputeReason": strs(domain.AllDisputeReason()), "ClosureOutcome": strs(domain.AllClosureOutcome()),
		"ReopenReason": strs(domain.AllReopenReason()), "ErasureReason": strs(domain.AllErasureReason()),
		"TransferReason": strs(domain.AllTransferReason()), "TransferDeclineReason": strs(domain.AllTransferDeclineReason()),
		"Stage": strs(domain.AllStage()),
	}
	c := loadContract(t)
	for name, want := range vocabularies {
		s, ok := c.Components.Schemas[name].(map[string]any)
		if !ok {
			t.Errorf("asyncapi.yaml has no schema %s", name)
			continue
		}
		var got []string
		for _, v := range s["enum"].([]any) {
			str, ok := v.(string)
			if !ok {
				t.Errorf("%s: %v (%T) is not a string", name, v, v)
			}
			got = append(got, str)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the contract lists %q, the domain %q", name, got, want)
		}
	}
}
