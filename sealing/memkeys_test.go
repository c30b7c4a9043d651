package sealing_test

import (
	"testing"

	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/keystoretest"
)

// The in-memory key store keeps the contract the JetStream one keeps.
func TestMemKeyStoreContract(t *testing.T) {
	t.Parallel()
	keystoretest.Run(t, func(t *testing.T) sealing.KeyStore {
		ks := sealing.NewMemKeyStore()
		t.Cleanup(func() { _ = ks.Close() })
		return ks
	})
}
