package jsleader_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/internal/jsleader"
	"github.com/waymark-org/waymark/internal/natstest"
)

// The leader's answers, on a real three-node cluster: by sequence, last and next by
// subject, headers included, and "not found" as ErrNotFound (jetstream.ErrMsgNotFound
// through Raw).
func TestLeaderReads(t *testing.T) {
	cluster := natstest.Start(t)
	nc, err := nats.Connect(cluster.URLs(), nats.UserInfo(natstest.AppUser, natstest.AppPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx := context.Background()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Replicas: 3, AllowDirect: true}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct{ subject, data string }{{"t.a", "a1"}, {"t.b", "b1"}, {"t.a", "a2"}} {
		msg := nats.NewMsg(m.subject)
		msg.Data = []byte(m.data)
		msg.Header.Set("Waymark-Test", m.data)
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, msg jsleader.Msg, err error, seq uint64, data string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if msg.Sequence != seq || string(msg.Data) != data || msg.Header.Get("Waymark-Test") != data {
			t.Errorf("%s: seq %d data %q header %q; want %d %q", what, msg.Sequence, msg.Data, msg.Header.Get("Waymark-Test"), seq, data)
		}
	}
	msg, err := jsleader.Seq(ctx, nc, "T", 2)
	check("seq 2", msg, err, 2, "b1")
	msg, err = jsleader.LastBySubject(ctx, nc, "T", "t.a")
	check("last of t.a", msg, err, 3, "a2")
	msg, err = jsleader.NextBySubject(ctx, nc, "T", 2, "t.a")
	check("next of t.a from 2", msg, err, 3, "a2")

	if _, err := jsleader.LastBySubject(ctx, nc, "T", "t.none"); !errors.Is(err, jsleader.ErrNotFound) {
		t.Errorf("last of a subject without messages: %v; want ErrNotFound", err)
	}
	if _, err := jsleader.Raw(jsleader.Seq(ctx, nc, "T", 99)); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("Raw of a sequence past the end: %v; want jetstream.ErrMsgNotFound", err)
	}
	if _, err := jsleader.Seq(ctx, nc, "NOSUCH", 1); err == nil || errors.Is(err, jsleader.ErrNotFound) {
		t.Errorf("a stream that does not exist: %v; want an error other than ErrNotFound", err)
	}
}
