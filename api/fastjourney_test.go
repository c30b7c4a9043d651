package api_test

import (
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

var (
	bankAStaff   = app.Actor{ID: "bank-a-staff", Role: app.RoleBank, Organisation: "bank-a"}
	bankBStaff   = app.Actor{ID: "bank-b-staff", Role: app.RoleBank, Organisation: "bank-b"}
	bureauAStaff = app.Actor{ID: "bureau-a-staff", Role: app.RoleBureau, Organisation: "bureau-a"}
)

// act runs a mutation as actor that must succeed.
func (h *harness) act(actor app.Actor, name, inputType string, input map[string]any) caseResult {
	h.t.Helper()
	res, resp := h.mutate(actor, name, inputType, input)
	if len(resp.Errors) > 0 {
		h.t.Fatalf("%s as %s: %+v", name, actor.ID, resp.Errors)
	}
	return res
}

// TestWholeFASTJourney: a survivor without ID is shown to two banks, chooses one
// bank's offer, opens an account with the shelter's due-diligence pack, a
// safeguarding concern is raised and resolved between the bank and the shelter, and
// credit repair runs per item with a resubmission — over GraphQL, each step by the
// party that does it.
func TestWholeFASTJourney(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("f-refer")
	far := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	in := func(commandID string, fields map[string]any) map[string]any {
		fields["commandId"], fields["caseId"] = commandID, id
		return fields
	}
	for _, bank := range []string{"bank-a", "bank-b"} {
		h.act(caseworker, "grantConsent", "GrantConsentInput", in("f-consent-"+bank, map[string]any{"recipientOrganisationId": bank,
			"categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far}))
		h.act(caseworker, "referToBank", "ReferToBankInput", in("f-show-"+bank, map[string]any{"bankId": bank}))
	}
	h.act(bankAStaff, "makeBankOffer", "MakeBankOfferInput", in("f-offer-a", map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT",
		"monthlyFee": map[string]any{"currency": "MXN", "amount": "0"}, "acceptedDocuments": []string{"INE", "PASSPORT"}, "acceptsAlternativePack": true}))
	h.act(bankBStaff, "makeBankOffer", "MakeBankOfferInput", in("f-offer-b", map[string]any{"bankId": "bank-b", "product": "DEBIT_CARD",
		"monthlyFee": map[string]any{"currency": "MXN", "amount": "35.00"}, "acceptedDocuments": []string{"PASSPORT"}, "acceptsAlternativePack": false}))
	// A bank only offers for itself.
	if _, resp := h.mutate(bankBStaff, "makeBankOffer", "MakeBankOfferInput", in("f-offer-b-for-a", map[string]any{"bankId": "bank-a",
		"product": "LOAN", "monthlyFee": map[string]any{"currency": "MXN", "amount": "0"}, "acceptedDocuments": []string{}, "acceptsAlternativePack": false})); resp.code() != "FORBIDDEN" {
		t.Errorf("bank-b offering for bank-a: %q", resp.code())
	}

	var banking struct {
		Case struct {
			Banking struct {
				Offers []struct {
					ID     string
					Bank   struct{ ID string }
					Status string
				}
				ChosenOfferID     *string
				DueDiligencePacks []struct {
					ID, Status string
					StaffName  *string
				}
				Applications []struct{ Status string }
			}
		}
	}
	readBanking := func(actor app.Actor) {
		h.must(actor, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { banking {
			offers { id bank { id } status } chosenOfferId dueDiligencePacks { id status staffName } applications { status } } } }`,
			map[string]any{"id": id, "min": h.head().String()}, &banking)
	}
	readBanking(caseworker)
	offerA := banking.Case.Banking.Offers[0].ID
	h.act(caseworker, "recordSurvivorChoice", "RecordSurvivorChoiceInput", in("f-choice", map[string]any{"offerId": offerA}))

	// No ID: opening is refused until the bank accepts the shelter's pack.
	h.act(caseworker, "submitAccountApplication", "SubmitAccountApplicationInput", in("f-apply", map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT"}))
	if _, resp := h.mutate(bankAStaff, "recordAccountOpened", "RecordAccountOpenedInput", in("f-open-early", map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT"})); resp.code() != "INVALID_TRANSITION" {
		t.Errorf("opening without ID or pack: %q", resp.code())
	}
	h.act(caseworker, "provideDueDiligencePack", "ProvideDueDiligencePackInput", in("f-pack", map[string]any{"bankId": "bank-a",
		"signedLetter": true, "accompaniedVisit": true, "staffName": "Rosa Acompañante", "correspondenceAddress": true}))
	readBanking(bankAStaff)
	pack := banking.Case.Banking.DueDiligencePacks[0]
	if pack.StaffName == nil || *pack.StaffName != "Rosa Acompañante" {
		t.Errorf("the bank sees the pack's staff member: %+v", pack)
	}
	h.act(bankAStaff, "recordDueDiligenceDecision", "RecordDueDiligenceDecisionInput", in("f-pack-ok", map[string]any{"packId": pack.ID, "accepted": true}))
	h.act(bankAStaff, "recordAccountOpened", "RecordAccountOpenedInput", in("f-open", map[string]any{"bankId": "bank-a", "product": "BASIC_ACCOUNT"}))
	readBanking(bankBStaff)
	if b := banking.Case.Banking; len(b.Offers) != 1 || b.Offers[0].Status != "NOT_CHOSEN" || b.ChosenOfferID != nil || len(b.DueDiligencePacks) != 0 || len(b.Applications) != 0 {
		t.Errorf("bank-b sees more than its own entries: %+v", b)
	}

	// Bank-b's journey shows its own steps and the general ones, never bank-a's.
	var steps struct {
		Case struct {
			Journey []struct {
				Type              string
				ActorOrganisation *string
			}
		}
	}
	h.must(bankBStaff, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { journey { type actorOrganisation } } }`,
		map[string]any{"id": id, "min": h.head().String()}, &steps)
	offersSeen := 0
	for _, s := range steps.Case.Journey {
		if s.ActorOrganisation != nil && *s.ActorOrganisation == "bank-a" {
			t.Errorf("bank-b sees a step by bank-a: %+v", s)
		}
		switch s.Type {
		case "BankOfferMade":
			offersSeen++
		case "DueDiligencePackProvided", "BankAccountOpened", "SurvivorChoseOffer":
			t.Errorf("bank-b sees bank-a's %s", s.Type)
		}
	}
	if offersSeen != 1 || len(steps.Case.Journey) < 3 {
		t.Errorf("bank-b's journey: %+v", steps.Case.Journey)
	}

	// Safeguarding: raised by the bank, seen by the bank and the shelter only.
	h.act(bankAStaff, "raiseSafeguardingConcern", "RaiseSafeguardingConcernInput", in("f-concern", map[string]any{"bankId": "bank-a",
		"category": "TRAFFICKER_CONTROL", "details": "a man collects her card at the branch"}))
	var sg struct {
		Case struct {
			Safeguarding []struct {
				ID, Status string
				Details    *string
			}
		}
	}
	h.must(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { safeguarding { id status details } } }`,
		map[string]any{"id": id, "min": h.head().String()}, &sg)
	if len(sg.Case.Safeguarding) != 1 || *sg.Case.Safeguarding[0].Details != "a man collects her card at the branch" {
		t.Fatalf("the shelter's view of the concern: %+v", sg)
	}
	concern := sg.Case.Safeguarding[0].ID
	h.must(bankBStaff, `query($id: ID!) { case(id: $id) { safeguarding { id } } }`, map[string]any{"id": id}, &sg)
	if len(sg.Case.Safeguarding) != 0 {
		t.Errorf("another bank sees the concern: %+v", sg)
	}
	h.reason = "quarterly audit"
	if code := h.do(auditor, `query($id: ID!) { case(id: $id) { safeguarding { id } } }`, map[string]any{"id": id}).code(); code != "FORBIDDEN" {
		t.Errorf("an auditor reading safeguarding, even with a reason: %q", code)
	}
	h.reason = ""
	if _, resp := h.mutate(bankBStaff, "resolveSafeguardingConcern", "ResolveSafeguardingConcernInput", in("f-resolve-b", map[string]any{"concernId": concern, "resolution": "OTHER"})); resp.code() == "" {
		t.Error("a bank that is not a party resolved the concern")
	}
	h.act(caseworker, "acknowledgeSafeguardingConcern", "AcknowledgeSafeguardingConcernInput", in("f-ack", map[string]any{"concernId": concern}))
	h.act(bankAStaff, "resolveSafeguardingConcern", "ResolveSafeguardingConcernInput", in("f-resolve", map[string]any{"concernId": concern, "resolution": "ACCOUNT_RESTRICTED", "resolutionText": "card reissued in her hands only"}))

	// Credit repair per item, with a resubmission after a refusal.
	h.act(caseworker, "grantConsent", "GrantConsentInput", in("f-consent-bureau", map[string]any{"recipientOrganisationId": "bureau-a",
		"categories": []string{"CREDIT"}, "purposes": []string{"CREDIT_REPAIR"}, "expiresAt": far}))
	h.act(caseworker, "recordCreditReportObtained", "RecordCreditReportObtainedInput", in("f-report", map[string]any{"bureauId": "bureau-a"}))
	res := h.act(caseworker, "fileCreditDispute", "FileCreditDisputeInput", in("f-dispute", map[string]any{"bureauId": "bureau-a",
		"items": []map[string]any{
			{"id": "loan-1", "kind": "DEBT", "creditor": "Préstamos Exprés (demo)", "accountReference": "PX-1"},
			{"id": "card-1", "kind": "ACCOUNT", "creditor": "Tarjetas Fantasma (demo)"},
		},
		"evidence": []string{"PROOF_OF_IDENTITY", "TRAFFICKING_DETERMINATION", "ITEMS_LIST"}}))
	var credit struct {
		Case struct {
			Credit struct {
				Reports  []struct{ ID string }
				Disputes []struct {
					ID, Status    string
					Outcome       *string
					Resubmissions int
					Items         []struct {
						ID, Outcome string
						Creditor    *string
					}
				}
			}
			BarrierHistory []struct {
				Barrier    string
				ResolvedAt *string
			}
		}
	}
	readCredit := func(actor app.Actor, min string) {
		h.must(actor, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { credit { reports { id }
			disputes { id status outcome resubmissions items { id outcome creditor } } } } }`, map[string]any{"id": id, "min": min}, &credit)
	}
	readCredit(bureauAStaff, res.Position)
	dispute := credit.Case.Credit.Disputes[0].ID
	h.act(bureauAStaff, "recordDisputeItemOutcome", "RecordDisputeItemOutcomeInput", in("f-item-1", map[string]any{"disputeId": dispute, "itemId": "loan-1", "outcome": "BLOCKED"}))
	h.act(bureauAStaff, "recordDisputeItemOutcome", "RecordDisputeItemOutcomeInput", in("f-item-2", map[string]any{"disputeId": dispute, "itemId": "card-1", "outcome": "REFUSED", "reasonCode": "INSUFFICIENT_EVIDENCE", "reason": "no proof of coercion"}))
	readCredit(caseworker, h.head().String())
	if d := credit.Case.Credit.Disputes[0]; d.Status != "RESOLVED" || d.Outcome == nil || *d.Outcome != "PARTIALLY_BLOCKED" {
		t.Errorf("after both items: %+v", d)
	}
	h.act(caseworker, "resubmitCreditDispute", "ResubmitCreditDisputeInput", in("f-resubmit", map[string]any{"disputeId": dispute, "itemIds": []string{"card-1"}, "evidence": []string{"POLICE_REPORT"}}))
	h.act(bureauAStaff, "recordDisputeItemOutcome", "RecordDisputeItemOutcomeInput", in("f-item-2b", map[string]any{"disputeId": dispute, "itemId": "card-1", "outcome": "BLOCKED"}))
	h.act(caseworker, "resolveBarrier", "BarrierInput", in("f-barrier", map[string]any{"barrier": "NO_ID"}))
	readCredit(caseworker, h.head().String())
	d := credit.Case.Credit.Disputes[0]
	if d.Status != "RESOLVED" || *d.Outcome != "BLOCKED" || d.Resubmissions != 1 || len(credit.Case.Credit.Reports) != 1 {
		t.Errorf("after the resubmission: %+v", credit.Case.Credit)
	}
	if d.Items[0].Creditor == nil {
		t.Errorf("the owner does not see the items' creditors: %+v", d.Items)
	}
	var history struct {
		Case struct {
			Stage          string
			BarrierHistory []struct {
				Barrier    string
				ResolvedAt *string
			}
		}
	}
	h.must(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { stage barrierHistory { barrier resolvedAt } } }`,
		map[string]any{"id": id, "min": h.head().String()}, &history)
	resolved := map[string]bool{}
	for _, b := range history.Case.BarrierHistory {
		resolved[b.Barrier] = b.ResolvedAt != nil
	}
	if !resolved["NO_ID"] || resolved["UNAWARE_OF_PRODUCTS"] || history.Case.Stage != "CREDIT_REPAIR" {
		t.Errorf("barrier history %+v, stage %s", history.Case.BarrierHistory, history.Case.Stage)
	}
}
