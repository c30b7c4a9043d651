package migrate_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/waymark-org/waymark/audit"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/eventstore/jetstream"
	"github.com/waymark-org/waymark/eventstore/migrate"
	"github.com/waymark-org/waymark/internal/testkit"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func openJetStream(t *testing.T) *jetstream.Store {
	t.Helper()
	s, err := jetstream.Open(t.Context(), jetstream.Config{DataDir: t.TempDir(), Sync: jetstream.SyncInterval, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func event(n int) eventstore.EventData {
	md := eventstore.Metadata{Actor: "user-7", Role: "caseworker", Organisation: "org-1",
		CommandID: fmt.Sprintf("cmd-%d", n), CorrelationID: "corr", RecordedAt: time.Date(2025, 3, 1, 9, 0, 0, n*1000, time.UTC)}
	if n%2 == 0 {
		md.CommandType, md.Fingerprint = "AddCaseNote", fmt.Sprintf("%064x", n)
	}
	return eventstore.EventData{ID: fmt.Sprintf("01900000-0000-7000-8000-%012x", n), Type: "CaseNoteAdded", SchemaVersion: 1 + n%2,
		Data: json.RawMessage(fmt.Sprintf(`{"n":%d,"personal":{"sealed":"c2VhbGVk"},"note":"a<b & c \u00e9"}`, n)), Metadata: md}
}

// fill writes an interleaved log of several stream kinds, single and multi-event
// appends, into s.
func fill(t *testing.T, s eventstore.Store) {
	t.Helper()
	n := 0
	streams := []string{"case-a", "organisation-o", "case-b", "revocation-token_x", "audit-checkpoints"}
	for round := range 12 {
		for i, stream := range streams {
			k := 1 + (round+i)%3
			batch := make([]eventstore.EventData, k)
			for j := range batch {
				n++
				batch[j] = event(n)
			}
			if _, err := s.Append(t.Context(), stream, eventstore.Any, batch...); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// log reads s's whole global log.
func log(t *testing.T, s eventstore.Store) []eventstore.RecordedEvent {
	t.Helper()
	head, err := s.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(t.Context(), eventstore.Start)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	var out []eventstore.RecordedEvent
	for len(out) == 0 || out[len(out)-1].Position.Before(head) {
		select {
		case e := <-sub.Events():
			out = append(out, e)
		case <-time.After(15 * time.Second):
			t.Fatalf("log: %d events, then nothing", len(out))
		}
	}
	return out
}

// sameLog asserts two stores' logs are the same events in the same order, byte for
// byte (the positions are each store's own).
func sameLog(t *testing.T, what string, got, want []eventstore.RecordedEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Stream != w.Stream || g.Revision != w.Revision || g.Metadata.Hash != w.Metadata.Hash || string(g.Raw) != string(w.Raw) {
			t.Fatalf("%s: event %d is %s %s@%d %s, want %s %s@%d %s", what, i, g.ID, g.Stream, g.Revision, g.Metadata.Hash, w.ID, w.Stream, w.Revision, w.Metadata.Hash)
		}
	}
}

func verify(t *testing.T, what string, s eventstore.Store) {
	t.Helper()
	r, err := audit.VerifyAll(t.Context(), s, nil, nil, nil)
	if err != nil {
		t.Fatalf("verify %s: %v", what, err)
	}
	if r.Events == 0 {
		t.Fatalf("verify %s: no events verified", what)
	}
}

// JetStream → KurrentDB (the double) → JetStream: the same log, byte for byte and in
// the same order, and verify passes on each. The first copy is interrupted halfway
// (its target already holds part of the log, as a copy stopped by a crash leaves it)
// and resumed; a copy run again on a complete target copies nothing.
func TestJetStreamToKurrentDBAndBack(t *testing.T) {
	src := openJetStream(t)
	fill(t, src)
	want := log(t, src)

	_, kdb := testkit.KurrentDBStore(t)

	// An interrupted copy: the target holds the first part of the log, in order, as a
	// copy stopped by a crash leaves it.
	for _, e := range want[:len(want)/2] {
		exp := eventstore.NoStream
		if e.Revision > 0 {
			exp = eventstore.Exact(e.Revision - 1)
		}
		if _, err := kdb.Append(t.Context(), e.Stream, exp, e.EventData); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := migrate.Copy(t.Context(), src, kdb, nil)
	if err != nil {
		t.Fatalf("JetStream → KurrentDB: %v", err)
	}
	if rep.Events != len(want) || rep.Skipped == 0 || rep.Copied+rep.Skipped != len(want) {
		t.Errorf("JetStream → KurrentDB: %+v for %d events, some already there", rep, len(want))
	}
	verify(t, "KurrentDB", kdb)
	sameLog(t, "JetStream → KurrentDB", log(t, kdb), want)
	again, err := migrate.Copy(t.Context(), src, kdb, nil)
	if err != nil || again.Copied != 0 || again.Skipped != len(want) {
		t.Errorf("a second copy onto a complete target: %+v, %v; want nothing copied", again, err)
	}

	back := openJetStream(t)
	if _, err := migrate.Copy(t.Context(), kdb, back, nil); err != nil {
		t.Fatalf("KurrentDB → JetStream: %v", err)
	}
	sameLog(t, "JetStream → KurrentDB → JetStream", log(t, back), want)
	verify(t, "JetStream after the round trip", back)
	for _, stream := range []string{"case-a", "case-b", "organisation-o", "revocation-token_x", "audit-checkpoints"} {
		events, err := back.ReadStream(t.Context(), stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := eventstore.VerifyChain(stream, events); err != nil {
			t.Error(err)
		}
	}
}

// A target with a different history for a stream stops the copy, writing nothing
// more to that stream.
func TestDivergedTargetStops(t *testing.T) {
	src := openJetStream(t)
	fill(t, src)
	dst := openJetStream(t)
	other := event(9999)
	if _, err := dst.Append(t.Context(), "case-a", eventstore.NoStream, other); err != nil {
		t.Fatal(err)
	}
	if _, err := migrate.Copy(t.Context(), src, dst, nil); !errors.Is(err, migrate.ErrDiverged) {
		t.Fatalf("copy onto a diverged target: %v, want ErrDiverged", err)
	}
	events, err := dst.ReadStream(t.Context(), "case-a", 0)
	if err != nil || len(events) != 1 || events[0].ID != other.ID {
		t.Errorf("the diverged stream changed: %d events, %v", len(events), err)
	}
}
