package analyticsfeed

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	wjs "github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/sealing"
)

// The tests run the real system: a node on the embedded JetStream in a temporary
// directory, commands through app.Service, the publisher on the node's NATS
// connection, and consumers with nats.go: a live subscriber over TCP with the
// analytics account's credentials (it sees every publication, duplicates included:
// the strictest check of exactly once) and an ordered consumer reading the stream.

var (
	t0         = time.Date(2026, 3, 4, 9, 15, 27, 0, time.UTC) // a time of day the scan looks for
	testKey    = []byte("analytics-key-for-the-feed-tests-0123456789")
	otherKey   = []byte("another-analytics-key-for-the-feed-tests-99")
	admin      = app.Actor{ID: "t-admin", Role: app.RoleAdmin}
	worker     = app.Actor{ID: "t-worker", Role: app.RoleCaseworker, Organisation: "shelter", Kind: domain.OrgShelter}
	usWorker   = app.Actor{ID: "t-us-worker", Role: app.RoleCaseworker, Organisation: "ngo-us", Kind: domain.OrgNGO}
	analystPwd = "analyst-password-for-tests"
)

const coalition = "coalition"

type env struct {
	t        testing.TB
	n        *node.Node
	js       jetstream.JetStream
	url      string
	clock    *fakeClock
	appClock *app.FixedClock
	step     int
	cases    []string // every case referred: their ids must never be published
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	backends, err := node.OpenJetStream(ctx, node.JetStreamConfig{
		Store: wjs.Config{DataDir: t.TempDir(), Sync: wjs.SyncInterval, ListenAddr: "127.0.0.1:0",
			AnalyticsUser: "analyst", AnalyticsPassword: analystPwd},
		Logger: quiet(),
	})
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(backends.Store.Conn())
	if err != nil {
		t.Fatal(err)
	}
	url := backends.Store.Server().ClientURL()
	ring, err := sealing.GenerateKeyring("kek-test")
	if err != nil {
		t.Fatal(err)
	}
	appClock := app.NewFixedClock(t0)
	n, err := node.Start(ctx, node.Config{
		Backends: backends.Backends(), Keyring: ring, HashKey: []byte("hash-key-for-the-feed-tests-0123456789"),
		Clock: appClock, IDs: app.NewSequentialIDs(0xfe), Logger: quiet(), API: api.Config{},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	e := &env{t: t, n: n, js: js, url: url, clock: newFakeClock(t0), appClock: appClock}
	for _, o := range []struct {
		id, jur string
		kind    domain.OrganisationKind
	}{{"shelter", "MX", domain.OrgShelter}, {coalition, "MX", domain.OrgCoalition}, {"bank", "MX", domain.OrgBank}, {"ngo-us", "US", domain.OrgNGO}} {
		e.must(n.Service.RegisterOrganisation(ctx, admin, "org-"+o.id, o.id, domain.RegisterOrganisation{Name: "Org " + o.id, Kind: o.kind, Jurisdiction: o.jur}))
	}
	return e
}

func (e *env) must(res app.Result, err error) app.Result {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("command: %v", err)
	}
	return res
}

// refer opens a case whose survivor's details are the seeded personal data.
func (e *env) refer(name string) string {
	e.t.Helper()
	id := e.must(e.n.Service.ReferSurvivor(context.Background(), worker, "refer-"+name, domain.ReferSurvivor{
		ReferringOrganisation: domain.OrgRef{ID: "shelter"}, Jurisdiction: "MX",
		Needs: []domain.Need{domain.NeedBankAccount, domain.NeedIDDocument}, Barriers: []domain.Barrier{domain.BarrierNoID},
		Survivor: domain.SurvivorDetails{FullName: "SEEDNAME " + name, Aliases: []string{"SEEDALIAS" + name}, DateOfBirth: "1994-07-13",
			Phone: "+52 55 9876 1234", Email: "seed." + name + "@example.org", Address: "SEEDSTREET 12 " + name},
	})).ID
	e.cases = append(e.cases, id)
	return id
}

func (e *env) do(actor app.Actor, caseID string, cmd domain.Command) app.Result {
	e.t.Helper()
	e.step++
	return e.must(e.n.Service.ChangeCase(context.Background(), actor, app.CaseCommand{
		CommandID: fmt.Sprintf("cmd-%d", e.step), CaseID: caseID, Command: cmd}))
}

// grant grants the coalition analytics consent until expires; it returns the grant id.
func (e *env) grant(caseID string, expires time.Time) string {
	e.t.Helper()
	e.do(worker, caseID, domain.GrantConsent{Recipient: domain.OrgRef{ID: coalition}, Categories: []domain.DataCategory{domain.DataIdentity},
		Purposes: []domain.Purpose{domain.PurposeCoalitionAnalytics}, ExpiresAt: expires})
	return e.newestGrant(caseID)
}

func (e *env) newestGrant(caseID string) string {
	e.t.Helper()
	c, err := e.n.Service.LoadCase(context.Background(), worker, caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	best, at := "", time.Time{}
	for id, g := range c.Grants {
		if best == "" || g.GrantedAt.After(at) || (g.GrantedAt.Equal(at) && id > best) {
			best, at = id, g.GrantedAt
		}
	}
	return best
}

// note adds a note whose text is seeded personal data.
func (e *env) note(caseID, text string) app.Result {
	e.t.Helper()
	return e.do(worker, caseID, domain.AddCaseNote{Text: "SEEDNOTE " + text})
}

// transferToUS moves a case to the US NGO (its consent to receive the case first).
func (e *env) transferToUS(caseID string) {
	e.t.Helper()
	e.do(worker, caseID, domain.GrantConsent{Recipient: domain.OrgRef{ID: "ngo-us"}, Categories: []domain.DataCategory{domain.DataIdentity, domain.DataNotes},
		Purposes: []domain.Purpose{domain.PurposeBanking}, ExpiresAt: t0.AddDate(1, 0, 0)})
	req := e.do(worker, caseID, domain.RequestCaseTransfer{Recipient: domain.OrgRef{ID: "ngo-us"}, ReasonCode: domain.TransferReturningHome, Reason: "SEEDREASON she goes home"})
	// The recipient sees the case through the read models: let them catch up.
	if err := e.n.Runner.WaitFor(context.Background(), req.Position); err != nil {
		e.t.Fatal(err)
	}
	c, err := e.n.Service.LoadCase(context.Background(), worker, caseID)
	if err != nil || c.PendingTransfer == nil {
		e.t.Fatalf("no pending transfer: %v", err)
	}
	acc := e.do(usWorker, caseID, domain.AcceptCaseTransfer{TransferID: c.PendingTransfer.ID})
	if err := e.n.Runner.WaitFor(context.Background(), acc.Position); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) head() eventstore.Position {
	e.t.Helper()
	h, err := e.n.Store.Head(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

func (e *env) config(key []byte) Config {
	p, err := analytics.NewPseudonymizer(key)
	if err != nil {
		e.t.Fatal(err)
	}
	return Config{Store: e.n.Store, JS: e.js, Pseudonymizer: p,
		IsAnalyticsRecipient: func(org string) bool { return org == coalition },
		Now:                  e.clock.Now, Wake: e.clock.Wake, Logger: quiet(), MinBackoff: time.Millisecond}
}

func (e *env) pseudonym(caseID string) string {
	return analytics.Pseudonymizer{Key: testKey}.Pseudonym(caseID)
}

// running is a publisher started by start.
type running struct {
	p    *Publisher
	stop context.CancelFunc
	done chan struct{} // closed when Run returned err
	err  error
}

// start runs a publisher with cfg until the test ends (or stop).
func (e *env) start(cfg Config) *running {
	e.t.Helper()
	p, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{p: p, stop: cancel, done: make(chan struct{})}
	go func() { r.err = p.Run(ctx); close(r.done) }()
	e.t.Cleanup(func() { cancel(); <-r.done })
	return r
}

// caughtUp waits until r has published everything up to the log's head.
func (e *env) caughtUp(r *running) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := r.p.WaitFor(ctx, e.head()); err != nil {
		e.t.Fatal(err)
	}
}

// fakeClock moves only when told to; Wake's channels fire when it reaches them.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Wake(at time.Time) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if !at.After(c.now) {
		ch <- c.now
		return ch, func() {}
	}
	c.waiters = append(c.waiters, waiter{at: at, ch: ch})
	return ch, func() {}
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// msg is one message as a consumer got it.
type msg struct {
	subject string
	id      string // Nats-Msg-Id
	pos     string
	part    string
	data    []byte
}

func toMsg(subject string, h nats.Header, data []byte) msg {
	return msg{subject: subject, id: h.Get(jetstream.MsgIDHeader), pos: h.Get(HeaderPosition), part: h.Get(HeaderPart), data: data}
}

// live is a subscriber over TCP with the analytics account's credentials: every
// publication reaches it, once per publication.
type live struct {
	mu   sync.Mutex
	msgs []msg
	more chan struct{}
}

func (e *env) subscribeLive() *live {
	e.t.Helper()
	nc, err := nats.Connect(e.url, nats.UserInfo("analyst", analystPwd), nats.NoReconnect())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(nc.Close)
	l := &live{more: make(chan struct{}, 1)}
	if _, err := nc.Subscribe(analytics.StreamSubjects, func(m *nats.Msg) {
		l.mu.Lock()
		l.msgs = append(l.msgs, toMsg(m.Subject, m.Header, m.Data))
		l.mu.Unlock()
		select {
		case l.more <- struct{}{}:
		default:
		}
	}); err != nil {
		e.t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		e.t.Fatal(err)
	}
	return l
}

// wait blocks until the subscriber holds n messages; it returns them.
func (l *live) wait(t *testing.T, n int) []msg {
	t.Helper()
	deadline := time.After(60 * time.Second) // a failure guard, not a measure
	for {
		l.mu.Lock()
		got := append([]msg(nil), l.msgs...)
		l.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-l.more:
		case <-deadline:
			t.Fatalf("the live subscriber has %d messages, want %d", len(got), n)
		}
	}
}

func (l *live) all() []msg {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]msg(nil), l.msgs...)
}

// stored reads the whole stream, in order, with an ordered consumer.
func (e *env) stored() []msg {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := e.js.Stream(ctx, analytics.StreamName)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if info.State.Msgs == 0 {
		return nil
	}
	c, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []msg
	for uint64(len(out)) < info.State.Msgs {
		m, err := c.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			e.t.Fatalf("read the stream: %v (%d of %d)", err, len(out), info.State.Msgs)
		}
		out = append(out, toMsg(m.Subject(), m.Headers(), m.Data()))
	}
	return out
}
