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
	if svc.CommandKey("shelter", "refer") == svc.CommandKey("other-shelter", "refer") {
		t.Error("two organisations share a command key")
	}
	// And a note with the other organisation's id on its own case is no reuse.
	if _, err := svc.ChangeCase(ctx, worker, note("org-2", again.ID, "hello", nil)); err != nil {
		t.Errorf("the id another organisation used: %v", err)
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

	recs, err := store.ReadStream(ctx, "case-"+caseID, 0)
	if err != nil {
		t.Fatal(err)
	}
	md := recs[0].Metadata
	if md.CommandID != "refer" || md.CommandType != "ReferSurvivor" || len(md.Fingerprint) != 64 {
		t.Fatalf("the referral's metadata: %+v", md)
	}
	guess, _ := json.Marshal(struct {
		Type     string               `json:"type"`
		Target   string               `json:"target"`
		Expected *uint64              `json:"expected"`
		Actor    app.Actor            `json:"actor"`
		Command  domain.ReferSurvivor `json:"command"`
	}{"ReferSurvivor", "", nil, worker, domain.ReferSurvivor{ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Test Person"}}})
	mac := hmac.New(sha256.New, key)
	mac.Write(guess)
	if hex.EncodeToString(mac.Sum(nil)) == md.Fingerprint {
		t.Fatal("the fingerprint is keyed with the service's command key alone: a guess can be tested offline")
	}

	if fp, err := vault.CaseMAC(ctx, caseID, "command-input", guess); err != nil || fp != md.Fingerprint {
		t.Fatalf("the fingerprint is not the case key's MAC of the input: %v", err)
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
	// So does the erasure's own retry, to a caller who may act on the case.
	if res, err := svc.ChangeCase(ctx, worker, erase); err != nil || res.ID != caseID {
		t.Fatalf("the erasure's retry: %+v %v", res, err)
	}
	// Another caller of the organisation reusing the id learns nothing new either: on
	// another case, or on the erased case for another command.
	colleague := app.Actor{ID: "w2", Role: app.RoleCaseworker, Organisation: "shelter"}
	if _, err := svc.ChangeCase(ctx, colleague, app.CaseCommand{CommandID: "erase", CaseID: "another", Command: domain.AddCaseNote{Text: "x"}}); !errors.Is(err, app.ErrCommandReused) {
		t.Errorf("an erased case's command id reused by another command: %v", err)
	}
	if _, err := svc.ChangeCase(ctx, colleague, app.CaseCommand{CommandID: "erase", CaseID: caseID, Command: domain.AddCaseNote{Text: "x"}}); !errors.Is(err, app.ErrCommandReused) {
		t.Errorf("the erasure's id reused for a note on the erased case: %v", err)
	}
}
