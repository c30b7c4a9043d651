package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/sealing"
)

func (h *harness) postWithToken(token string) (int, gqlResponse) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/graphql", strings.NewReader(`{"query":"{ organisations { id } }"}`))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	_ = jsonDecode(resp, &out)
	return resp.StatusCode, out
}

func TestTokensAreChecked(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	good := h.token(caseworker)
	if status, resp := h.postWithToken(good); status != 200 || len(resp.Errors) > 0 {
		t.Fatalf("a valid token: HTTP %d %+v", status, resp.Errors)
	}
	otherKey, _ := auth.GenerateSigningKey("test-key") // same key id, another key
	forged, _, _ := auth.Issuer{Key: otherKey, Issuer: "waymark-test", Audience: "waymark-api"}.Issue("mallory", "shelter-a", "caseworker", time.Hour, h.clock.Now())
	expired, _, _ := h.issuer.Issue("ana", "shelter-a", "caseworker", time.Hour, h.clock.Now().Add(-2*time.Hour))
	wrongAudience, _, _ := auth.Issuer{Key: h.issuer.Key, Issuer: "waymark-test", Audience: "another-api"}.Issue("ana", "shelter-a", "caseworker", time.Hour, h.clock.Now())
	unknownRole, _, _ := h.issuer.Issue("ana", "shelter-a", "superuser", time.Hour, h.clock.Now())
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2]
	for name, token := range map[string]string{
		"no token": "", "forged (another key)": forged, "expired": expired, "wrong audience": wrongAudience,
		"unknown role": unknownRole, "tampered payload": tampered, "not a JWT": "hello",
	} {
		status, resp := h.postWithToken(token)
		if status != http.StatusUnauthorized || resp.code() != "UNAUTHENTICATED" {
			t.Errorf("%s: HTTP %d code %q, want 401 UNAUTHENTICATED", name, status, resp.code())
		}
		if token != "" && strings.Contains(resp.Errors[0].Message, token) {
			t.Errorf("%s: the error repeats the token", name)
		}
	}
}

// TestErasure: an erased case shows no personal data in any query, its sealed data
// cannot be opened, it cannot be found by name, and its journey stays.
func TestErasure(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("e-refer")
	h.step("addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "e-note", "caseId": id, "text": "lives at Calle Oculta 9"})
	res := h.step("requestIDDocument", "RequestIDDocumentInput", map[string]any{"commandId": "e-doc", "caseId": id, "kind": "CURP", "issuingAuthority": "RC"})
	doc := h.readCase(id, res.Position).Identity.Documents[0]
	h.step("recordIDDocumentObtained", "RecordIDDocumentObtainedInput", map[string]any{"commandId": "e-doc-ok", "caseId": id, "documentId": doc.ID, "documentNumber": "ZQ-123-456"})

	findByName := func() int {
		var page casesPage
		h.must(caseworker, casesQuery, map[string]any{"filter": map[string]any{"survivorName": "zaneta  QUILLFEATHER"}, "min": h.head().String()}, &page)
		return page.Cases.TotalCount
	}
	if n := findByName(); n != 1 {
		t.Fatalf("search by name before erasure found %d cases", n)
	}
	var byDoc casesPage
	h.must(caseworker, casesQuery, map[string]any{"filter": map[string]any{"documentNumber": "zq123456"}}, &byDoc)
	if byDoc.Cases.TotalCount != 1 {
		t.Errorf("search by document number found %d cases", byDoc.Cases.TotalCount)
	}

	// Admin erases without ever seeing the case.
	if _, resp := h.mutate(admin, "eraseSurvivorData", "EraseSurvivorDataInput", map[string]any{"commandId": "e-erase", "caseId": id, "reasonCode": "SURVIVOR_REQUEST"}); len(resp.Errors) > 0 {
		t.Fatalf("erase: %+v", resp.Errors)
	}
	var out struct {
		Case struct {
			Version  int
			Stage    string
			Journey  []struct{ Type string }
			Identity struct {
				Erased                       bool
				FullName, DateOfBirth, Phone *string
				Documents                    []struct{ DocumentNumber *string }
			}
			Notes []struct{ Text *string }
		}
	}
	h.must(caseworker, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { version stage journey { type }
		identity { erased fullName dateOfBirth phone documents { documentNumber } } notes { text } } }`,
		map[string]any{"id": id, "min": h.head().String()}, &out)
	c := out.Case
	if !c.Identity.Erased || c.Identity.FullName != nil || c.Identity.DateOfBirth != nil || c.Identity.Phone != nil ||
		c.Identity.Documents[0].DocumentNumber != nil || c.Notes[0].Text != nil {
		t.Errorf("personal data after erasure: %+v", c)
	}
	if len(c.Journey) != 5 || c.Journey[4].Type != "SurvivorDataErased" {
		t.Errorf("journey after erasure: %+v", c.Journey)
	}
	if n := findByName(); n != 0 {
		t.Errorf("an erased case is still found by name (%d)", n)
	}
	// After a restart the read models are rebuilt from the log: the erased case's
	// sealed index cannot be opened any more, another survivor of the same name's can.
	other := h.refer("e-refer-2")
	h.restart()
	var page casesPage
	h.must(caseworker, casesQuery, map[string]any{"filter": map[string]any{"survivorName": "Zaneta Quillfeather"}, "min": h.head().String()}, &page)
	if page.Cases.TotalCount != 1 || page.Cases.Edges[0].Node.ID != other {
		t.Errorf("after a rebuild the name finds %+v, want only case %s", page.Cases.Edges, other)
	}
	// The sealed bytes are still in the log (the hash chain holds) but cannot be opened.
	events, err := h.node.Store.ReadStream(context.Background(), "case-"+id, 0)
	if err != nil {
		t.Fatal(err)
	}
	var personal []byte
	if err := jsonField(events[0].Data, "personal", &personal); err != nil || !sealing.IsSealed(personal) {
		t.Fatalf("stored personal object %s is not sealed (%v)", personal, err)
	}
	if _, err := h.node.Vault.Open(context.Background(), id, events[0].ID, events[0].SchemaVersion, personal); !errors.Is(err, sealing.ErrKeyDestroyed) {
		t.Errorf("opening erased data: %v, want ErrKeyDestroyed", err)
	}
	// Nothing personal can be recorded any more.
	if _, resp := h.mutate(caseworker, "addCaseNote", "AddCaseNoteInput", map[string]any{"commandId": "e-note-2", "caseId": id, "text": "x"}); resp.code() != "INVALID_TRANSITION" {
		t.Errorf("a note after erasure: %q", resp.code())
	}
}

// TestNoPlaintextPersonalDataAtRest seeds the demo coalition and then scans every byte
// under the data dir — events, key store, access log, snapshots, secrets — for the
// seeded names and document numbers.
func TestNoPlaintextPersonalDataAtRest(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	sum, err := demo.Seed(ctx, demo.Deps{Store: h.node.Store, Vault: h.node.Vault, HashKey: testKey, Logger: testkit.Quiet()}, testStart)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Cases != demo.Journeys {
		t.Fatalf("seeded %d cases", sum.Cases)
	}
	// Read some identities, so the access log has entries to scan too.
	var page struct {
		Cases struct {
			Edges []struct {
				Node struct {
					Identity struct {
						FullName  string
						Documents []struct{ DocumentNumber *string }
					}
				}
			}
		}
	}
	demoWorker := app.Actor{ID: "w", Role: app.RoleCaseworker, Organisation: demo.ShelterCDMX}
	h.must(demoWorker, `query($min: String) { cases(first: 50, minPosition: $min) { edges { node { identity { fullName documents { documentNumber } } } } } }`,
		map[string]any{"min": h.head().String()}, &page)
	var secrets [][]byte
	for _, e := range page.Cases.Edges {
		secrets = append(secrets, []byte(e.Node.Identity.FullName))
		for _, d := range e.Node.Identity.Documents {
			if d.DocumentNumber != nil {
				secrets = append(secrets, []byte(*d.DocumentNumber))
			}
		}
	}
	if len(secrets) < 20 {
		t.Fatalf("only %d seeded values to look for", len(secrets))
	}
	h.restart() // flush everything to disk
	scanned, control := 0, false
	err = filepath.WalkDir(h.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned += len(data)
		// A non-personal value that is stored in plaintext proves the scan can see.
		control = control || bytes.Contains(data, []byte("Refugio Esperanza (CDMX)"))
		for _, s := range secrets {
			if bytes.Contains(data, s) {
				t.Errorf("%s holds %q in plaintext", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !control {
		t.Error("the scan did not find the demo shelter's name: it cannot see stored events")
	}
	if scanned < 100_000 {
		t.Errorf("scanned only %d bytes: is the data dir where the test thinks?", scanned)
	}
}

// A search by name or document number discloses who the survivor is: only callers
// who may read the case's identity find it, and every find is in the access log.
func TestSearchByPersonalDataIsAnIdentityRead(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("s-refer")
	far := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "s-consent", "caseId": id, "recipientOrganisationId": "bank-a",
		"categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far})
	h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "s-bank", "caseId": id, "bankId": "bank-a"})
	search := func(actor app.Actor, name string) gqlResponse {
		return h.do(actor, casesQuery, map[string]any{"filter": map[string]any{"survivorName": name}, "min": h.head().String()})
	}
	total := func(resp gqlResponse) int {
		var page casesPage
		if err := json.Unmarshal(resp.Data, &page); err != nil {
			t.Fatalf("search: %s %+v", resp.Data, resp.Errors)
		}
		return page.Cases.TotalCount
	}
	count := func(resp gqlResponse) int {
		if len(resp.Errors) > 0 {
			t.Fatalf("search: %s %+v", resp.Data, resp.Errors)
		}
		return total(resp)
	}
	if n := count(search(caseworker, "Zaneta Quillfeather")); n != 1 {
		t.Errorf("the owner finds %d cases", n)
	}
	bank := app.Actor{ID: "b", Role: app.RoleBank, Organisation: "bank-a"}
	if n := count(search(bank, "Zaneta Quillfeather")); n != 0 {
		t.Errorf("the bank finds the survivor by name (%d)", n)
	}
	// The auditor without a reason finds nothing either, and is told why: an empty
	// answer alone would read as "no such survivor".
	withheld := search(auditor, "Zaneta Quillfeather")
	if n := total(withheld); n != 0 || withheld.code() != "REASON_REQUIRED" || len(withheld.Errors) != 1 ||
		!slices.Equal(withheld.Errors[0].Path, []any{"cases"}) {
		t.Errorf("an auditor without a reason: %d cases, errors %+v; want 0 and REASON_REQUIRED on cases", n, withheld.Errors)
	}
	if resp := search(auditor, "Nobody Matches This"); resp.code() != "" {
		t.Errorf("an auditor's search that matches nothing: %+v, want no error", resp.Errors)
	}
	h.reason = "complaint 7 review"
	if n := count(search(auditor, "Zaneta Quillfeather")); n != 1 {
		t.Errorf("an auditor with a reason finds %d cases", n)
	}
	h.reason = ""
	if code := search(caseworker, " ?! ").code(); code != "BAD_USER_INPUT" {
		t.Errorf("a search with nothing to search for: %q", code)
	}
	var log struct {
		AccessLog struct {
			Edges []struct {
				Node struct {
					Actor  string
					Reason *string
				}
			}
		}
	}
	h.must(auditor, `query($id: ID!) { accessLog(caseId: $id) { edges { node { actor reason } } } }`, map[string]any{"id": id}, &log)
	searches := 0
	for _, edge := range log.AccessLog.Edges {
		if e := edge.Node; e.Reason != nil && strings.HasPrefix(*e.Reason, "search") {
			searches++
		}
	}
	if searches != 2 {
		t.Errorf("%d searches recorded, want 2 (the owner's and the auditor's): %+v", searches, log.AccessLog)
	}
}

// A closure reason is a caseworker's free text: it goes with the notes, not with the
// summary a bank or an auditor reads. The bank never reads it (null); the auditor may
// with a stated reason, so without one its null carries REASON_REQUIRED.
func TestClosureReasonIsForNoteReaders(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("cr-refer")
	far := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "cr-consent", "caseId": id, "recipientOrganisationId": "bank-a",
		"categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far})
	h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "cr-bank", "caseId": id, "bankId": "bank-a"})
	h.step("closeCase", "CloseCaseInput", map[string]any{"commandId": "cr-close", "caseId": id, "outcome": "TRANSFERRED", "reason": "moved to her sister in Puebla"})
	read := func(actor app.Actor) (outcome string, reason *string, errs []gqlError) {
		var out struct {
			Case struct {
				Closure struct {
					Outcome string
					Reason  *string
				}
			}
		}
		resp := h.do(actor, `query($id: ID!, $min: String) { case(id: $id, minPosition: $min) { closure { outcome reason } } }`,
			map[string]any{"id": id, "min": h.head().String()})
		if err := json.Unmarshal(resp.Data, &out); err != nil {
			t.Fatal(err)
		}
		return out.Case.Closure.Outcome, out.Case.Closure.Reason, resp.Errors
	}
	if o, r, errs := read(caseworker); o != "TRANSFERRED" || r == nil || *r != "moved to her sister in Puebla" || len(errs) > 0 {
		t.Errorf("owner: %s %v %+v", o, r, errs)
	}
	if o, r, errs := read(bankAStaff); o != "TRANSFERRED" || r != nil || len(errs) > 0 {
		t.Errorf("the bank reads the closure reason: %s %v %+v", o, r, errs)
	}
	o, r, errs := read(auditor)
	if o != "TRANSFERRED" || r != nil || len(errs) != 1 || errs[0].Extensions["code"] != "REASON_REQUIRED" || fmt.Sprint(errs[0].Path) != "[case closure reason]" {
		t.Errorf("the auditor without a reason: %s %v %+v; want a null reason with REASON_REQUIRED on it", o, r, errs)
	}
	h.reason = "complaint 2026-14 review"
	if o, r, errs := read(auditor); o != "TRANSFERRED" || r == nil || *r != "moved to her sister in Puebla" || len(errs) > 0 {
		t.Errorf("the auditor with a reason: %s %v %+v", o, r, errs)
	}
	h.reason = ""
}
