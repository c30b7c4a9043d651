// Package testkit builds the real parts tests run against: an embedded JetStream event
// store, a key store and vault on disk. Only tests import it.
package testkit

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// Quiet is a logger that drops everything.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Store opens an embedded JetStream store in a temporary directory, closed at cleanup.
func Store(t testing.TB) *jetstream.Store {
	t.Helper()
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Sync: jetstream.SyncInterval, Logger: Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Keyring is a fresh keyring of key-encryption keys.
func Keyring(t testing.TB) sealing.Keyring {
	t.Helper()
	ring, err := sealing.GenerateKeyring("kek-test")
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

// Vault opens a key store in a temporary directory and a vault on it.
func Vault(t testing.TB) *sealing.Vault {
	t.Helper()
	ks, err := jskeys.Open(context.Background(), t.TempDir(), Quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	v, err := sealing.NewVault(ks, Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
