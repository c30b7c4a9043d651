package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/api"
	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/metrics"
	"github.com/waymark-org/waymark/internal/testkit"
	"github.com/waymark-org/waymark/node"
	"github.com/waymark-org/waymark/sealing"
)

var (
	testKey   = bytes.Repeat([]byte{7}, 32)
	testStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

// harness runs a real node (embedded JetStream on disk) behind a real HTTP server.
type harness struct {
	t       testing.TB
	dir     string
	keyring sealing.Keyring
	issuer  auth.Issuer
	// reason, when set, is sent as X-Access-Reason with every request.
	reason string
	// sharedVault, for a replica, is the first node's vault (one key store for both).
	sharedVault *sealing.Vault
	clock       *app.FixedClock
	ids         *app.SequentialIDs
	storeCf     jetstream.Config
	backends    *node.JetStream
	node        *node.Node
	srv         *httptest.Server
	// logs holds everything the node logged (tests assert what never appears there).
	logs *syncBuffer
	// auditKey signs checkpoints; the node verifies them with its public half.
	auditKey ed25519.PrivateKey
	// snapshotDir, when set, is where the node keeps its read models' snapshot (written
	// at every stop, loaded at the next start).
	snapshotDir string
	// metrics, when set, gets the node's metrics (newHarnessWith).
	metrics *metrics.Registry
	// rates limit each token (newHarnessWith; default: out of the way).
	rates api.RateLimits
	// wrapEvents, when set, stands between the node and its event store
	// (newHarnessWith): a store that fails on demand.
	wrapEvents func(eventstore.Store) eventstore.Store
	// requestTimeout, when set, is the API's Config.RequestTimeout.
	requestTimeout time.Duration
}

func newHarness(t testing.TB) *harness { return newHarnessWith(t, nil) }

// newHarnessWith is newHarness with set changing the harness before its node starts.
func newHarnessWith(t testing.TB, set func(*harness)) *harness {
	t.Helper()
	h := &harness{
		t: t, dir: t.TempDir(), clock: app.NewFixedClock(testStart), ids: app.NewSequentialIDs(1),
		keyring: testkit.Keyring(t), issuer: testIssuer(t), logs: &syncBuffer{}, rates: api.RateLimits{Default: 10000},
	}
	if set != nil {
		set(h)
	}
	_, h.auditKey, _ = ed25519.GenerateKey(rand.Reader)
	h.storeCf = jetstream.Config{DataDir: h.dir, Sync: jetstream.SyncInterval, ListenAddr: "127.0.0.1:0"}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) start() {
	h.t.Helper()
	logger := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	backends, err := node.OpenJetStream(context.Background(), node.JetStreamConfig{
		Store: h.storeCf, KeysDir: filepath.Join(h.dir, "keys"), NoKeyStore: h.sharedVault != nil, Logger: logger,
	})
	if err != nil {
		h.t.Fatalf("open backends: %v", err)
	}
	bk := backends.Backends()
	if h.wrapEvents != nil {
		bk.Events = h.wrapEvents(bk.Events)
	}
	n, err := node.Start(context.Background(), node.Config{
		Backends: bk, Keyring: h.keyring, Vault: h.sharedVault, SnapshotDir: h.snapshotDir,
		HashKey: testKey, Clock: h.clock, IDs: h.ids, Logger: logger, AuditKey: h.auditKey.Public().(ed25519.PublicKey),
		API:     api.Config{Verifier: h.verifier(), RateLimits: h.rates, SocketRecheck: 20 * time.Millisecond, RequestTimeout: h.requestTimeout},
		Metrics: h.metrics,
	})
	if err != nil {
		h.t.Fatalf("start node: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Runner.WaitReady(ctx); err != nil {
		h.t.Fatalf("projections not ready: %v", err)
	}
	h.node, h.backends = n, backends
	h.srv = httptest.NewServer(n.Handler)
}

func (h *harness) stop() {
	if h.node == nil {
		return
	}
	h.srv.Close()
	if err := h.node.Close(); err != nil {
		h.t.Errorf("close node: %v", err)
	}
	h.node = nil
}

// syncBuffer is a log destination many goroutines write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testIssuer(t testing.TB) auth.Issuer {
	t.Helper()
	key, err := auth.GenerateSigningKey("test-key")
	if err != nil {
		t.Fatal(err)
	}
	return auth.Issuer{Key: key, Issuer: "waymark-test", Audience: "waymark-api"}
}

func (h *harness) verifier() auth.Verifier {
	return auth.Verifier{
		Keys: []auth.VerifyingKey{h.issuer.Key.Public()}, Issuer: h.issuer.Issuer, Audience: h.issuer.Audience,
		Now: h.clock.Now,
	}
}

// token mints a token for actor, valid for the longest lifetime a verifier accepts
// by default on the harness clock.
func (h *harness) token(actor app.Actor) string {
	h.t.Helper()
	token, _, err := h.issuer.Issue(actor.ID, actor.Organisation, string(actor.Role), auth.DefaultMaxLifetime, h.clock.Now())
	if err != nil {
		h.t.Fatalf("issue token for %+v: %v", actor, err)
	}
	return token
}

// replica starts a second node on the same store, connected to this node's embedded
// NATS server over TCP like a second replica would be.
func (h *harness) replica() *harness {
	h.t.Helper()
	r := &harness{
		t: h.t, dir: h.t.TempDir(), clock: h.clock, ids: app.NewSequentialIDs(2), keyring: h.keyring, issuer: h.issuer, logs: h.logs,
		sharedVault: h.node.Vault, auditKey: h.auditKey, rates: h.rates,
		storeCf: replicaStoreConfig(h.backends.Store),
	}
	r.start()
	h.t.Cleanup(r.stop)
	return r
}

func replicaStoreConfig(primary *jetstream.Store) jetstream.Config {
	user, password := primary.ReplicaCredentials()
	return jetstream.Config{NATSURL: primary.Server().ClientURL(), NATSUser: user, NATSPassword: password}
}

// restart stops the server and the store and starts both again on the same data.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

// head is the global log's last position; tests compare it before and after.
func (h *harness) head() eventstore.Position {
	h.t.Helper()
	p, err := h.node.Store.Head(context.Background())
	if err != nil {
		h.t.Fatalf("head: %v", err)
	}
	return p
}

func (h *harness) streamLen(stream string) int {
	h.t.Helper()
	events, err := h.node.Store.ReadStream(context.Background(), stream, 0)
	if err != nil {
		return 0
	}
	return len(events)
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// do posts a GraphQL request as actor (the zero Actor sends no identity).
func (h *harness) do(actor app.Actor, query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if actor.ID != "" {
		req.Header.Set("Authorization", "Bearer "+h.token(actor))
	}
	if h.reason != "" {
		req.Header.Set("X-Access-Reason", h.reason)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		h.t.Fatalf("decode response (HTTP %d): %v", resp.StatusCode, err)
	}
	return out
}

// must runs a request that must succeed and decodes its data into dst.
func (h *harness) must(actor app.Actor, query string, vars map[string]any, dst any) {
	h.t.Helper()
	resp := h.do(actor, query, vars)
	if len(resp.Errors) > 0 {
		h.t.Fatalf("unexpected errors: %+v", resp.Errors)
	}
	if dst != nil {
		if err := json.Unmarshal(resp.Data, dst); err != nil {
			h.t.Fatalf("decode data %s: %v", resp.Data, err)
		}
	}
}

// Actors of the test coalition.
var (
	admin       = app.Actor{ID: "root", Role: app.RoleAdmin}
	caseworker  = app.Actor{ID: "ana", Role: app.RoleCaseworker, Organisation: "shelter-a"}
	otherWorker = app.Actor{ID: "bo", Role: app.RoleCaseworker, Organisation: "shelter-b"}
	auditor     = app.Actor{ID: "aud", Role: app.RoleAuditor, Organisation: "coalition"}
)

const registerOrg = `mutation($in: RegisterOrganisationInput!) {
  registerOrganisation(input: $in) { organisationId version position organisation { id name kind } }
}`

// coalition registers two shelters, a bank, a second bank, a bureau and the coalition
// itself (its auditors).
func (h *harness) coalition() {
	h.t.Helper()
	for _, o := range []struct{ id, name, kind string }{
		{"shelter-a", "Shelter A", "SHELTER"},
		{"shelter-b", "Shelter B", "SHELTER"},
		{"bank-a", "Bank A", "BANK"},
		{"bank-b", "Bank B", "BANK"},
		{"bureau-a", "Bureau A", "CREDIT_BUREAU"},
		{"coalition", "The coalition", "COALITION"},
		{"coalition-audit", "Coalition audit team", "COALITION"},
		{"coalition-analytics", "Coalition analytics team", "COALITION"},
	} {
		h.must(admin, registerOrg, map[string]any{"in": map[string]any{
			"commandId": "org-" + o.id, "id": o.id, "name": o.name, "kind": o.kind,
			"jurisdiction": "MX", "services": []string{},
		}}, nil)
	}
}

const referMutation = `mutation($in: ReferSurvivorInput!) {
  referSurvivor(input: $in) { caseId version position case { id stage status version } }
}`

func referInput(commandID string) map[string]any {
	return map[string]any{
		"commandId": commandID, "referringOrganisationId": "shelter-a", "jurisdiction": "MX",
		"needs": []string{"BANK_ACCOUNT", "ID_DOCUMENT"}, "barriers": []string{"NO_ID", "UNAWARE_OF_PRODUCTS"},
		"survivor": map[string]any{"fullName": "Zaneta Quillfeather", "dateOfBirth": "1990-04-12", "phone": "+52 55 0000 1111"},
	}
}

type caseResult struct {
	CaseID   string `json:"caseId"`
	Version  int    `json:"version"`
	Position string `json:"position"`
}

// refer opens a case as caseworker and returns its id.
func (h *harness) refer(commandID string) string {
	h.t.Helper()
	var out struct{ ReferSurvivor caseResult }
	h.must(caseworker, referMutation, map[string]any{"in": referInput(commandID)}, &out)
	return out.ReferSurvivor.CaseID
}

// mutate runs a case mutation by name with input and returns its result.
func (h *harness) mutate(actor app.Actor, name, inputType string, input map[string]any) (caseResult, gqlResponse) {
	h.t.Helper()
	q := fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { caseId version position } }`, inputType, name)
	resp := h.do(actor, q, map[string]any{"in": input})
	var out map[string]caseResult
	if len(resp.Errors) == 0 {
		if err := json.Unmarshal(resp.Data, &out); err != nil {
			h.t.Fatalf("decode %s: %v", name, err)
		}
	}
	return out[name], resp
}

func jsonDecode(resp *http.Response, dst any) error { return json.NewDecoder(resp.Body).Decode(dst) }

// jsonField decodes one field of a JSON object.
func jsonField(data []byte, name string, dst *[]byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	*dst = fields[name]
	return nil
}
