package sealing

import (
	"context"
	"errors"
	"testing"
)

// A key set read at once opens what the vault opens, refuses what it refuses (another
// case's data, a destroyed case), and leaves a case it lacks to the vault.
func TestKeySetOpensAsTheVault(t *testing.T) {
	ctx := context.Background()
	v := newVault(t, openStore(t), newRing(t, "k1"))
	seal := func(caseID string) []byte {
		t.Helper()
		if err := v.EnsureCaseKey(ctx, caseID); err != nil {
			t.Fatal(err)
		}
		sealed, err := v.Seal(ctx, caseID, "e1", 1, personal)
		if err != nil {
			t.Fatal(err)
		}
		return sealed
	}
	a, gone := seal("case-a"), seal("case-gone")
	if err := v.Destroy(ctx, "case-gone"); err != nil {
		t.Fatal(err)
	}
	set, err := v.Preload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 1 {
		t.Errorf("the set holds %d keys; want case-a's alone", set.Len())
	}
	later := seal("case-later") // not in the set

	for _, tt := range []struct {
		name, caseID, eventID string
		sealed                []byte
		want                  error
	}{
		{"its own data", "case-a", "e1", a, nil},
		{"a case created since", "case-later", "e1", later, nil},
		{"another event's id", "case-a", "e2", a, ErrTampered},
		{"another case's data", "case-later", "e1", a, ErrTampered},
		{"a destroyed case", "case-gone", "e1", gone, ErrKeyDestroyed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := set.Open(ctx, tt.caseID, tt.eventID, 1, tt.sealed)
			want, wantErr := v.Open(ctx, tt.caseID, tt.eventID, 1, tt.sealed)
			if !errors.Is(err, tt.want) || !errors.Is(wantErr, tt.want) {
				t.Fatalf("set: %v, vault: %v; want %v", err, wantErr, tt.want)
			}
			if string(got) != string(want) {
				t.Errorf("set opened %q, vault %q", got, want)
			}
		})
	}
}
