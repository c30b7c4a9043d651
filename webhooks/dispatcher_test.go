package webhooks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waymark-org/waymark/internal/testkit"
)

var testSecret = Secret("0123456789abcdef0123456789abcdef-bank")

// fast retries: the back-off is injected, never slept on as an assertion.
var fastBackoff = Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Attempts: 3}

// trusting returns a TLS configuration that trusts the test receivers' certificates
// (as --webhook-ca would a private CA).
func trusting(servers ...*httptest.Server) *tls.Config {
	pool := x509.NewCertPool()
	for _, s := range servers {
		pool.AddCert(s.Certificate())
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// dispatcher starts one over endpoints, its records sent to the returned channel.
func dispatcher(t *testing.T, tlsCfg *tls.Config, queue int, endpoints ...Endpoint) (*Dispatcher, <-chan Record, string) {
	t.Helper()
	dir := t.TempDir()
	log, err := OpenLog(dir, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	records := make(chan Record, 100)
	d, err := New(Config{Endpoints: endpoints, Log: log, TLS: tlsCfg, Backoff: fastBackoff, QueueSize: queue,
		Logger: testkit.Quiet(), Observe: func(r Record) { records <- r }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d, records, dir
}

func next(t *testing.T, records <-chan Record, outcome string) Record {
	t.Helper()
	for r := range records {
		if r.Outcome == outcome {
			return r
		}
	}
	t.Fatal("records closed")
	return Record{}
}

func notification(org, id string) Notification {
	return Notification{ID: id, Organisation: org, Type: "work.added", CaseID: "0190a7c2-0000-7000-8000-000000000001",
		ItemKind: "application", ItemID: "bank-a", At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// A receiver that fails twice gets the notification on the third attempt; every
// attempt is signed with its secret, carries the same delivery id, and the body holds
// the notification's ids and codes and nothing else.
func TestDeliveredOnThirdAttempt(t *testing.T) {
	var calls atomic.Int32
	bodies := make(chan map[string]any, 3)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := Verify(testSecret, r.Header.Get(HeaderSignature), body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("attempt %d: signature: %v", calls.Load()+1, err)
		}
		if got := r.Header.Get(HeaderDelivery); got != "delivery-1" {
			t.Errorf("Waymark-Delivery = %q", got)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		bodies <- m
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	d, records, dir := dispatcher(t, trusting(srv), 0, Endpoint{Organisation: "bank-a", URL: srv.URL, Secret: testSecret})

	n := notification("bank-a", "delivery-1")
	if err := d.Enqueue(n); err != nil {
		t.Fatal(err)
	}
	got := next(t, records, OutcomeDelivered)
	if got.Attempt != 3 || got.Status != http.StatusNoContent {
		t.Fatalf("delivered record = %+v, want attempt 3, status 204", got)
	}
	// The body's fields are exactly the schema's: no field outside it.
	allowed := []string{"id", "organisation", "type", "caseId", "itemKind", "itemId", "at"}
	for range 3 {
		m := <-bodies
		for k := range m {
			if !slices.Contains(allowed, k) {
				t.Fatalf("body field %q is outside the notification's schema", k)
			}
		}
		if m["caseId"] != n.CaseID || m["itemKind"] != "application" || m["itemId"] != "bank-a" || m["type"] != "work.added" || len(m) != len(allowed) {
			t.Fatalf("body = %v", m)
		}
	}
	log, err := ReadLog(dir, "bank-a")
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, r := range log {
		outcomes = append(outcomes, r.Outcome+":"+strconv.Itoa(r.Status))
	}
	if want := []string{"retry:500", "retry:500", "delivered:204"}; !slices.Equal(outcomes, want) {
		t.Fatalf("delivery log = %v, want %v", outcomes, want)
	}
	if s := d.Stats(); s.Delivered != 1 || s.Retried != 2 {
		t.Fatalf("stats = %+v", s)
	}
}

// A receiver that always fails: after the bounded attempts the notification is
// dead-lettered, and the log says so for that organisation only.
func TestDeadLettered(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer other.Close()
	d, records, dir := dispatcher(t, trusting(srv, other), 0,
		Endpoint{Organisation: "bank-a", URL: srv.URL, Secret: testSecret},
		Endpoint{Organisation: "bureau-b", URL: other.URL, Secret: testSecret})
	if err := d.Enqueue(notification("bank-a", "doomed")); err != nil {
		t.Fatal(err)
	}
	dead := next(t, records, OutcomeDeadLettered)
	if dead.Delivery != "doomed" || dead.Attempt != fastBackoff.Attempts || dead.Status != 503 || dead.Error != "status" {
		t.Fatalf("dead letter = %+v", dead)
	}
	if err := d.Enqueue(notification("bureau-b", "fine")); err != nil {
		t.Fatal(err)
	}
	next(t, records, OutcomeDelivered)
	log, err := ReadLog(dir, "bank-a")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 || log[2].Outcome != OutcomeDeadLettered || log[0].Attempt != 1 {
		t.Fatalf("bank-a's log = %+v", log)
	}
	all, _ := ReadLog(dir, "")
	if len(all) != 4 {
		t.Fatalf("whole log has %d records, want 4", len(all))
	}
}

// A receiver that never answers holds up only its own organisation's queue: another
// organisation's notification is delivered meanwhile, Enqueue never waits, and the
// slow one's full queue drops its oldest waiting notification, counted.
func TestSlowReceiverDoesNotBlockAnother(t *testing.T) {
	entered, release := make(chan struct{}, 10), make(chan struct{})
	slow := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	fast := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer fast.Close()
	d, records, _ := dispatcher(t, trusting(slow, fast), 2,
		Endpoint{Organisation: "bank-slow", URL: slow.URL, Secret: testSecret},
		Endpoint{Organisation: "bank-fast", URL: fast.URL, Secret: testSecret})

	if err := d.Enqueue(notification("bank-slow", "s1")); err != nil {
		t.Fatal(err)
	}
	<-entered // s1 is in flight, held by the receiver
	for _, id := range []string{"s2", "s3", "s4"} {
		if err := d.Enqueue(notification("bank-slow", id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Enqueue(notification("bank-fast", "f1")); err != nil {
		t.Fatal(err)
	}
	var delivered, dropped Record
	for delivered.Delivery == "" || dropped.Delivery == "" {
		r := <-records
		switch r.Outcome {
		case OutcomeDelivered:
			delivered = r
		case OutcomeDropped:
			dropped = r
		}
	}
	if delivered.Delivery != "f1" || dropped.Delivery != "s2" {
		t.Fatalf("delivered %q, dropped %q; want f1 delivered while bank-slow hangs, s2 (the oldest waiting) dropped", delivered.Delivery, dropped.Delivery)
	}
	if s := d.Stats(); s.Dropped != 1 {
		t.Fatalf("stats = %+v", s)
	}
}

// Only ids and codes go in: text in any field, a missing field or an organisation
// without a webhook are refused, and nothing is queued.
func TestEnqueueRefuses(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	d, _, _ := dispatcher(t, trusting(srv), 0, Endpoint{Organisation: "bank-a", URL: srv.URL, Secret: testSecret})
	for name, n := range map[string]Notification{
		"text in type":    func() Notification { n := notification("bank-a", "x"); n.Type = "Maria needs a call"; return n }(),
		"text in item id": func() Notification { n := notification("bank-a", "x"); n.ItemID = "call her at 555 0100"; return n }(),
		"no type":         func() Notification { n := notification("bank-a", "x"); n.Type = ""; return n }(),
		"no time":         func() Notification { n := notification("bank-a", "x"); n.At = time.Time{}; return n }(),
	} {
		if err := d.Enqueue(n); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Enqueue = %v, want ErrInvalid", name, err)
		}
	}
	if err := d.Enqueue(notification("bank-unknown", "x")); !errors.Is(err, ErrNoEndpoint) {
		t.Fatalf("unknown organisation: %v", err)
	}
	if s := d.Stats(); s.Enqueued != 0 {
		t.Fatalf("stats = %+v: something was queued", s)
	}
	if !d.Configured("bank-a") || d.Configured("bank-unknown") {
		t.Fatal("Configured")
	}
}

func TestSignatureVerify(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"d1"}`)
	h := Sign(testSecret, at, body)
	if err := Verify(testSecret, h, body, at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, check := range map[string]error{
		"changed body": Verify(testSecret, h, []byte(`{"id":"d2"}`), at, 0),
		"other secret": Verify(Secret("another-secret-another-secret-another"), h, body, at, 0),
		"too old":      Verify(testSecret, h, body, at.Add(time.Hour), 5*time.Minute),
		"malformed":    Verify(testSecret, "v1=abc", body, at, 0),
	} {
		if !errors.Is(check, ErrSignature) {
			t.Errorf("%s: %v, want ErrSignature", name, check)
		}
	}
	if testSecret.String() != "[redacted]" {
		t.Fatal("a secret prints")
	}
}
