package node_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/paging"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/projections"
	"github.com/waymark-org/waymark/sealing"
)

// gatedStore is the real JetStream store, except that the subscription a rebuild
// makes (every one after the first) delivers its first `before` events at once and
// the rest only once gate is closed: the test reads while the new read models are
// half built, at a point it chooses rather than one a clock picks.
type gatedStore struct {
	eventstore.Store
	before int
	gate   chan struct{}

	mu   sync.Mutex
	subs int
}

func (s *gatedStore) Subscribe(ctx context.Context, from eventstore.Position) (eventstore.Subscription, error) {
	sub, err := s.Store.Subscribe(ctx, from)
	s.mu.Lock()
	s.subs++
	first := s.subs == 1
	s.mu.Unlock()
	if err != nil || first {
		return sub, err
	}
	g := &gatedSub{Subscription: sub, out: make(chan eventstore.RecordedEvent)}
	go func() {
		defer close(g.out)
		i := 0
		for rec := range sub.Events() {
			if i == s.before {
				select {
				case <-s.gate:
				case <-ctx.Done():
					return
				}
			}
			select {
			case g.out <- rec:
			case <-ctx.Done():
				return
			}
			i++
		}
	}()
	return g, nil
}

type gatedSub struct {
	eventstore.Subscription
	out chan eventstore.RecordedEvent
}

func (g *gatedSub) Events() <-chan eventstore.RecordedEvent { return g.out }

// caseList is what a caseworker's GraphQL cases query answers.
type caseList struct {
	Total int
	IDs   []string
}

// A rebuild while serving: the new read models are built beside the live ones and
// swapped in at once. Readers in goroutines query GraphQL over HTTP all through it and
// every answer is complete; with the new read models held half built, the answers
// still come whole from the old ones; a second rebuild meanwhile is refused; after the
// swap the read models equal the old ones, the new ones are fed by new commands, and
// they wrote the snapshot.
func TestRebuildWhileServing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	backends, err := node.OpenJetStream(ctx, node.JetStreamConfig{
		Store: jetstream.Config{DataDir: dir, Sync: jetstream.SyncInterval}, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := sealing.GenerateKeyring("kek-rebuild")
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.GenerateSigningKey("rebuild-test")
	if err != nil {
		t.Fatal(err)
	}
	clock := app.NewFixedClock(fixtureStart)
	issuer := auth.Issuer{Key: key, Issuer: "waymark-test", Audience: "waymark-api"}
	verifier := auth.Verifier{Keys: []auth.VerifyingKey{key.Public()}, Issuer: issuer.Issuer, Audience: issuer.Audience, Now: clock.Now}
	store := &gatedStore{Store: backends.Store, gate: make(chan struct{})}
	b := backends.Backends()
	b.Events = store
	n, err := node.Start(ctx, node.Config{
		Backends: b, Keyring: ring, HashKey: fixtureHashKey, Clock: clock, IDs: app.NewSequentialIDs(0xb1),
		Logger: logger, SnapshotDir: t.TempDir(),
		API: api.Config{Verifier: verifier, RateLimits: api.RateLimits{Default: 1e6}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	waitReady(t, n)
	runFixtureJourney(t, n)
	for i := range 12 {
		if _, err := n.Service.ReferSurvivor(ctx, fixtureWorker, fmt.Sprintf("rebuild-refer-%d", i), domain.ReferSurvivor{
			ReferringOrganisation: domain.OrgRef{ID: "fx-shelter"}, Jurisdiction: "MX",
			Survivor: domain.SurvivorDetails{FullName: fmt.Sprintf("Rebuild Survivor %d", i)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	waitReady(t, n)
	head, err := n.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := eventsUpTo(t, backends.Store, head) // the real store: not a gated subscription
	store.before = total / 2

	srv := httptest.NewServer(n.Handler)
	defer srv.Close()
	token, _, err := issuer.Issue(fixtureWorker.ID, fixtureWorker.Organisation, string(fixtureWorker.Role), time.Hour, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := listCases(t, srv.URL, token)
	if want.Total < 13 {
		t.Fatalf("the caseworker sees %d cases before the rebuild", want.Total)
	}
	check := func(who string) {
		got := listCases(t, srv.URL, token)
		if got.Total != want.Total || !slices.Equal(got.IDs, want.IDs) {
			t.Errorf("%s: %d cases %v, want %d %v", who, got.Total, got.IDs, want.Total, want.IDs)
		}
		for _, id := range want.IDs {
			if !caseFound(t, srv.URL, token, id) {
				t.Errorf("%s: case %s is missing", who, id)
			}
		}
	}

	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := range 3 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				check(fmt.Sprintf("reader %d", r))
			}
		})
	}

	// A websocket open on the old read models (a work queue's screen left open) must
	// not hold the swap: it is closed when they retire, and its client reconnects.
	socket := openSocket(t, srv.URL, token)

	oldCases := n.Current().Cases
	done, err := n.StartRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Half built: the new read models hold half the log, the old ones answer.
	waitFor(t, "the rebuild to reach its gate", func() bool { return n.RebuildStatus().Progress.Events == int64(store.before) })
	if st := n.RebuildStatus(); st.State != node.RebuildRunning || st.Progress.Ready {
		t.Errorf("half way: %+v", st)
	}
	if n.Current().Cases != oldCases {
		t.Error("the half-built read models were swapped in")
	}
	check("half way")
	if _, err := n.StartRebuild(ctx); !errors.Is(err, node.ErrRebuilding) {
		t.Errorf("a second rebuild while one runs: %v", err)
	}
	close(store.gate)
	if err := <-done; err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	close(stop)
	readers.Wait()
	check("after the swap")
	if _, _, err := socket.Read(ctx); websocket.CloseStatus(err) == -1 {
		t.Errorf("the socket open on the retired read models was not closed by the server: %v", err)
	}

	cur := n.Current()
	st := n.RebuildStatus()
	if cur.Cases == oldCases || st.State != node.RebuildSwapped || st.Progress.Events != int64(total) || st.Cases != oldCases.Len() {
		t.Fatalf("after the rebuild: %+v (%d events in the log, %d cases before)", st, total, oldCases.Len())
	}
	all := projections.CaseFilter{}
	before, after := n.Cases.List(all, paging.Window{Size: 1000}, eventstore.Start).Cases, cur.Cases.List(all, paging.Window{Size: 1000}, eventstore.Start).Cases
	if len(after) != len(before) || !reflect.DeepEqual(before, after) {
		t.Errorf("the rebuilt case views differ from the incrementally built ones (%d vs %d)", len(after), len(before))
	}
	if !reflect.DeepEqual(n.Orgs.List("", ""), cur.Orgs.List("", "")) || n.Commands.Len() != cur.Commands.Len() {
		t.Error("the rebuilt directory or command ids differ")
	}

	// The new read models are the live ones: a new case shows, read over GraphQL.
	res, err := cur.Service.ReferSurvivor(ctx, fixtureWorker, "rebuild-after", domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "fx-shelter"}, Jurisdiction: "MX",
		Survivor: domain.SurvivorDetails{FullName: "Rebuild Survivor After"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.Runner.WaitFor(ctx, res.Position); err != nil {
		t.Fatal(err)
	}
	if !caseFound(t, srv.URL, token, res.ID) {
		t.Error("a case referred after the rebuild is not found")
	}
	// The snapshot is the new read models': written once they caught up.
	cur.Snapshots.Wait()
	if written, _ := cur.Snapshots.Written(); written == 0 {
		t.Error("the rebuilt read models wrote no snapshot")
	}
}

// eventsUpTo counts the events of the global log up to head.
func eventsUpTo(t *testing.T, store eventstore.Store, head eventstore.Position) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := store.Subscribe(ctx, eventstore.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	n := 0
	for rec := range sub.Events() {
		n++
		if !rec.Position.Before(head) {
			break
		}
	}
	return n
}

// waitFor polls cond until it holds (a guard, not a timed assertion: generous).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
	}
}

func graphql(t *testing.T, url, token, query string, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: HTTP %d %s", query, resp.StatusCode, raw)
		return
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Errorf("%s: %v", raw, err)
	}
}

func listCases(t *testing.T, url, token string) caseList {
	t.Helper()
	var reply struct {
		Data struct {
			Cases struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
		Errors []any
	}
	graphql(t, url, token, `{ cases(first: 100) { totalCount edges { node { id } } } }`, &reply)
	if len(reply.Errors) > 0 {
		t.Errorf("cases: %v", reply.Errors)
	}
	out := caseList{Total: reply.Data.Cases.TotalCount}
	for _, e := range reply.Data.Cases.Edges {
		out.IDs = append(out.IDs, e.Node.ID)
	}
	return out
}

func caseFound(t *testing.T, url, token, id string) bool {
	t.Helper()
	var reply struct {
		Data   struct{ Case *struct{ ID string } }
		Errors []any
	}
	graphql(t, url, token, fmt.Sprintf(`{ case(id: %q) { id } }`, id), &reply)
	return reply.Data.Case != nil && reply.Data.Case.ID == id && len(reply.Errors) == 0
}

// openSocket opens a graphql-transport-ws socket to the API with token and waits for
// the server's acknowledgement.
func openSocket(t *testing.T, base, token string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	init := map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + token}}
	if err := wsjson.Write(ctx, conn, init); err != nil {
		t.Fatal(err)
	}
	var ack struct{ Type string }
	if err := wsjson.Read(ctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v %v", ack, err)
	}
	return conn
}
