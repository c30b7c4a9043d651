// Package testkit builds the parts tests run against. Store and Vault are in memory
// (eventstore/memstore, sealing.MemKeyStore: both pass their backends' conformance
// suites), for tests about the application, the read models or the demo rather than
// the engine; JetStreamStore and JetStreamVault are the real embedded JetStream on
// disk, for tests about durability, the engine, what lands on disk, or the whole
// system. Only tests import it.
package testkit

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/eventstore/kurrentdb"
	"github.com/waymark-org/waymark/eventstore/kurrentdb/kurrenttest"
	"github.com/waymark-org/waymark/eventstore/memstore"
	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/jskeys"
)

// Quiet is a logger that drops everything.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Store is an empty in-memory event store, closed at cleanup.
func Store(t testing.TB) *memstore.Store {
	t.Helper()
	s := memstore.New(0)
	t.Cleanup(func() { s.Close() })
	return s
}

// JetStreamStore opens an embedded JetStream store in a temporary directory, closed at
// cleanup.
func JetStreamStore(t testing.TB) *jetstream.Store {
	t.Helper()
	s, err := jetstream.Open(context.Background(), jetstream.Config{DataDir: t.TempDir(), Sync: jetstream.SyncInterval, Logger: Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// KurrentDBStore starts a KurrentDB double (kurrenttest: a real gRPC server for the
// real client) and opens a store on it; both are closed at cleanup.
func KurrentDBStore(t testing.TB) (*kurrenttest.Server, *kurrentdb.Store) {
	t.Helper()
	srv, err := kurrenttest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s, err := kurrentdb.Open(context.Background(), kurrentdb.Config{URL: srv.URL(), Logger: Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return srv, s
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

// Vault is a vault over an in-memory key store.
func Vault(t testing.TB) *sealing.Vault {
	t.Helper()
	ks := sealing.NewMemKeyStore()
	t.Cleanup(func() { ks.Close() })
	return vault(t, ks)
}

// JetStreamVault opens the JetStream key store in a temporary directory and a vault
// on it.
func JetStreamVault(t testing.TB) *sealing.Vault {
	t.Helper()
	ks, err := jskeys.Open(context.Background(), t.TempDir(), Quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	return vault(t, ks)
}

func vault(t testing.TB, ks sealing.KeyStore) *sealing.Vault {
	t.Helper()
	v, err := sealing.NewVault(ks, Keyring(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
