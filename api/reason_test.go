package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

// An auditor reads a case's credit repair and its reopenings without a reason, but
// not the personal texts inside them (a disputed item's creditor and account, the
// bureau's and the caseworker's words): each such field is null with REASON_REQUIRED
// on its own path — under an alias and through a fragment too — never a silent null.
// A field with nothing sealed behind it (the dispute's own reason: the bureau answered
// item by item) is a plain null; the items' creditors and account references are
// sealed together, so both are withheld for every item. With a reason, the same query
// reads them all, without errors.
func TestAuditorNullsForWantOfAReasonExplainThemselves(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	bureau := app.Actor{ID: "bx", Role: app.RoleBureau, Organisation: "bureau-a"}
	id := h.refer("reason-refer")
	n := 0
	run := func(actor app.Actor, name, inputType string, input map[string]any) {
		t.Helper()
		n++
		input["commandId"], input["caseId"] = fmt.Sprintf("reason-%d", n), id
		if _, resp := h.mutate(actor, name, inputType, input); len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", name, resp.Errors)
		}
	}
	run(caseworker, "grantConsent", "GrantConsentInput", map[string]any{"recipientOrganisationId": "bureau-a",
		"categories": []string{"CREDIT"}, "purposes": []string{"CREDIT_REPAIR"}, "expiresAt": testStart.AddDate(1, 0, 0).Format(time.RFC3339)})
	run(caseworker, "fileCreditDispute", "FileCreditDisputeInput", map[string]any{"bureauId": "bureau-a", "evidence": []string{"PROOF_OF_IDENTITY", "TRAFFICKING_DETERMINATION"},
		"items": []map[string]any{
			{"id": "i-1", "kind": "DEBT", "creditor": "Prestamos Rapidos (demo)", "accountReference": "ACC-991"},
			{"id": "i-2", "kind": "ACCOUNT", "creditor": "Tarjetas Norte (demo)"},
		}})
	var filed struct {
		Case struct {
			Credit struct{ Disputes []struct{ ID string } }
		}
	}
	h.must(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { credit { disputes { id } } } }`,
		map[string]any{"id": id, "min": h.head().String()}, &filed)
	if len(filed.Case.Credit.Disputes) != 1 {
		t.Fatalf("disputes: %+v", filed)
	}
	run(bureau, "recordDisputeItemOutcome", "RecordDisputeItemOutcomeInput", map[string]any{"disputeId": filed.Case.Credit.Disputes[0].ID,
		"itemId": "i-1", "outcome": "REFUSED", "reasonCode": "INSUFFICIENT_EVIDENCE", "reason": "the police report names another debtor"})
	run(caseworker, "closeCase", "CloseCaseInput", map[string]any{"outcome": "LOST_CONTACT"})
	run(caseworker, "reopenCase", "ReopenCaseInput", map[string]any{"reasonCode": "SURVIVOR_RETURNED", "reason": "she called from her aunt's phone"})

	const query = `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) {
		credit { disputes { reason items { id creditor accountReference reason } } }
		again: credit { disputes { items { who: creditor } } }
		...reopened
	} }
	fragment reopened on Case { reopenings { reasonCode reason } }`
	vars := map[string]any{"id": id, "min": h.head().String()}
	type doc struct {
		Case struct {
			Credit struct {
				Disputes []struct {
					Reason *string
					Items  []struct {
						ID                                 string
						Creditor, AccountReference, Reason *string
					}
				}
			}
			Again struct {
				Disputes []struct{ Items []struct{ Who *string } }
			}
			Reopenings []struct {
				ReasonCode string
				Reason     *string
			}
		}
	}

	resp := h.do(auditor, query, vars)
	var got doc
	if err := json.Unmarshal(resp.Data, &got); err != nil {
		t.Fatalf("%s: %v", resp.Data, err)
	}
	var paths []string
	for _, e := range resp.Errors {
		if e.Extensions["code"] != "REASON_REQUIRED" || !strings.Contains(e.Message, "X-Access-Reason") {
			t.Errorf("an error that does not say a reason is needed: %+v", e)
		}
		paths = append(paths, fmt.Sprint(e.Path))
	}
	slices.Sort(paths)
	want := []string{
		"[case again disputes 0 items 0 who]",
		"[case again disputes 0 items 1 who]",
		"[case credit disputes 0 items 0 accountReference]",
		"[case credit disputes 0 items 0 creditor]",
		"[case credit disputes 0 items 0 reason]",
		"[case credit disputes 0 items 1 accountReference]",
		"[case credit disputes 0 items 1 creditor]",
		"[case reopenings 0 reason]",
	}
	if !slices.Equal(paths, want) {
		t.Errorf("REASON_REQUIRED at\n%s\nwant\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	c := got.Case
	if len(c.Credit.Disputes) != 1 || len(c.Credit.Disputes[0].Items) != 2 || len(c.Reopenings) != 1 || c.Reopenings[0].ReasonCode != "SURVIVOR_RETURNED" {
		t.Fatalf("the auditor's view lost more than the personal texts: %s", resp.Data)
	}
	for _, it := range c.Credit.Disputes[0].Items {
		if it.Creditor != nil || it.AccountReference != nil || it.Reason != nil {
			t.Errorf("item %s shown to an auditor without a reason: %s", it.ID, resp.Data)
		}
	}
	if c.Reopenings[0].Reason != nil || c.Credit.Disputes[0].Reason != nil || strings.Contains(string(resp.Data), "demo") {
		t.Errorf("personal text shown to an auditor without a reason: %s", resp.Data)
	}

	// With a reason: everything, no error.
	h.reason = "complaint 2026-14 review"
	defer func() { h.reason = "" }()
	resp = h.do(auditor, query, vars)
	got = doc{}
	if err := json.Unmarshal(resp.Data, &got); err != nil || len(resp.Errors) > 0 {
		t.Fatalf("with a reason: %s %+v %v", resp.Data, resp.Errors, err)
	}
	items := got.Case.Credit.Disputes[0].Items
	if deref(items[0].Creditor) != "Prestamos Rapidos (demo)" || deref(items[0].AccountReference) != "ACC-991" ||
		deref(items[0].Reason) != "the police report names another debtor" || deref(items[1].Creditor) != "Tarjetas Norte (demo)" ||
		deref(got.Case.Again.Disputes[0].Items[1].Who) != "Tarjetas Norte (demo)" || deref(got.Case.Reopenings[0].Reason) != "she called from her aunt's phone" {
		t.Errorf("with a reason: %s", resp.Data)
	}
}
