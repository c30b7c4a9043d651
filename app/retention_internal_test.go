package app

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/retention"
)

// A case judged due that changes before its erasure runs is not erased: the erasure
// runs at the version it was judged at, so a change since is a conflict, found before
// the case key is touched; a reopened case is refused as not due whatever version it
// was judged at; and a note sealed with the key afterwards still works.
func TestRetentionErasureOfAReopenedCase(t *testing.T) {
	ctx := context.Background()
	s, err := New(Config{Store: testkit.JetStreamStore(t), HashKey: bytes.Repeat([]byte("k"), 32), Vault: testkit.Vault(t), Logger: testkit.Quiet(),
		Clock: NewFixedClock(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)), IDs: NewSequentialIDs(3)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RegisterOrganisation(ctx, Actor{ID: "a", Role: RoleAdmin}, "org", "shelter", domain.RegisterOrganisation{
		Name: "Shelter", Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
		t.Fatal(err)
	}
	w := Actor{ID: "w", Role: RoleCaseworker, Organisation: "shelter", Kind: domain.OrgShelter}
	res, err := s.ReferSurvivor(ctx, w, "refer", domain.ReferSurvivor{ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Test Person"}})
	if err != nil {
		t.Fatal(err)
	}
	change := func(id string, cmd domain.Command) {
		t.Helper()
		if _, err := s.ChangeCase(ctx, w, CaseCommand{CommandID: id, CaseID: res.ID, Command: cmd}); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	change("close", domain.CloseCase{Outcome: domain.ClosureLostContact})
	judged := RetentionCase{CaseID: res.ID, Jurisdiction: "MX", Policy: retention.Policy{Jurisdiction: "MX", ErasePersonalAfterClosedYears: 6}, Version: 2}
	change("sar", domain.RecordSubjectAccessRequest{RequestID: "r1", IdentityCheckedInPerson: true, FreeWillCheckedInPerson: true})
	_, err = s.eraseForRetention(ctx, judged)
	var conflict *ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("erasing a case changed since it was judged: %v, want a conflict", err)
	}
	change("reopen", domain.ReopenCase{ReasonCode: domain.ReopenSurvivorReturned})
	for _, v := range []uint64{2, 4} {
		judged.Version = v
		if _, err := s.eraseForRetention(ctx, judged); !errors.Is(err, ErrRetentionNotDue) {
			t.Fatalf("erasing a reopened case judged at version %d: %v, want ErrRetentionNotDue", v, err)
		}
	}
	change("note", domain.AddCaseNote{Text: "she came back"}) // sealed with the case key: it is still there
	state, err := s.LoadCase(ctx, w, res.ID)
	if err != nil || state.Erased || state.Version != 5 {
		t.Fatalf("the case after both attempts: erased %v, version %d, %v", state.Erased, state.Version, err)
	}
}
