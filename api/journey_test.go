package api_test

import (
	"testing"
	"time"
)

const caseQuery = `query($id: ID!, $min: String) {
  case(id: $id, minPosition: $min) {
    id version stage status jurisdiction owningOrganisation { id name }
    needs barriers closure { outcome reason }
    journey { type stage version }
    identity { fullName dateOfBirth phone documents { id kind status documentNumber } }
    consent { grants { id recipient { id } purposes inForce withdrawnAt } }
    banking { referrals { bank { id } } applications { bank { id } product status reason } }
    credit { disputes { id bureau { id } itemCount status outcome } }
    notes { text authorOrganisation }
  }
}`

type caseDoc struct {
	ID                 string
	Version            int
	Stage              string
	Status             string
	Jurisdiction       string
	OwningOrganisation struct{ ID, Name string }
	Needs, Barriers    []string
	Closure            *struct{ Outcome, Reason string }
	Journey            []struct {
		Type, Stage string
		Version     int
	}
	Identity *struct {
		FullName, DateOfBirth, Phone string
		Documents                    []struct{ ID, Kind, Status, DocumentNumber string }
	}
	Consent *struct {
		Grants []struct {
			ID          string
			Recipient   struct{ ID string }
			Purposes    []string
			InForce     bool
			WithdrawnAt *string
		}
	}
	Banking *struct {
		Referrals    []struct{ Bank struct{ ID string } }
		Applications []struct {
			Bank                    struct{ ID string }
			Product, Status, Reason string
		}
	}
	Credit *struct {
		Disputes []struct {
			ID              string
			Bureau          struct{ ID string }
			ItemCount       int
			Status, Outcome string
		}
	}
	Notes []struct{ Text, AuthorOrganisation string }
}

func (h *harness) readCase(id, minPosition string) caseDoc {
	h.t.Helper()
	var out struct{ Case caseDoc }
	h.must(caseworker, caseQuery, map[string]any{"id": id, "min": minPosition}, &out)
	return out.Case
}

// step runs a case mutation that must succeed and returns its result.
func (h *harness) step(name, inputType string, input map[string]any) caseResult {
	h.t.Helper()
	res, resp := h.mutate(caseworker, name, inputType, input)
	if len(resp.Errors) > 0 {
		h.t.Fatalf("%s: %+v", name, resp.Errors)
	}
	return res
}

// TestJourneyFromReferralToClosureAcrossRestart walks one case through every stage over
// GraphQL, restarting the server and the embedded store in the middle.
func TestJourneyFromReferralToClosureAcrossRestart(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("c-refer")
	expires := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)

	h.step("grantConsent", "GrantConsentInput", map[string]any{
		"commandId": "c-consent-bank", "caseId": id, "expectedVersion": 1, "recipientOrganisationId": "bank-a",
		"categories": []string{"IDENTITY", "BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": expires,
	})
	res := h.step("requestIDDocument", "RequestIDDocumentInput", map[string]any{
		"commandId": "c-doc", "caseId": id, "kind": "CURP", "issuingAuthority": "Registro Civil",
	})
	doc := h.readCase(id, res.Position).Identity.Documents[0]
	h.step("recordIDDocumentObtained", "RecordIDDocumentObtainedInput", map[string]any{
		"commandId": "c-doc-ok", "caseId": id, "documentId": doc.ID, "documentNumber": "QUIL900412MDFXXX01",
	})
	h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "c-bank", "caseId": id, "bankId": "bank-a"})
	res = h.step("submitAccountApplication", "SubmitAccountApplicationInput", map[string]any{
		"commandId": "c-apply", "caseId": id, "bankId": "bank-a", "product": "BASIC_ACCOUNT",
	})

	h.restart()

	before := h.readCase(id, res.Position)
	if before.Version != 6 || before.Stage != "ACCOUNT_OPENING" {
		t.Fatalf("after restart: version %d stage %s, want 6 ACCOUNT_OPENING", before.Version, before.Stage)
	}
	h.step("recordAccountOpened", "RecordAccountOpenedInput", map[string]any{
		"commandId": "c-opened", "caseId": id, "expectedVersion": 6, "bankId": "bank-a", "product": "BASIC_ACCOUNT",
	})
	h.step("grantConsent", "GrantConsentInput", map[string]any{
		"commandId": "c-consent-bureau", "caseId": id, "recipientOrganisationId": "bureau-a",
		"categories": []string{"CREDIT"}, "purposes": []string{"CREDIT_REPAIR"}, "expiresAt": expires,
	})
	res = h.step("fileCreditDispute", "FileCreditDisputeInput", map[string]any{
		"commandId": "c-dispute", "caseId": id, "bureauId": "bureau-a", "itemCount": 2,
	})
	dispute := h.readCase(id, res.Position).Credit.Disputes[0]
	h.step("recordCreditDisputeOutcome", "RecordCreditDisputeOutcomeInput", map[string]any{
		"commandId": "c-dispute-outcome", "caseId": id, "disputeId": dispute.ID, "outcome": "BLOCKED",
	})
	h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "c-note", "caseId": id, "text": "Card received at the shelter."})
	res = h.step("closeCase", "CloseCaseInput", map[string]any{
		"commandId": "c-close", "caseId": id, "outcome": "JOURNEY_COMPLETED", "reason": "all goals met",
	})
	if res.Version != 12 {
		t.Fatalf("closeCase version = %d, want 12", res.Version)
	}

	c := h.readCase(id, res.Position)
	switch {
	case c.Status != "CLOSED" || c.Stage != "CREDIT_REPAIR":
		t.Errorf("status/stage = %s/%s, want CLOSED/CREDIT_REPAIR", c.Status, c.Stage)
	case c.Closure == nil || c.Closure.Outcome != "JOURNEY_COMPLETED":
		t.Errorf("closure = %+v", c.Closure)
	case c.Identity == nil || c.Identity.FullName != "Zaneta Quillfeather" || c.Identity.Documents[0].DocumentNumber != "QUIL900412MDFXXX01":
		t.Errorf("identity = %+v", c.Identity)
	case len(c.Banking.Applications) != 1 || c.Banking.Applications[0].Status != "OPENED":
		t.Errorf("banking = %+v", c.Banking)
	case len(c.Credit.Disputes) != 1 || c.Credit.Disputes[0].Outcome != "BLOCKED":
		t.Errorf("credit = %+v", c.Credit)
	case len(c.Notes) != 1 || c.Notes[0].Text != "Card received at the shelter." || c.Notes[0].AuthorOrganisation != "shelter-a":
		t.Errorf("notes = %+v", c.Notes)
	case len(c.Journey) != 12 || c.Journey[0].Type != "SurvivorReferred" || c.Journey[11].Type != "CaseClosed":
		t.Errorf("journey = %+v", c.Journey)
	case c.OwningOrganisation.Name != "Shelter A":
		t.Errorf("owning organisation = %+v", c.OwningOrganisation)
	}

	// A closed case accepts nothing but reopening.
	_, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "c-note-2", "caseId": id, "text": "late"})
	if resp.code() != "INVALID_TRANSITION" {
		t.Errorf("note on a closed case: code %q, want INVALID_TRANSITION", resp.code())
	}
	res = h.step("reopenCase", "ReopenCaseInput", map[string]any{"commandId": "c-reopen", "caseId": id, "reasonCode": "NEW_NEED", "reason": "new debt found"})
	if c := h.readCase(id, res.Position); c.Status != "OPEN" || c.Stage != "CREDIT_REPAIR" || c.Closure != nil {
		t.Errorf("after reopen: %s %s %+v", c.Status, c.Stage, c.Closure)
	}
}
