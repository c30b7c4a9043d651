package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-org/waymark/app"
)

// concernText is the shelter's safeguarding concern: an internal entry her record
// must never show.
const concernText = "A man who said he was her cousin waited outside the branch"

// safeguardedCase refers a survivor for the shelter, reads her identity (a logged
// read), shares the case with a bank, raises a safeguarding concern about that bank
// and writes a note; it returns the case id and her name.
func (s *server) safeguardedCase(token string) (id, name string) {
	s.t.Helper()
	name = "Lucia Exportada Ejemplo"
	id, pos := s.refer(token, "refer-sar", name)
	if got := s.survivorName(token, id, pos); got != name {
		s.t.Fatalf("her name reads %q", got)
	}
	expires := time.Now().Add(300 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for i, m := range []string{
		fmt.Sprintf(`grantConsent(input: {commandId: "sar-grant", caseId: %q, recipientOrganisationId: "mx-banco-solidario", categories: [BANKING], purposes: [BANKING], expiresAt: %q}) { version }`, id, expires),
		fmt.Sprintf(`referToBank(input: {commandId: "sar-refer", caseId: %q, bankId: "mx-banco-solidario"}) { version }`, id),
		fmt.Sprintf(`raiseSafeguardingConcern(input: {commandId: "sar-concern", caseId: %q, bankId: "mx-banco-solidario", category: TRAFFICKER_CONTROL, details: %q}) { version }`, id, concernText),
		fmt.Sprintf(`addCaseNote(input: {commandId: "sar-note", caseId: %q, text: "She wants to open an account of her own."}) { version }`, id),
	} {
		if code := s.mutate(token, "mutation { "+m+" }"); code != "" {
			s.t.Fatalf("setup step %d: %s", i, code)
		}
	}
	return id, name
}

// mutate runs a mutation and returns its first error's code ("" for none).
func (s *server) mutate(token, q string) string {
	s.t.Helper()
	var reply struct {
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	if status, body := s.gql(token, q, &reply); status != 200 {
		s.t.Fatalf("mutation: %d %s", status, body)
	}
	if len(reply.Errors) > 0 {
		return reply.Errors[0].Extensions.Code
	}
	return ""
}

// accessLogOf returns a case's access log as the coalition auditor reads it.
func (s *server) accessLogOf(token, caseID string) []app.AccessLogEntry {
	s.t.Helper()
	var reply struct {
		Data struct {
			AccessLog struct {
				Edges []struct{ Node app.AccessLogEntry }
			}
		}
		Errors []any
	}
	q := fmt.Sprintf(`{ accessLog(caseId: %q, first: 100) { edges { node { at actor role organisation reason breakGlass } } } }`, caseID)
	if status, body := s.gql(token, q, &reply); status != 200 || len(reply.Errors) > 0 {
		s.t.Fatalf("access log: %d %s", status, body)
	}
	out := make([]app.AccessLogEntry, 0, len(reply.Data.AccessLog.Edges))
	for _, e := range reply.Data.AccessLog.Edges {
		out = append(out, e.Node)
	}
	return out
}

func readRecord(t *testing.T, path string) (app.SubjectAccess, string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("the survivor's record is %v, want 0600", st.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rec app.SubjectAccess
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatalf("the survivor's record is not JSON: %v", err)
	}
	return rec, string(raw)
}

// A survivor's own record, end to end on the real binary, its HTTP/GraphQL API and its
// embedded JetStream: refused until the owning caseworker recorded her request (with
// both checks made in person), then made by the running server through its admin
// socket: her personal data decrypted, her journey, who read her record — no
// safeguarding entry, no member of staff named — and its decryption in the access
// log under that caseworker. After erasure the record says her data was erased; with
// the server stopped, the command makes it itself under the directory's lock.
func TestExportForSurvivor(t *testing.T) {
	dir := seededDemoDir(t) // the demo, seeded once for the package's tests
	srv := startServer(t, dir)
	caseworker := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "caseworker", "--org", "mx-refugio-esperanza", "--sub", "cw-7f3a"))
	auditor := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "auditor", "--org", "coalition-audit"))
	caseID, name := srv.safeguardedCase(caseworker)
	out := t.TempDir()

	_, stderr, code := runWaymark(t, childEnv(), "export", "--data-dir", dir, "--case", caseID, "--for-survivor", "--out", filepath.Join(out, "refused.json"))
	if code == 0 || !strings.Contains(stderr, "no subject-access request recorded") || !strings.Contains(stderr, "recordSubjectAccessRequest") {
		t.Errorf("a survivor's record without a recorded request: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "refused.json")); err == nil {
		t.Error("a refused export left a file")
	}

	record := func(commandID string, identity, freeWill bool) string {
		return srv.mutate(caseworker, fmt.Sprintf(`mutation { recordSubjectAccessRequest(input: {commandId: %q, caseId: %q,
			identityCheckedInPerson: %v, freeWillCheckedInPerson: %v}) { version } }`, commandID, caseID, identity, freeWill))
	}
	if code := record("sar-unchecked", false, true); code != "BAD_USER_INPUT" {
		t.Errorf("a request without the identity check: %q, want BAD_USER_INPUT", code)
	}
	if code := record("sar-coerced", true, false); code != "BAD_USER_INPUT" {
		t.Errorf("a request without the free-will check: %q, want BAD_USER_INPUT", code)
	}
	if code := record("sar-1", true, true); code != "" {
		t.Fatalf("recordSubjectAccessRequest: %s", code)
	}

	_, stderr, code = runWaymark(t, childEnv(), "export", "--data-dir", dir, "--case", caseID, "--for-survivor", "--request", "no-such-request", "--out", filepath.Join(out, "refused.json"))
	if code == 0 || !strings.Contains(stderr, `under the id "no-such-request"`) {
		t.Errorf("a survivor's record on a request never recorded: exit %d\n%s", code, stderr)
	}
	file := filepath.Join(out, "her-record.json")
	stdout := mustRun(t, "export", "--data-dir", dir, "--case", caseID, "--for-survivor", "--out", file)
	if !strings.Contains(stdout, fmt.Sprintf("made by the server owning %s (PID %d)", dir, srv.pid())) {
		t.Errorf("export --for-survivor did not go through the server: %q", stdout)
	}
	rec, raw := readRecord(t, file)
	if rec.CaseID != caseID || rec.Erased || rec.Request.Organisation != "mx-refugio-esperanza" {
		t.Errorf("record: case %s, erased %v, request %+v", rec.CaseID, rec.Erased, rec.Request)
	}
	if !strings.Contains(raw, name) {
		t.Errorf("her name %q is not in her record", name)
	}
	if strings.Contains(raw, concernText) || strings.Contains(raw, "Safeguarding") || strings.Contains(raw, `"safeguarding"`) {
		t.Error("her record shows a safeguarding entry")
	}
	if !strings.Contains(raw, "an account of her own") {
		t.Error("her record leaves out the owning organisation's note")
	}
	if strings.Contains(raw, "cw-7f3a") {
		t.Error("her record names a member of staff")
	}
	if len(rec.Journey) == 0 || rec.Journey[0].Event != "SurvivorReferred" || len(rec.Personal) == 0 {
		t.Errorf("journey %d steps (first %+v), personal data of %d events", len(rec.Journey), rec.Journey, len(rec.Personal))
	}
	reads := 0
	for _, r := range rec.Reads {
		if r.Organisation == "mx-refugio-esperanza" && r.Role == "caseworker" {
			reads++
		}
	}
	if reads < 2 { // the list above, and this export itself
		t.Errorf("her record lists %d reads by the shelter: %+v", reads, rec.Reads)
	}
	logged := false
	for _, e := range srv.accessLogOf(auditor, caseID) {
		if strings.HasPrefix(e.Reason, "subject-access request ") && e.Role == "caseworker" && e.Organisation == "mx-refugio-esperanza" && e.Actor == "cw-7f3a" {
			logged = true
		}
	}
	if !logged {
		t.Error("the export's decryption is not in the access log under the caseworker who recorded the request")
	}

	// Erased: the journey and the reads stay, her data is gone and the record says so.
	if code := srv.mutate(caseworker, fmt.Sprintf(`mutation { eraseSurvivorData(input: {commandId: "erase-1", caseId: %q, reasonCode: SURVIVOR_REQUEST}) { version } }`, caseID)); code != "" {
		t.Fatalf("eraseSurvivorData: %s", code)
	}
	srv.stop()
	erasedFile := filepath.Join(out, "after-erasure.json")
	stdout = mustRun(t, "export", "--data-dir", dir, "--case", caseID, "--for-survivor", "--out", erasedFile)
	if !strings.Contains(stdout, "made by this command") {
		t.Errorf("with no server running, export did not open the directory itself: %q", stdout)
	}
	rec, raw = readRecord(t, erasedFile)
	if !rec.Erased || len(rec.Personal) != 0 || strings.Contains(raw, name) || !strings.Contains(raw, "was erased") || len(rec.Journey) == 0 || len(rec.Reads) == 0 {
		t.Errorf("after erasure: erased %v, %d personal, notice %q, %d steps, %d reads", rec.Erased, len(rec.Personal), rec.Notice, len(rec.Journey), len(rec.Reads))
	}
}
