package sealing

import (
	"fmt"
	"testing"
)

// openStore is an in-memory key store: these tests are about the vault, which the key
// store's contract (keystoretest, which MemKeyStore and the JetStream store both
// pass) is all they rely on. What only a store on disk can show (erasure from its
// files, restarts) is tested in sealing/jskeys.
func openStore(t *testing.T) KeyStore {
	t.Helper()
	ks := NewMemKeyStore()
	t.Cleanup(func() { _ = ks.Close() })
	return ks
}

func newRing(t testing.TB, id string) Keyring {
	t.Helper()
	r, err := GenerateKeyring(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newVault(t testing.TB, ks KeyStore, ring Keyring) *Vault {
	t.Helper()
	v, err := NewVault(ks, ring)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func caseIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("case-%02d", i)
	}
	return ids
}
