package kurrentdb_test

import (
	"crypto/rand"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/kurrentdb"
	"github.com/waymark-org/waymark/eventstore/storetest"
)

// server returns the KurrentDB the tests run against: the one WAYMARK_KURRENTDB_URL
// names (a real server: README, "Scaling out", says how to start one), else the
// in-repo double, started for the test as a production server runs: over TLS, with a
// CA of the test's own, requiring a user's credentials (the other tests of the
// package, and cmd/waymark's, use the insecure double).
func server(t *testing.T) string {
	t.Helper()
	if url := os.Getenv("WAYMARK_KURRENTDB_URL"); url != "" {
		t.Logf("running against the KurrentDB at WAYMARK_KURRENTDB_URL")
		return url
	}
	srv, caFile := secureServer(t)
	return srv.URL() + "&tlsCAFile=" + caFile
}

// namespace is a fresh namespace: an empty store on a shared server.
func namespace() string { return "wm" + strings.ToLower(rand.Text()[:10]) + "_" }

func open(t *testing.T, url, ns string) *kurrentdb.Store {
	t.Helper()
	s, err := kurrentdb.Open(t.Context(), kurrentdb.Config{URL: url, Namespace: ns, Logger: quiet()})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestConformance runs the suite every backend passes. All subtests share one server
// (the double, or the real one), each in a namespace of its own, as deployments
// sharing a server would; Restart opens a new store (a new client and connection) on
// the same namespace.
func TestConformance(t *testing.T) {
	url := server(t)
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		ns := namespace()
		cur := open(t, url, ns)
		t.Cleanup(func() { cur.Close() })
		return storetest.Harness{
			Store: cur,
			Restart: func(t *testing.T) eventstore.Store {
				if err := cur.Close(); err != nil {
					t.Fatalf("close before restart: %v", err)
				}
				cur = open(t, url, ns)
				return cur
			},
		}
	})
}
