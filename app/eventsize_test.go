package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore/memstore"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/sealing"
)

// A command whose events the store cannot hold is bad input and writes nothing: a
// referral is refused before its case key is made (it is sized first), a note on an
// existing case by the append itself.
func TestEventsTooLargeToStoreWriteNothing(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(4000)
	t.Cleanup(func() { store.Close() })
	keys := sealing.NewMemKeyStore()
	t.Cleanup(func() { keys.Close() })
	vault, err := sealing.NewVault(keys, testkit.Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	svc := newServiceWithVault(t, store, vault, 1)
	caseID := setup(t, svc)
	head, err := store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}

	var aliases []string
	for i := range domain.MaxAliases {
		aliases = append(aliases, fmt.Sprintf("%d %s", i, strings.Repeat("a", domain.MaxNameLength-2)))
	}
	_, err = svc.ReferSurvivor(ctx, worker, "refer-large", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Test Person", Aliases: aliases},
	})
	if !errors.Is(err, app.ErrBadInput) {
		t.Fatalf("referral too large to store: %v, want ErrBadInput", err)
	}
	_, err = svc.ChangeCase(ctx, worker, note("note-large", caseID, strings.Repeat("a", 3500), nil))
	if !errors.Is(err, app.ErrBadInput) {
		t.Fatalf("note too large to store: %v, want ErrBadInput", err)
	}

	if after, err := store.Head(ctx); err != nil || after != head {
		t.Errorf("store head moved from %v to %v (%v): a refused command wrote", head, after, err)
	}
	if ids, err := keys.CaseIDs(ctx); err != nil || len(ids) != 1 || ids[0] != caseID {
		t.Errorf("case keys = %v, %v; want only the first case's", ids, err)
	}
	// Both command ids are still free: nothing recorded them.
	if _, err := svc.ChangeCase(ctx, worker, note("note-large", caseID, "short", nil)); err != nil {
		t.Errorf("the refused note's command id, reused with a note that fits: %v", err)
	}
}
