package main

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waymark-org/waymark/webhooks"
)

// hookReceiver is a bank's own system: an HTTPS endpoint that refuses each delivery's
// first attempt (so the server must retry) and keeps what it accepted.
type hookReceiver struct {
	mu       sync.Mutex
	attempts map[string]int // by Waymark-Delivery
	accepted []hookRequest
	arrived  chan struct{}
}

type hookRequest struct {
	header http.Header
	body   []byte
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	id := r.Header.Get("Waymark-Delivery")
	h.attempts[id]++
	if h.attempts[id] == 1 {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	h.accepted = append(h.accepted, hookRequest{header: r.Header.Clone(), body: body})
	select {
	case h.arrived <- struct{}{}:
	default:
	}
}

// find returns the first accepted delivery whose body satisfies keep.
func (h *hookReceiver) find(keep func(map[string]any) bool) (hookRequest, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, req := range h.accepted {
		var fields map[string]any
		if json.Unmarshal(req.body, &fields) == nil && keep(fields) {
			return req, true
		}
	}
	return hookRequest{}, false
}

// A bank's work reaches its own system by webhook, end to end on the real binary:
// a shelter shows a case to the bank over GraphQL; the server posts work.added for
// it to the bank's HTTPS endpoint (trusted through --webhook-ca), signed with the
// bank's secret, retries after the receiver's first refusal, and logs both attempts.
// The body holds ids and codes only: not the survivor's name, not the concern's text.
func TestWebhooksDeliverWorkChanges(t *testing.T) {
	recv := &hookReceiver{attempts: map[string]int{}, arrived: make(chan struct{}, 1)}
	hook := httptest.NewTLSServer(recv)
	defer hook.Close()

	dir := seededDemoDir(t) // the demo, seeded once for the package's tests
	conf := t.TempDir()
	secret := []byte(strings.Repeat("s3cr3t-", 6))
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hook.Certificate().Raw})
	config := fmt.Sprintf(`[{"organisation": "mx-banco-solidario", "url": %q, "secretFile": "bank.secret"}]`, hook.URL+"/waymark")
	for name, data := range map[string][]byte{"bank.secret": secret, "ca.pem": ca, "webhooks.json": []byte(config)} {
		if err := os.WriteFile(filepath.Join(conf, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv := startServer(t, dir, "--webhooks", filepath.Join(conf, "webhooks.json"), "--webhook-ca", filepath.Join(conf, "ca.pem"))
	caseworker := strings.TrimSpace(mustRun(t, "token", "issue", "--data-dir", dir, "--role", "caseworker", "--org", "mx-refugio-esperanza", "--sub", "cw-hooks"))
	caseID, name := srv.safeguardedCase(caseworker)

	shown := func(f map[string]any) bool {
		return f["caseId"] == caseID && f["type"] == "work.added" && f["itemKind"] == "case_shown"
	}
	var got hookRequest
	for deadline := time.Now().Add(waitLong); ; {
		var ok bool
		if got, ok = recv.find(shown); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no work.added for the case shown to the bank reached its endpoint; server log:\n%s", srv.stderr.String())
		}
		select {
		case <-recv.arrived:
		case <-time.After(time.Second):
		}
	}

	if err := webhooks.Verify(secret, got.header.Get("Waymark-Signature"), got.body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("the delivery's signature does not verify with the bank's secret: %v", err)
	}
	if err := webhooks.Verify([]byte(strings.Repeat("other-", 6)), got.header.Get("Waymark-Signature"), got.body, time.Now(), 5*time.Minute); err == nil {
		t.Error("the signature verifies with another secret")
	}
	var fields map[string]any
	if err := json.Unmarshal(got.body, &fields); err != nil {
		t.Fatal(err)
	}
	allowed := []string{"id", "organisation", "type", "caseId", "itemKind", "itemId", "at"}
	for k := range fields {
		if !slices.Contains(allowed, k) {
			t.Errorf("the body has a field %q beyond ids and codes: %s", k, got.body)
		}
	}
	if fields["organisation"] != "mx-banco-solidario" || fields["id"] != got.header.Get("Waymark-Delivery") {
		t.Errorf("body %s, delivery %s", got.body, got.header.Get("Waymark-Delivery"))
	}
	recv.mu.Lock()
	for _, req := range recv.accepted {
		for _, secretText := range []string{name, "Lucia", concernText, "cousin", "open an account of her own"} {
			if strings.Contains(string(req.body), secretText) {
				t.Errorf("a delivery carries personal data (%q): %s", secretText, req.body)
			}
		}
	}
	attempts := recv.attempts[got.header.Get("Waymark-Delivery")]
	recv.mu.Unlock()
	if attempts != 2 {
		t.Errorf("%d attempts of the delivery, want 2 (refused once, then accepted)", attempts)
	}
	if a := got.header.Get("Waymark-Attempt"); a != "2" {
		t.Errorf("Waymark-Attempt %q on the accepted delivery, want 2", a)
	}

	// The delivery log names both attempts, and never the body.
	out := mustRun(t, "webhooks", "log", "--data-dir", dir, "--organisation", "mx-banco-solidario", "--json")
	var outcomes []string
	for line := range strings.Lines(out) {
		var r webhooks.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("delivery log line %q: %v", line, err)
		}
		if r.Delivery == got.header.Get("Waymark-Delivery") {
			outcomes = append(outcomes, fmt.Sprintf("%d:%s", r.Attempt, r.Outcome))
		}
	}
	if want := []string{"1:retry", "2:delivered"}; !slices.Equal(outcomes, want) {
		t.Errorf("the delivery log has %v for the delivery, want %v:\n%s", outcomes, want, out)
	}
	if strings.Contains(out, name) || strings.Contains(out, "cousin") {
		t.Errorf("the delivery log holds personal data:\n%s", out)
	}
}
