package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/waymark-org/waymark/eventstore/kurrentdb/kurrenttest"
)

// The NATS server the KurrentDB replicas share: the bus, the access log, and the case
// keys in an account of their own, as on a NATS cluster (README, "Scaling out").
const (
	kurrentAppUser      = "waymark"
	kurrentAppPassword  = "kurrent-app-password-0123456789"
	kurrentKeysUser     = "waymark-keys"
	kurrentKeysPassword = "kurrent-keys-password-0123456789"
)

const kurrentNATSConf = `
listen: 127.0.0.1:-1
jetstream { store_dir: %q, max_memory_store: 64MB, max_file_store: 1GB }
accounts {
  WAYMARK: { jetstream: enabled, users: [{user: %s, password: %q}] }
  KEYS: { jetstream: enabled, users: [{user: %s, password: %q}] }
}
`

// startSharedNATS runs one NATS server in the test's process for the replicas.
func startSharedNATS(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nats.conf")
	text := fmt.Sprintf(kurrentNATSConf, filepath.Join(dir, "js"), kurrentAppUser, kurrentAppPassword, kurrentKeysUser, kurrentKeysPassword)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := natsserver.ProcessConfigFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	opts.NoLog, opts.NoSigs = true, true
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("the shared NATS server did not start")
	}
	return ns.ClientURL()
}

// TestKurrentDBReplicas: two 'waymark serve --store kurrentdb' replicas with their
// events in KurrentDB (the in-repo double, over gRPC) and NATS for the rest (one
// server: the bus, the access log, the case keys in their own account), sharing the
// secrets. An organisation and a case are made through the first; commands race on
// the case through both: one winner per expected version, CONFLICT for the other; a
// retry through the other replica appends nothing; both read models converge
// (testTwoReplicas, replicas_test.go); every write is in KurrentDB.
func TestKurrentDBReplicas(t *testing.T) {
	kdb, err := kurrenttest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer kdb.Close()
	natsURL := startSharedNATS(t)
	base := t.TempDir()
	secretsDir := filepath.Join(base, "secrets")
	env := childEnv("WAYMARK_KURRENTDB_URL="+kdb.URL(), "WAYMARK_NATS_PASSWORD="+kurrentAppPassword, "WAYMARK_KEYS_NATS_PASSWORD="+kurrentKeysPassword)
	shared := []string{"--secrets-dir", secretsDir, "--nats-url", natsURL, "--nats-user", kurrentAppUser, "--keys-nats-user", kurrentKeysUser}
	mustRun(t, "keys", "generate", "--data-dir", filepath.Join(base, "keygen"), "--secrets-dir", secretsDir)
	start := func(dir string, extra ...string) *server {
		s := &server{http: freeAddr(t)}
		args := append(append([]string{"serve", "--http-addr", s.http, "--rate-limit", "default=100000",
			"--store", "kurrentdb", "--data-dir", dir}, shared...), extra...)
		s.child = startWaymark(t, env, args...)
		s.waitReady()
		return s
	}
	a := start(filepath.Join(base, "replica1"))
	b := start(filepath.Join(base, "replica2"), "--analytics-feed=false") // one feed publisher per store

	admin := mintTokenWith(t, secretsDir, "admin", "")
	registerShelter(t, admin, a, b)
	token := mintTokenWith(t, secretsDir, "caseworker", "mx-refugio-esperanza")
	caseID, position := a.refer(token, "kurrent-referral", "Adela Ejemplo")
	readCase(t, b, token, caseID, position) // the second replica has it too
	testTwoReplicas(t, a, b, token, caseID)
	if n := kdb.StreamLen("case-" + caseID); n != 1+replicaRaces+1 {
		t.Errorf("KurrentDB holds %d events of the case, want %d: its referral, the %d races' winners and one retried command", n, 2+replicaRaces, replicaRaces)
	}
	b.stop()
	a.stop()
}
