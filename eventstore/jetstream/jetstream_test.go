package jetstream

import (
	"log/slog"
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/storetest"
)

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func mustOpen(t testing.TB, cfg Config) *Store {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	s, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

// replicaConfig configures a store that joins s's embedded server over TCP as a
// replica does: as the waymark user.
func replicaConfig(s *Store) Config {
	user, password := s.ReplicaCredentials()
	return Config{NATSURL: s.Server().ClientURL(), NATSUser: user, NATSPassword: password}
}

// TestConformance runs the suite on the default setup: embedded server, in-process
// connection, SyncAlways.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		cfg := Config{DataDir: t.TempDir()}
		cur := mustOpen(t, cfg)
		t.Cleanup(func() { cur.Close() })
		return storetest.Harness{
			Store: cur,
			Restart: func(t *testing.T) eventstore.Store {
				if err := cur.Close(); err != nil {
					t.Fatalf("close before restart: %v", err)
				}
				cur = mustOpen(t, cfg)
				return cur
			},
		}
	})
}

// TestConformanceReplica runs the suite on a replica: a store on another store's
// embedded server over TCP, whose writes the owner makes durable (durability.go).
func TestConformanceReplica(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		owner := mustOpen(t, Config{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0"})
		cur := mustOpen(t, replicaConfig(owner))
		t.Cleanup(func() {
			cur.Close()
			owner.Close()
		})
		return storetest.Harness{
			Store: cur,
			Restart: func(t *testing.T) eventstore.Store {
				if err := cur.Close(); err != nil {
					t.Fatalf("close before restart: %v", err)
				}
				cur = mustOpen(t, replicaConfig(owner))
				return cur
			},
		}
	})
}

// TestConformanceRemote runs the suite against a separate server over TCP
// (Config.NATSURL); Restart restarts that server too.
func TestConformanceRemote(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		dir := t.TempDir()
		srv := startTestServer(t, dir)
		cur := mustOpen(t, Config{NATSURL: srv.ClientURL()})
		t.Cleanup(func() {
			cur.Close()
			srv.Shutdown()
			srv.WaitForShutdown()
		})
		return storetest.Harness{
			Store: cur,
			Restart: func(t *testing.T) eventstore.Store {
				if err := cur.Close(); err != nil {
					t.Fatalf("close before restart: %v", err)
				}
				srv.Shutdown()
				srv.WaitForShutdown()
				srv = startTestServer(t, dir)
				cur = mustOpen(t, Config{NATSURL: srv.ClientURL()})
				return cur
			},
		}
	})
}

// startTestServer runs a plain NATS server with JetStream on a free loopback port:
// no accounts and no authentication, an external server as the store finds it.
func startTestServer(t testing.TB, dir string) *server.Server {
	t.Helper()
	opts, err := serverOptions(Config{DataDir: dir, ListenAddr: "127.0.0.1:0", Sync: SyncInterval})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := runServer(opts, quietLogger())
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	return srv
}

// testAppPassword is the waymark user's password on the servers of
// startAuthTestServer, fixed so that a restarted server takes the same.
const testAppPassword = "test-app-password"

// startAuthTestServer runs the embedded server's setup (accounts, users, JetStream for
// AppAccount) on its own, on a free loopback port, for a store to reach over TCP.
func startAuthTestServer(t testing.TB, dir string) *server.Server {
	t.Helper()
	srv, err := startServer(Config{DataDir: dir, ListenAddr: "127.0.0.1:0", Sync: SyncInterval,
		AppPassword: testAppPassword, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	return srv
}

// TestConformanceRemoteAuthenticated runs the suite over TCP against a server set up
// like the embedded one, as its waymark user: how a replica joins.
func TestConformanceRemoteAuthenticated(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		dir := t.TempDir()
		srv := startAuthTestServer(t, dir)
		open := func() *Store {
			return mustOpen(t, Config{NATSURL: srv.ClientURL(), NATSUser: AppUser, NATSPassword: testAppPassword})
		}
		cur := open()
		t.Cleanup(func() {
			cur.Close()
			srv.Shutdown()
			srv.WaitForShutdown()
		})
		return storetest.Harness{
			Store: cur,
			Restart: func(t *testing.T) eventstore.Store {
				if err := cur.Close(); err != nil {
					t.Fatalf("close before restart: %v", err)
				}
				srv.Shutdown()
				srv.WaitForShutdown()
				srv = startAuthTestServer(t, dir)
				cur = open()
				return cur
			},
		}
	})
}
