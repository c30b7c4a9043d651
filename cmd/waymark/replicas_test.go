package main

// What the replica tests share: the NATS cluster's (cluster_test.go) and KurrentDB's
// (kurrentdb_test.go).

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// noteReply is addCaseNote's reply: its result, or its errors.
type noteReply struct {
	Data struct {
		AddCaseNote *struct {
			Version  int
			Position string
		}
	}
	Errors []struct {
		Message    string
		Extensions struct{ Code string }
	}
}

// addNote sends addCaseNote with expectedVersion through srv.
func addNote(t *testing.T, srv *server, token, commandID, caseID string, expected int) noteReply {
	q := fmt.Sprintf(`mutation { addCaseNote(input: {commandId: %q, caseId: %q, expectedVersion: %d, text: %q}) { version position } }`,
		commandID, caseID, expected, commandID)
	var reply noteReply
	if status, body := srv.gql(token, q, &reply); status != 200 {
		t.Errorf("addCaseNote %s: HTTP %d %s", commandID, status, body)
	}
	return reply
}

// readCase reads a case's version and note texts through srv, once its read model
// has reached minPosition.
func readCase(t *testing.T, srv *server, token, caseID, minPosition string) (int, []string) {
	t.Helper()
	var reply struct {
		Data struct {
			Case struct {
				Version int
				Notes   []struct{ Text string }
			}
		}
	}
	q := fmt.Sprintf(`{ case(id: %q, minPosition: %q) { version notes { text } } }`, caseID, minPosition)
	if status, body := srv.gql(token, q, &reply); status != 200 || reply.Data.Case.Version == 0 {
		t.Fatalf("case %s: %d %.500s", caseID, status, body)
	}
	var texts []string
	for _, n := range reply.Data.Case.Notes {
		texts = append(texts, n.Text)
	}
	slices.Sort(texts)
	return reply.Data.Case.Version, texts
}

// replicaRaces is how many versions the two replicas race for.
const replicaRaces = 12

// testTwoReplicas races commands on one case through two replicas: one winner per
// version, CONFLICT for the other; a retry through the other replica appends nothing;
// both replicas' read models converge.
func testTwoReplicas(t *testing.T, a, b *server, token, caseID string) {
	replicas := []*server{a, b}
	version, _ := readCase(t, a, token, caseID, "")
	var last string // the position of the last write
	for r := range replicaRaces {
		replies := make([]noteReply, 2)
		var wg sync.WaitGroup
		for i, srv := range replicas {
			wg.Go(func() {
				replies[i] = addNote(t, srv, token, fmt.Sprintf("race-%d-via-%d", r, i), caseID, version)
			})
		}
		wg.Wait()
		winners := 0
		for i, reply := range replies {
			switch {
			case reply.Data.AddCaseNote != nil:
				winners++
				if reply.Data.AddCaseNote.Version != version+1 {
					t.Errorf("race %d: the winner through replica %d got version %d, want %d", r, i, reply.Data.AddCaseNote.Version, version+1)
				}
				last = reply.Data.AddCaseNote.Position
			case len(reply.Errors) == 0 || reply.Errors[0].Extensions.Code != "CONFLICT":
				t.Errorf("race %d: the loser through replica %d got %+v, want CONFLICT", r, i, reply.Errors)
			}
		}
		if winners != 1 {
			t.Fatalf("race %d at version %d: %d winners, want exactly 1 (%+v)", r, version, winners, replies)
		}
		version++
	}

	// One command id through a, retried through b (and both at once): one append.
	first := addNote(t, a, token, "retried-across-replicas", caseID, version)
	if first.Data.AddCaseNote == nil {
		t.Fatalf("the retried command's first send: %+v", first.Errors)
	}
	var wg sync.WaitGroup
	retries := make([]noteReply, 4)
	for i := range retries {
		wg.Go(func() { retries[i] = addNote(t, replicas[(i+1)%2], token, "retried-across-replicas", caseID, version) })
	}
	wg.Wait()
	for i, r := range retries {
		if r.Data.AddCaseNote == nil || *r.Data.AddCaseNote != *first.Data.AddCaseNote {
			t.Errorf("retry %d through replica %d: %+v %+v, want the first result %+v", i, (i+1)%2, r.Data.AddCaseNote, r.Errors, *first.Data.AddCaseNote)
		}
	}
	last = first.Data.AddCaseNote.Position
	version++

	// Both replicas' read models converge on the log.
	va, notesA := readCase(t, a, token, caseID, last)
	vb, notesB := readCase(t, b, token, caseID, last)
	if va != version || vb != version || !slices.Equal(notesA, notesB) {
		t.Errorf("the replicas differ: version %d and %d (want %d), notes equal %v", va, vb, version, slices.Equal(notesA, notesB))
	}
	if n := countOf(notesA, "retried-across-replicas"); n != 1 {
		t.Errorf("the retried command's note is in the case %d times, want once", n)
	}
	for r := range replicaRaces {
		if n := countOf(notesA, fmt.Sprintf("race-%d-via-0", r)) + countOf(notesA, fmt.Sprintf("race-%d-via-1", r)); n != 1 {
			t.Errorf("race %d left %d notes, want the winner's only", r, n)
		}
	}
	t.Logf("%d races on one case through two replicas: one winner each, the other CONFLICT; a command retried through the other replica appended once; both read models at version %d",
		replicaRaces, version)
}

func countOf(texts []string, s string) int {
	n := 0
	for _, x := range texts {
		if x == s {
			n++
		}
	}
	return n
}

// registerShelter registers the shelter mx-refugio-esperanza through the first server
// and waits until every server's directory has it (so its staff's tokens are
// accepted there).
func registerShelter(t *testing.T, admin string, servers ...*server) {
	t.Helper()
	q := `mutation { registerOrganisation(input: {commandId: "org", id: "mx-refugio-esperanza", name: "Refugio",
		kind: SHELTER, jurisdiction: "MX", services: [SHELTER]}) { position } }`
	var registered struct {
		Data struct{ RegisterOrganisation struct{ Position string } }
	}
	if status, body := servers[0].gql(admin, q, &registered); status != 200 || strings.Contains(body, `"errors"`) {
		t.Fatalf("register the shelter: %d %s", status, body)
	}
	q = fmt.Sprintf(`{ organisation(id: "mx-refugio-esperanza", minPosition: %q) { id } }`, registered.Data.RegisterOrganisation.Position)
	for _, srv := range servers {
		if status, body := srv.gql(admin, q, nil); status != 200 || strings.Contains(body, `"errors"`) {
			t.Fatalf("read the shelter: %d %s", status, body)
		}
	}
}
