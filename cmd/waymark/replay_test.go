package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/admin"
)

// caseMutation runs a case mutation as token and fails the test on any error.
func (s *server) caseMutation(token, mutation string) {
	s.t.Helper()
	var reply struct{ Errors []any }
	if status, body := s.gql(token, mutation, &reply); status != 200 || len(reply.Errors) > 0 {
		s.t.Fatalf("%s: %d %s", mutation, status, body)
	}
}

// waymark replay on a seeded store, through the running server's admin socket and
// then offline (the directory opened under its lock): the same timeline both ways,
// as a table, one JSON array and one JSON event a line; personal parts shown sealed,
// or erased after an erasure, never decrypted (no name or note text in any output);
// the hash chain links each event to the one before; an unknown case is a sentence
// and exit status 1.
func TestReplayCommand(t *testing.T) {
	dir := seededDemoDir(t)
	srv := startServer(t, dir)
	token := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "caseworker", "--org", "mx-refugio-esperanza"))
	live, _ := srv.refer(token, "replay-refer", "Zaira Replay Ejemplo")
	srv.caseMutation(token, fmt.Sprintf(`mutation { addCaseNote(input: {commandId: "replay-note", caseId: %q, text: "replay secret note"}) { version } }`, live))
	erased, _ := srv.refer(token, "replay-refer-erased", "Elena Borrada Ejemplo")
	srv.caseMutation(token, fmt.Sprintf(`mutation { eraseSurvivorData(input: {commandId: "replay-erase", caseId: %q, reasonCode: SURVIVOR_REQUEST}) { version } }`, erased))

	secrets := []string{"Zaira", "Replay Ejemplo", "replay secret note", "Elena", "Borrada"}
	noSecrets := func(what, out string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s shows personal data %q:\n%s", what, s, out)
			}
		}
	}
	replayed := func(mode string) (table string, events []admin.TimelineEvent, raw string) {
		t.Helper()
		table = mustRun(t, "replay", "--case", live, "--data-dir", dir, "--sync", "interval")
		noSecrets(mode+" table", table)
		raw = mustRun(t, "replay", "--case", live, "--json", "--data-dir", dir, "--sync", "interval")
		noSecrets(mode+" --json", raw)
		if err := json.Unmarshal([]byte(raw), &events); err != nil {
			t.Fatalf("%s --json: %v\n%s", mode, err, raw)
		}
		nd := mustRun(t, "replay", "--case", live, "--ndjson", "--data-dir", dir, "--sync", "interval")
		noSecrets(mode+" --ndjson", nd)
		lines := strings.Split(strings.TrimSpace(nd), "\n")
		if len(lines) != len(events) {
			t.Fatalf("%s: --ndjson has %d lines, --json %d events", mode, len(lines), len(events))
		}
		for i, line := range lines {
			var e admin.TimelineEvent
			if err := json.Unmarshal([]byte(line), &e); err != nil || e.Hash != events[i].Hash || e.Type != events[i].Type {
				t.Errorf("%s: --ndjson line %d is not --json's event %d: %v", mode, i, i, err)
			}
		}
		return table, events, raw
	}

	table, events, viaServer := replayed("through the server")
	if len(events) != 2 || events[0].Type != "SurvivorReferred" || events[1].Type != "CaseNoteAdded" {
		t.Fatalf("timeline: %+v", events)
	}
	for i, e := range events {
		if e.Version != uint64(i+1) || e.SchemaVersion != 1 || e.Role != "caseworker" || e.Organisation != "mx-refugio-esperanza" ||
			e.Personal != admin.PersonalSealed || e.RecordedAt.IsZero() || len(e.Hash) != 64 {
			t.Errorf("event %d: %+v", i, e)
		}
		if i == 0 && e.PrevHash != "" || i > 0 && e.PrevHash != events[i-1].Hash {
			t.Errorf("event %d does not link to the one before: %s", i, e.PrevHash)
		}
		if !strings.Contains(table, e.Hash[:12]) {
			t.Errorf("the table does not show event %d's hash prefix %s:\n%s", i, e.Hash[:12], table)
		}
	}
	for _, want := range []string{"VERSION", "SurvivorReferred v1", "CaseNoteAdded v1", "caseworker@mx-refugio-esperanza",
		"jurisdiction=MX", "personal=sealed", "not decrypted", "caseHistory"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	erasedTable := mustRun(t, "replay", "--case", erased, "--data-dir", dir)
	noSecrets("the erased case's table", erasedTable)
	if !strings.Contains(erasedTable, "personal=erased") || !strings.Contains(erasedTable, "SurvivorDataErased v1") || strings.Contains(erasedTable, "personal=sealed") {
		t.Errorf("the erased case:\n%s", erasedTable)
	}
	unknown := func(mode string) {
		t.Helper()
		_, stderr, code := runWaymark(t, childEnv(), "replay", "--case", "no-such-case", "--data-dir", dir)
		if code != 1 || !strings.Contains(stderr, `no case "no-such-case"`) {
			t.Errorf("%s, an unknown case: exit %d, %q", mode, code, stderr)
		}
	}
	unknown("through the server")

	srv.stop()
	_, _, offline := replayed("offline")
	if offline != viaServer {
		t.Errorf("offline and through the server differ:\n%s\n%s", offline, viaServer)
	}
	unknown("offline")
	if _, stderr, code := runWaymark(t, childEnv(), "replay", "--data-dir", dir); code != 2 || !strings.Contains(stderr, "--case") {
		t.Errorf("replay without --case: exit %d, %q", code, stderr)
	}
	if stdout, _, code := runWaymark(t, childEnv(), "replay", "-h"); code != 0 || !strings.Contains(stdout, "NOT decrypted") {
		t.Errorf("replay -h: exit %d, %q", code, stdout)
	}
}
