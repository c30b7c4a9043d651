package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/internal/testkit"
)

// Command ids are one namespace per organisation: another organisation can neither
// take an id first nor learn whether one is in use.
func TestCommandIDsArePerOrganisation(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	svc := newService(t, store, 1)
	setup(t, svc) // shelter's worker referred with command id "refer"
	admin := app.Actor{ID: "a", Role: app.RoleAdmin}
	if _, err := svc.RegisterOrganisation(ctx, admin, "org-2", "other-shelter", domain.RegisterOrganisation{
		Name: "Other", Kind: domain.OrgShelter, Jurisdiction: "MX"}); err != nil {
		t.Fatal(err)
	}
	other := app.Actor{ID: "o", Role: app.RoleCaseworker, Organisation: "other-shelter"}
	res, err := svc.ReferSurvivor(ctx, other, "refer", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "other-shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Someone Else"},
	})
	if err != nil {
		t.Fatalf("another organisation's command id %q: %v", "refer", err)
	}
	again, err := svc.ReferSurvivor(ctx, worker, "refer", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Test Person"},
	})
	if err != nil || again.ID == res.ID {
		t.Fatalf("the first organisation's retry: %+v %v; the other's case %s", again, err, res.ID)
	}
	if svc.CommandStream("shelter", "refer") == svc.CommandStream("other-shelter", "refer") {
		t.Error("two organisations share a command record")
	}
}

// The fingerprint that recognises a retried referral covers the survivor's name and
// date of birth. It is keyed with the case's own key: nobody holding the store (and
// even the service's command key) can test a guessed name against it, and after the
// erasure nobody at all can.
func TestCommandFingerprintGoesWithTheCaseKey(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	vault := testkit.Vault(t)
	svc := newServiceWithVault(t, store, vault, 1)
	caseID := setup(t, svc)

	recs, err := store.ReadStream(ctx, svc.CommandStream(worker.Organisation, "refer"), 0)
	if err != nil {
		t.Fatal(err)
	}
	var claim struct{ InputHash string }
	if err := json.Unmarshal(recs[0].Data, &claim); err != nil || len(claim.InputHash) != 64 {
		t.Fatalf("claim %s: %v", recs[0].Data, err)
	}
	guess, _ := json.Marshal(map[string]any{"type": "ReferSurvivor", "target": "", "expected": nil, "actor": worker,
		"command": domain.ReferSurvivor{ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
			Survivor: domain.SurvivorDetails{FullName: "Test Person"}}})
	mac := hmac.New(sha256.New, key)
	mac.Write(guess)
	if hex.EncodeToString(mac.Sum(nil)) == claim.InputHash {
		t.Fatal("the fingerprint is keyed with the service's command key alone: a guess can be tested offline")
	}

	erase := app.CaseCommand{CommandID: "erase", CaseID: caseID, Command: domain.EraseSurvivorData{ReasonCode: domain.ErasureSurvivorRequest}}
	if _, err := svc.ChangeCase(ctx, worker, erase); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.CaseMAC(ctx, caseID, "command-input", guess); err == nil {
		t.Fatal("the key the fingerprint was made with survives the erasure")
	}
	// A retry can no longer be checked: it gets the recorded result, never a new case.
	retry := domain.ReferSurvivor{ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Test Person"}}
	res, err := svc.ReferSurvivor(ctx, worker, "refer", retry)
	if err != nil || res.ID != caseID {
		t.Fatalf("a retry after erasure: %+v %v, want the recorded case %s", res, err, caseID)
	}
	// Another caller of the organisation reusing the id learns nothing new either.
	colleague := app.Actor{ID: "w2", Role: app.RoleCaseworker, Organisation: "shelter"}
	if _, err := svc.ChangeCase(ctx, colleague, app.CaseCommand{CommandID: "erase", CaseID: "another", Command: domain.AddCaseNote{Text: "x"}}); !errors.Is(err, app.ErrCommandReused) {
		t.Errorf("an erased case's command id reused by another command: %v", err)
	}
}
