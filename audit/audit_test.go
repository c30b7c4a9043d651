package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	njs "github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/accesslog"
	"github.com/waymark-org/waymark/accesslog/jsaccesslog"
	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/internal/testkit"
)

// Verification against the real embedded JetStream, with the history rewritten behind
// the application's back the way someone with write access to the server could: an
// event changed, a message deleted, two reordered, a checkpoint signed by another key,
// an access-log entry removed. Each is caught and named.

var testNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type world struct {
	store  *jetstream.Store
	access *jsaccesslog.Sink
	signer *audit.Signer
	pub    ed25519.PublicKey
}

func newWorld(t *testing.T) *world {
	t.Helper()
	store := testkit.JetStreamStore(t)
	sink, err := jsaccesslog.Open(t.Context(), store.Conn(), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return &world{store: store, access: sink, pub: pub,
		signer: &audit.Signer{Store: store, AccessLog: sink, KeyID: "audit-1", Key: priv, Now: func() time.Time { return testNow }}}
}

// appendEvents appends n events to stream, one append (one message) each.
func (w *world) appendEvents(t *testing.T, stream string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := w.store.Append(t.Context(), stream, eventstore.Any, eventstore.EventData{
			ID: uuid.Must(uuid.NewV7()).String(), Type: "Noted", SchemaVersion: 1, Data: []byte(fmt.Sprintf(`{"n":%d,"text":"abcdef"}`, i)),
			Metadata: eventstore.Metadata{Actor: "u", Role: "caseworker", RecordedAt: testNow},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (w *world) read(t *testing.T, caseID string) {
	t.Helper()
	errs := w.access.Publish(t.Context(), []accesslog.Entry{{At: testNow, Actor: "aud", Role: "auditor", CaseID: caseID, Groups: []string{"identity"}}})
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
}

func (w *world) checkpoint(t *testing.T) audit.Checkpoint {
	t.Helper()
	c, made, err := w.signer.Checkpoint(t.Context())
	if err != nil || !made {
		t.Fatalf("checkpoint: %v (made %v)", err, made)
	}
	return c
}

func (w *world) verifyAll(t *testing.T) error {
	t.Helper()
	cps, err := audit.StoredCheckpoints(t.Context(), w.store)
	if err != nil {
		t.Fatal(err)
	}
	_, err = audit.VerifyAll(t.Context(), w.store, w.access, cps, w.pub)
	return err
}

// rewrite replaces the messages of subject from its index-th on (one message per
// append here) by what edit makes of them, published again after the rest. The
// streams deny deletes, and that cannot be undone on a stream, so the intruder does
// what someone with the server's credentials still can: copies the stream out,
// deletes it, and writes it again with the change.
func rewrite(t *testing.T, conn *nats.Conn, jsStream, subject string, index int, edit func(msgs []*njs.RawStreamMsg) []*njs.RawStreamMsg) {
	t.Helper()
	ctx := t.Context()
	js, err := njs.New(conn)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, jsStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var all, target []*njs.RawStreamMsg
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject == subject {
			target = append(target, m)
		}
		all = append(all, m)
	}
	tail := map[uint64]bool{}
	for _, m := range target[index:] {
		tail[m.Sequence] = true
	}
	var out []*njs.RawStreamMsg
	for _, m := range all {
		if !tail[m.Sequence] {
			out = append(out, m)
		}
	}
	out = append(out, edit(target[index:])...)
	if err := js.DeleteStream(ctx, jsStream); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, info.Config); err != nil {
		t.Fatal(err)
	}
	for _, m := range out {
		msg := nats.NewMsg(m.Subject)
		msg.Data = m.Data
		for k, v := range m.Header {
			if !strings.HasPrefix(k, "Nats-") {
				msg.Header[k] = v
			}
		}
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
}

func wantBreak(t *testing.T, err error, stream string, revision uint64, problem string) {
	t.Helper()
	var b *audit.Break
	if !errors.As(err, &b) {
		t.Fatalf("verification: %v, want a broken link in %s", err, stream)
	}
	if b.Stream != stream || b.Revision != revision || !strings.Contains(b.Problem, problem) {
		t.Errorf("broken link: %v\nwant %s revision %d: %s", b, stream, revision, problem)
	}
	if b.Expected == "" || b.Found == "" || b.Expected == b.Found {
		t.Errorf("broken link without expected and found: %+v", b)
	}
}

func TestUntouchedHistoryVerifies(t *testing.T) {
	w := newWorld(t)
	w.appendEvents(t, "case-a", 3)
	w.read(t, "a")
	first := w.checkpoint(t)
	w.appendEvents(t, "case-b", 2)
	w.appendEvents(t, "case-a", 1)
	w.read(t, "b")
	second := w.checkpoint(t)
	if second.Sequence != 2 || second.Previous != first.Hash() || len(second.Heads) != 3 || second.Heads["case-a"].Revision != 3 {
		t.Errorf("second checkpoint: %+v", second) // case-a, case-b and the first checkpoint's own stream changed
	}
	if _, made, err := w.signer.Checkpoint(t.Context()); err != nil || made {
		t.Errorf("a checkpoint with nothing new: made %v, %v", made, err)
	}
	cps, _ := audit.StoredCheckpoints(t.Context(), w.store)
	r, err := audit.VerifyAll(t.Context(), w.store, w.access, cps, w.pub)
	if err != nil || r.Checkpoints != 2 || r.Events != 8 || r.AccessEntries != 2 {
		t.Errorf("verify: %+v, %v", r, err)
	}
	head, covered, err := audit.VerifyStream(t.Context(), w.store, "case-a", cps, w.pub)
	if err != nil || head.Revision != 3 || covered != 2 {
		t.Errorf("verify case-a: %+v, %d, %v", head, covered, err)
	}
}

func TestChangedEventIsCaught(t *testing.T) {
	w := newWorld(t)
	w.appendEvents(t, "case-a", 4)
	w.checkpoint(t)
	rewrite(t, w.store.Conn(), jetstream.DefaultStreamName, "waymark.events.case-a", 1, func(m []*njs.RawStreamMsg) []*njs.RawStreamMsg {
		m[0].Data = bytes.Replace(m[0].Data, []byte("abcdef"), []byte("ABCDEF"), 1) // same length: the frame still reads
		return m
	})
	wantBreak(t, w.verifyAll(t), "case-a", 2, "does not link")
}

func TestChangedHeadIsCaughtByTheCheckpoint(t *testing.T) {
	w := newWorld(t)
	w.appendEvents(t, "case-a", 3)
	w.checkpoint(t)
	rewrite(t, w.store.Conn(), jetstream.DefaultStreamName, "waymark.events.case-a", 2, func(m []*njs.RawStreamMsg) []*njs.RawStreamMsg {
		m[0].Data = bytes.Replace(m[0].Data, []byte("abcdef"), []byte("ABCDEF"), 1)
		return m
	})
	// The chain alone cannot see it: nothing links to the last event.
	events, _ := w.store.ReadStream(t.Context(), "case-a", 0)
	if _, err := audit.CheckStream("case-a", events); err != nil {
		t.Fatalf("the chain alone: %v", err)
	}
	// Written again, the event is no longer where the checkpoint saw it.
	wantBreak(t, w.verifyAll(t), "case-a", 2, "checkpoint 1")
	cps, _ := audit.StoredCheckpoints(t.Context(), w.store)
	_, _, err := audit.VerifyStream(t.Context(), w.store, "case-a", cps, w.pub)
	wantBreak(t, err, "case-a", 2, "differs from checkpoint 1")
}

func TestDeletedMessageIsCaught(t *testing.T) {
	w := newWorld(t)
	w.appendEvents(t, "case-a", 4)
	rewrite(t, w.store.Conn(), jetstream.DefaultStreamName, "waymark.events.case-a", 1, func(m []*njs.RawStreamMsg) []*njs.RawStreamMsg { return m[1:] })
	wantBreak(t, w.verifyAll(t), "case-a", 1, "missing or out of order")
}

func TestReorderedMessagesAreCaught(t *testing.T) {
	w := newWorld(t)
	w.appendEvents(t, "case-a", 4)
	rewrite(t, w.store.Conn(), jetstream.DefaultStreamName, "waymark.events.case-a", 1, func(m []*njs.RawStreamMsg) []*njs.RawStreamMsg {
		return []*njs.RawStreamMsg{m[1], m[0], m[2]}
	})
	wantBreak(t, w.verifyAll(t), "case-a", 1, "missing or out of order")
}

func TestCheckpointOfAnotherKeyIsRefused(t *testing.T) {
	w := newWorld(t)
	w.appendEvents(t, "case-a", 2)
	_, forged, _ := ed25519.GenerateKey(rand.Reader)
	w.signer.Key = forged // someone with write access signs with a key of their own
	w.checkpoint(t)
	if err := w.verifyAll(t); !errors.Is(err, audit.ErrSignature) {
		t.Errorf("a checkpoint signed by another key: %v, want ErrSignature", err)
	}
}

func TestRemovedAccessLogEntryIsCaught(t *testing.T) {
	w := newWorld(t)
	w.appendEvents(t, "case-a", 1)
	for i := 0; i < 3; i++ {
		w.read(t, "a")
	}
	w.checkpoint(t)
	rewrite(t, w.store.Conn(), jsaccesslog.StreamName, "waymark.access.a", 1, func(m []*njs.RawStreamMsg) []*njs.RawStreamMsg { return m[1:] })
	err := w.verifyAll(t)
	wantBreak(t, err, "(access log)", 3, "checkpoint 1")
}

// A caller cancelling stops a verification.
func TestVerifyStops(t *testing.T) {
	w := newWorld(t)
	w.appendEvents(t, "case-a", 2)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := audit.VerifyAll(ctx, w.store, nil, nil, w.pub); err == nil {
		t.Error("a cancelled verification succeeded")
	}
}

// A checkpoint is one event, and an event has a size limit: when more streams changed
// than one checkpoint's heads can name, the signer makes several, each up to where its
// heads fit, and the history verifies against all of them — a change still caught.
func TestManyChangedStreamsMakeSeveralCheckpoints(t *testing.T) {
	w := newWorld(t)
	for i := range 12 {
		w.appendEvents(t, fmt.Sprintf("case-%02d", i), 2)
	}
	w.read(t, "a")
	w.signer.MaxHeadBytes = 4 * (len("case-00") + 64 + 48) // four heads each
	last, made, err := w.signer.Checkpoint(t.Context())
	if err != nil || !made || last.Sequence < 3 || last.AccessSeq != 1 {
		t.Fatalf("checkpoint: %+v, made %v, %v", last, made, err)
	}
	cps, _ := audit.StoredCheckpoints(t.Context(), w.store)
	covering := uint64(0) // the checkpoint that names case-05
	for _, c := range cps {
		if len(c.Heads) > 4 {
			t.Errorf("checkpoint %d names %d heads", c.Sequence, len(c.Heads))
		}
		if _, ok := c.Heads["case-05"]; ok {
			covering = c.Sequence
		}
	}
	if err := w.verifyAll(t); err != nil {
		t.Fatalf("verify: %v", err)
	}
	// Another signer (a replica, or the command line) stores the next: this one's
	// memory of the last is stale, and it starts again from the stream.
	other := &audit.Signer{Store: w.store, AccessLog: w.access, KeyID: "audit-1", Key: w.signer.Key, Now: w.signer.Now}
	w.appendEvents(t, "case-x", 1)
	if c, made, err := other.Checkpoint(t.Context()); err != nil || !made || c.Sequence != last.Sequence+1 {
		t.Fatalf("the other signer: %+v, %v, %v", c, made, err)
	}
	w.appendEvents(t, "case-y", 1)
	if c, made, err := w.signer.Checkpoint(t.Context()); err != nil || !made || c.Sequence != last.Sequence+2 {
		t.Fatalf("after the other signer: %+v, %v, %v", c, made, err)
	}
	if err := w.verifyAll(t); err != nil {
		t.Fatalf("verify: %v", err)
	}
	rewrite(t, w.store.Conn(), jetstream.DefaultStreamName, "waymark.events.case-05", 1, func(m []*njs.RawStreamMsg) []*njs.RawStreamMsg {
		m[0].Data = bytes.Replace(m[0].Data, []byte("abcdef"), []byte("ABCDEF"), 1)
		return m
	})
	wantBreak(t, w.verifyAll(t), "case-05", 1, fmt.Sprintf("checkpoint %d", covering))
}
