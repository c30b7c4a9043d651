package sealing

import (
	"context"
	"errors"
	"testing"
)

func TestCaseMACIsKeyedByTheCaseAndGoesWithIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v, _, _ := vaultWithCase(t)
	if err := v.EnsureCaseKey(ctx, "c2"); err != nil {
		t.Fatal(err)
	}
	input := []byte(`{"fullName":"Ana López","dateOfBirth":"1994-05-17"}`)
	a, err := v.CaseMAC(ctx, "c1", "command-input", input)
	if err != nil || len(a) != 64 {
		t.Fatalf("mac = %q, %v", a, err)
	}
	if again, _ := v.CaseMAC(ctx, "c1", "command-input", input); again != a {
		t.Error("the same input gives another mac")
	}
	if other, _ := v.CaseMAC(ctx, "c2", "command-input", input); other == a {
		t.Error("two cases give the same mac: it is not keyed by the case")
	}
	if other, _ := v.CaseMAC(ctx, "c1", "another-purpose", input); other == a {
		t.Error("two purposes give the same mac")
	}
	if other, _ := v.CaseMAC(ctx, "c1", "command-input", []byte(`{"fullName":"Ana Lopez"}`)); other == a {
		t.Error("two inputs give the same mac")
	}
	if err := v.Destroy(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.CaseMAC(ctx, "c1", "command-input", input); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("mac after erasure: %v, want ErrKeyDestroyed", err)
	}
	if _, err := v.CaseMAC(ctx, "c9", "command-input", input); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("mac of a case without a key: %v", err)
	}
}
