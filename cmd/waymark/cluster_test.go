package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/demo"
)

// clusterServeArgs are the flags of a Waymark on the test cluster: every stream it
// creates R3, the case keys in the cluster's KEYS account, the secrets in one
// directory every replica shares.
func clusterServeArgs(c *natsCluster, dataDir, secretsDir string) []string {
	return []string{"--data-dir", dataDir, "--secrets-dir", secretsDir, "--sync", "interval",
		"--nats-url", c.urls(), "--nats-user", clusterAppUser, "--nats-replicas", "3",
		"--keys-nats-user", clusterKeysUser}
}

// clusterEnv carries the cluster's passwords the way the README advises: in the
// environment, not on the command line.
func clusterEnv() []string {
	return childEnv("WAYMARK_NATS_PASSWORD="+clusterAppPassword, "WAYMARK_KEYS_NATS_PASSWORD="+clusterKeysPassword)
}

// startClusterServer starts 'waymark serve' on the cluster and waits until it is ready.
func startClusterServer(t *testing.T, c *natsCluster, dataDir, secretsDir string, extra ...string) *server {
	t.Helper()
	s := &server{http: freeAddr(t)}
	args := append(append([]string{"serve", "--http-addr", s.http, "--rate-limit", "default=100000"},
		clusterServeArgs(c, dataDir, secretsDir)...), extra...)
	s.child = startWaymark(t, clusterEnv(), args...)
	s.waitReady()
	return s
}

// TestNATSCluster: Waymark on a 3-node NATS cluster with its streams at R3 (the
// events, the access log, the analytics feed and its registry, and the case keys in
// their own account). Node loss: one node stops during writes, first a follower of
// the event stream, then its leader; appends continue after a pause, nothing
// acknowledged is lost, the node restarts and catches up. Two replicas: a second
// 'waymark serve' with its own data directory, the same secrets and the same key
// store; commands racing on one case through both, retries through the other
// replica, and both read models converging.
func TestNATSCluster(t *testing.T) {
	cluster := startNATSCluster(t)
	base := t.TempDir()
	secretsDir := filepath.Join(base, "secrets") // mintToken(base) signs with its key
	dir1 := filepath.Join(base, "replica1")
	if out, stderr, code := runWaymark(t, clusterEnv(), append([]string{"seed", "--demo"}, clusterServeArgs(cluster, dir1, secretsDir)...)...); code != 0 {
		t.Fatalf("seed on the cluster: exit %d\n%s%s", code, out, stderr)
	}
	token := mintToken(t, base, "caseworker", demo.ShelterCDMX)
	srv := startClusterServer(t, cluster, dir1, secretsDir)
	cases := openCases(t, srv, token, demo.ShelterCDMX)

	// Every stream Waymark created is R3: the events, the access log, the analytics
	// feed and its registry (made by serve), the case keys in their own account.
	waitUntil(t, "the analytics feed's stream and registry", func() bool {
		streams := cluster.nodes[0].streams(t, "WAYMARK")
		_, feed := streams["WAYMARK_ANALYTICS"]
		_, registry := streams["KV_WAYMARK_ANALYTICS_CASES"]
		return feed && registry
	})
	for _, account := range []string{"WAYMARK", "KEYS"} {
		streams := cluster.nodes[0].streams(t, account)
		for name, s := range streams {
			if s.replicas != 3 {
				t.Errorf("stream %s in %s has %d replicas, want 3", name, account, s.replicas)
			}
		}
		t.Logf("account %s: streams %v, each R3", account, slices.Sorted(maps.Keys(streams)))
	}

	t.Run("node loss", func(t *testing.T) { testNodeLoss(t, cluster, srv, token, cases) })
	t.Run("two replicas", func(t *testing.T) {
		// The second replica does not publish the analytics feed: one publisher per store.
		srv2 := startClusterServer(t, cluster, filepath.Join(base, "replica2"), secretsDir, "--analytics-feed=false")
		testTwoReplicas(t, srv, srv2, token, cases[0])
		srv2.stop()
	})
	srv.stop()
}

// openCases are the open cases the demo caseworker's organisation owns (a case
// shared with it by consent is read-only there).
func openCases(t *testing.T, srv *server, token, org string) []string {
	t.Helper()
	var reply struct {
		Data struct {
			Cases struct {
				Edges []struct {
					Node struct {
						ID                 string
						Status             string
						OwningOrganisation struct{ ID string }
					}
				}
			}
		}
	}
	q := `{ cases(first: 100) { edges { node { id status owningOrganisation { id } } } } }`
	if status, body := srv.gql(token, q, &reply); status != 200 {
		t.Fatalf("cases: %d %.2000s", status, body)
	}
	var open []string
	for _, e := range reply.Data.Cases.Edges {
		if e.Node.Status == "OPEN" && e.Node.OwningOrganisation.ID == org {
			open = append(open, e.Node.ID)
		}
	}
	if len(open) == 0 {
		t.Fatal("no open demo case of the caseworker's organisation")
	}
	return open
}

// clusterClients is how many clients write at once during a node loss.
const clusterClients = 4

// writers are clients writing notes until stopped, recording what was acknowledged
// and when.
type writers struct {
	mu      sync.Mutex
	acked   []crashNote
	ackedAt []time.Time
	unacked []crashNote
	stop    chan struct{}
	done    sync.WaitGroup
	once    sync.Once
}

// startWriters starts the clients of one round on srv.
func startWriters(t *testing.T, srv *server, token, round string, cases []string) *writers {
	w := &writers{stop: make(chan struct{})}
	t.Cleanup(w.finish) // a failed round stops its clients too
	for c := range clusterClients {
		w.done.Add(1)
		go func() {
			defer w.done.Done()
			for i := 0; ; i++ {
				select {
				case <-w.stop:
					return
				default:
				}
				n := crashNote{commandID: fmt.Sprintf("cluster-%s-c%d-%d", round, c, i), caseID: cases[(c+i)%len(cases)]}
				err := n.send(srv.http, token)
				w.mu.Lock()
				if err != nil {
					// A command may fail while the cluster elects a leader: it was not
					// acknowledged, and is sent again at the end.
					w.unacked = append(w.unacked, n)
				} else {
					w.acked, w.ackedAt = append(w.acked, n), append(w.ackedAt, time.Now())
				}
				w.mu.Unlock()
				if err != nil {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	return w
}

// ackedSince is how many commands were acknowledged after at.
func (w *writers) ackedSince(at time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, a := range w.ackedAt {
		if a.After(at) {
			n++
		}
	}
	return n
}

// longestPause is the longest time between two acknowledgements (of any client)
// from..to, the edges included.
func (w *writers) longestPause(from, to time.Time) time.Duration {
	w.mu.Lock()
	times := []time.Time{from}
	for _, a := range w.ackedAt {
		if a.After(from) && a.Before(to) {
			times = append(times, a)
		}
	}
	w.mu.Unlock()
	slices.SortFunc(times, time.Time.Compare)
	times = append(times, to)
	var longest time.Duration
	for i := 1; i < len(times); i++ {
		longest = max(longest, times[i].Sub(times[i-1]))
	}
	return longest
}

// finish stops the clients and waits until they have stopped.
func (w *writers) finish() {
	w.once.Do(func() { close(w.stop) })
	w.done.Wait()
}

// testNodeLoss stops a follower of the event stream, then its leader, each while
// clients write; each node restarts and catches up.
func testNodeLoss(t *testing.T, cluster *natsCluster, srv *server, token string, cases []string) {
	const enough = 20 // acknowledgements that show appends go on
	var acked, unacked []crashNote
	for _, which := range []string{"follower", "leader"} {
		leader := cluster.nodes[0].streams(t, "WAYMARK")["WAYMARK"].leader
		victim := cluster.node(leader)
		if which == "follower" {
			victim = cluster.nodes[slices.IndexFunc(cluster.nodes, func(n *natsNode) bool { return n.name != leader })]
		}
		w := startWriters(t, srv, token, which, cases)
		began := time.Now()
		waitUntil(t, "acknowledged writes before the loss", func() bool { return w.ackedSince(began) >= enough })

		stopped := time.Now()
		cluster.stop(victim)
		waitUntil(t, "appends after the loss of the "+which+" "+victim.name, func() bool { return w.ackedSince(stopped) >= enough })
		resumed := time.Now()
		pause := w.longestPause(stopped, resumed)

		cluster.start(victim)
		restarted := time.Now()
		waitUntil(t, "appends after the restart", func() bool { return w.ackedSince(restarted) >= enough })
		w.finish()
		catchUp := cluster.waitCaughtUp("WAYMARK", "KEYS")
		now := cluster.nodes[0].streams(t, "WAYMARK")["WAYMARK"].leader
		t.Logf("%s %s stopped: longest pause between acknowledgements %s, %d acknowledged until %d more were; "+
			"restarted, caught up %s after the writes stopped; stream leader now %s",
			which, victim.name, pause.Round(time.Millisecond), w.ackedSince(stopped)-w.ackedSince(resumed), enough,
			catchUp.Round(time.Millisecond), now)
		acked, unacked = append(acked, w.acked...), append(unacked, w.unacked...)
	}

	checkAcknowledged(t, srv, token, cases, acked, unacked) // crash_test.go
	cluster.waitCaughtUp("WAYMARK", "KEYS")
}
