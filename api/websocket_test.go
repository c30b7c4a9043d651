package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/waymark-org/waymark/app"
)

// wsMessage is one graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type workChangeDoc struct {
	OrganisationID, Kind, CaseID, ItemID, Position, At string
	Added                                              bool
}

// socket is a graphql-transport-ws client over the harness's real HTTP server.
type socket struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

// dialSocket opens a websocket to /graphql and sends connection_init with payload.
func (h *harness) dialSocket(t *testing.T, payload any) *socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	s := &socket{t: t, conn: conn, ctx: ctx}
	init := wsMessage{Type: "connection_init"}
	if payload != nil {
		init.Payload, _ = json.Marshal(payload)
	}
	s.send(init)
	return s
}

func (s *socket) send(m wsMessage) {
	s.t.Helper()
	if err := wsjson.Write(s.ctx, s.conn, m); err != nil {
		s.t.Fatalf("send %s: %v", m.Type, err)
	}
}

// next reads the next message that is not a ping or pong.
func (s *socket) next() (wsMessage, error) {
	for {
		var m wsMessage
		if err := wsjson.Read(s.ctx, s.conn, &m); err != nil {
			return m, err
		}
		if m.Type != "ping" && m.Type != "pong" {
			return m, nil
		}
	}
}

func (s *socket) expect(typ string) wsMessage {
	s.t.Helper()
	m, err := s.next()
	if err != nil {
		s.t.Fatalf("waiting for %s: %v", typ, err)
	}
	if m.Type != typ {
		s.t.Fatalf("got %s %s, want %s", m.Type, m.Payload, typ)
	}
	return m
}

const workChangedSubscription = `subscription { workChanged { organisationId kind caseId itemId added position at } }`

// subscribeWork opens an authenticated socket for actor and subscribes to workChanged;
// it returns once the server holds the subscription.
func (h *harness) subscribeWork(t *testing.T, actor app.Actor) *socket {
	t.Helper()
	broker := h.node.Current().Service.WorkBroker()
	before := broker.Subscribers()
	s := h.dialSocket(t, map[string]string{"Authorization": "Bearer " + h.token(actor)})
	s.expect("connection_ack")
	payload, _ := json.Marshal(map[string]any{"query": workChangedSubscription})
	s.send(wsMessage{ID: "1", Type: "subscribe", Payload: payload})
	// The protocol does not acknowledge a subscribe: wait until the broker holds it, so
	// that the change the test makes next is certain to be published to it.
	for broker.Subscribers() == before {
		if s.ctx.Err() != nil {
			t.Fatal("the subscription never reached the broker")
		}
		time.Sleep(time.Millisecond)
	}
	return s
}

// nextChange reads the next `next` message's change.
func (s *socket) nextChange() workChangeDoc {
	s.t.Helper()
	m := s.expect("next")
	var out struct {
		Data   struct{ WorkChanged workChangeDoc }
		Errors []gqlError
	}
	if err := json.Unmarshal(m.Payload, &out); err != nil || len(out.Errors) > 0 {
		s.t.Fatalf("next: %s (%v)", m.Payload, err)
	}
	return out.Data.WorkChanged
}

// Given bank-a and bank-b subscribed to workChanged over graphql-transport-ws, when a
// caseworker shows a case to bank-a, then bank-a receives the item added, with ids
// and codes only; when she then shows it to bank-b, bank-b's first message is its own
// change — bank-a's never reached it.
func TestWorkChangedOverWebsocket(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	id := h.refer("ws-refer")
	year := h.clock.Now().Add(365 * 24 * time.Hour).Format(time.RFC3339)
	for _, bank := range []string{"bank-a", "bank-b"} {
		h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "ws-grant-" + bank, "caseId": id,
			"recipientOrganisationId": bank, "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": year})
	}
	a := h.subscribeWork(t, bankAStaff)
	b := h.subscribeWork(t, bankBStaff)

	shown := h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "ws-show-a", "caseId": id, "bankId": "bank-a"})
	got := a.nextChange()
	want := workChangeDoc{OrganisationID: "bank-a", Kind: "CASE_SHOWN", CaseID: id, Added: true, Position: shown.Position}
	if got.OrganisationID != want.OrganisationID || got.Kind != want.Kind || got.CaseID != want.CaseID || !got.Added ||
		got.Position != want.Position || got.ItemID == "" || got.At == "" {
		t.Errorf("bank-a got %+v, want %+v", got, want)
	}

	h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "ws-show-b", "caseId": id, "bankId": "bank-b"})
	if got := b.nextChange(); got.OrganisationID != "bank-b" || got.CaseID != id || got.Kind != "CASE_SHOWN" {
		t.Errorf("bank-b's first change is %+v: another organisation's change reached it", got)
	}

	// The item leaves bank-a's queue with its offer.
	h.act(bankAStaff, "makeBankOffer", "MakeBankOfferInput", map[string]any{"commandId": "ws-offer", "caseId": id, "bankId": "bank-a",
		"product": "BASIC_ACCOUNT", "monthlyFee": map[string]any{"currency": "MXN", "amount": "0"}, "acceptedDocuments": []string{"INE"},
		"acceptsAlternativePack": true})
	if got := a.nextChange(); got.Kind != "CASE_SHOWN" || got.Added {
		t.Errorf("after its offer bank-a got %+v, want the case shown removed", got)
	}

	// Ending the subscription frees its place.
	a.send(wsMessage{ID: "1", Type: "complete"})
	broker := h.node.Current().Service.WorkBroker()
	for broker.Subscribers() != 1 {
		if a.ctx.Err() != nil {
			t.Fatal("the completed subscription was never released")
		}
		time.Sleep(time.Millisecond)
	}
}

// A socket without a token, or with a bad one, is refused in connection_init: closed
// with 4403 (graphql-transport-ws's Forbidden), before any operation runs.
func TestWorkSocketRefusesWithoutAValidToken(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	for name, payload := range map[string]any{
		"no payload":          nil,
		"no token":            map[string]string{},
		"not a bearer token":  map[string]string{"Authorization": "Basic dXNlcjpwYXNz"},
		"a token that is bad": map[string]string{"Authorization": "Bearer eyJhbGciOiJFZERTQSJ9.e30.c2ln"},
	} {
		t.Run(name, func(t *testing.T) {
			s := h.dialSocket(t, payload)
			m, err := s.next()
			var closed websocket.CloseError
			if !errors.As(err, &closed) || closed.Code != 4403 || closed.Reason != "unauthenticated" {
				t.Errorf("got %s %s, then %v; want the socket closed with 4403 unauthenticated", m.Type, m.Payload, err)
			}
		})
	}
}

// Over the socket only subscriptions run, and a subscription sent by POST is refused:
// each way, BAD_REQUEST and nothing else happens.
func TestWorkSocketKeepsToSubscriptions(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	s := h.dialSocket(t, map[string]string{"Authorization": "Bearer " + h.token(caseworker)})
	s.expect("connection_ack")
	payload, _ := json.Marshal(map[string]any{"query": `{ myWork { totalCount } }`})
	s.send(wsMessage{ID: "q", Type: "subscribe", Payload: payload})
	m, err := s.next()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.Payload), "BAD_REQUEST") {
		t.Errorf("a query over the socket: %s %s", m.Type, m.Payload)
	}
	if resp := h.do(caseworker, workChangedSubscription, nil); resp.code() != "BAD_REQUEST" {
		t.Errorf("a subscription by POST: %+v", resp.Errors)
	}
	if resp := h.do(analyst, workChangedSubscription, nil); resp.code() != "BAD_REQUEST" {
		t.Errorf("a subscription by POST: %+v", resp.Errors)
	}
	// An analyst has no queue to subscribe to.
	an := h.dialSocket(t, map[string]string{"Authorization": "Bearer " + h.token(analyst)})
	an.expect("connection_ack")
	payload, _ = json.Marshal(map[string]any{"query": workChangedSubscription})
	an.send(wsMessage{ID: "1", Type: "subscribe", Payload: payload})
	m, err = an.next()
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.Payload), "FORBIDDEN") {
		t.Errorf("an analyst's subscription: %s %s", m.Type, m.Payload)
	}
}

// One user holds at most 4 subscriptions: the fifth, on the same socket, is refused
// with RATE_LIMITED and the four keep running.
func TestWorkSocketBoundsSubscriptionsPerUser(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	s := h.dialSocket(t, map[string]string{"Authorization": "Bearer " + h.token(bankAStaff)})
	s.expect("connection_ack")
	payload, _ := json.Marshal(map[string]any{"query": workChangedSubscription})
	broker := h.node.Current().Service.WorkBroker()
	for i := range 4 {
		s.send(wsMessage{ID: fmt.Sprint(i), Type: "subscribe", Payload: payload})
		for broker.Subscribers() != i+1 {
			if s.ctx.Err() != nil {
				t.Fatalf("subscription %d never reached the broker", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	s.send(wsMessage{ID: "fifth", Type: "subscribe", Payload: payload})
	m, err := s.next() // gqlgen answers a resolver's refusal with a `next` carrying the error
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "fifth" || !strings.Contains(string(m.Payload), `"code":"RATE_LIMITED"`) {
		t.Errorf("the fifth subscription: %s %s", m.ID, m.Payload)
	}
	if n := broker.Subscribers(); n != 4 {
		t.Errorf("%d subscriptions held, want 4", n)
	}
}

// An open socket lives only while its token would be accepted: when an admin revokes
// the bank user's tokens, the server closes the socket it holds (checked again every
// SocketRecheck), and a socket on another user's token stays open.
func TestWorkSocketClosedWhenItsTokenIsRevoked(t *testing.T) {
	h := newHarness(t)
	h.coalition()
	revoked := h.subscribeWork(t, bankAStaff)
	other := h.subscribeWork(t, app.Actor{ID: "bank-a-other", Role: app.RoleBank, Organisation: "bank-a"})
	h.must(admin, `mutation($in: RevokeSubjectInput!) { revokeSubject(input: $in) { version } }`,
		map[string]any{"in": map[string]any{"commandId": "ws-revoke", "subject": bankAStaff.ID}}, nil)
	h.waitHead()
	_, err := revoked.next()
	if websocket.CloseStatus(err) == -1 {
		t.Fatalf("the revoked user's socket was not closed by the server: %v", err)
	}
	// The other user's socket still carries changes: one for its bank arrives.
	id := h.refer("ws-revoke-case")
	far := testStart.Add(365 * 24 * time.Hour).Format(time.RFC3339)
	h.step("grantConsent", "GrantConsentInput", map[string]any{"commandId": "ws-revoke-grant", "caseId": id,
		"recipientOrganisationId": "bank-a", "categories": []string{"BANKING"}, "purposes": []string{"BANKING"}, "expiresAt": far})
	h.step("referToBank", "ReferToBankInput", map[string]any{"commandId": "ws-revoke-show", "caseId": id, "bankId": "bank-a"})
	if c := other.nextChange(); c.CaseID != id || !c.Added {
		t.Errorf("the other user's socket: %+v", c)
	}
}
