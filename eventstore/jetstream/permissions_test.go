package jetstream

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
)

// wantRefused sends a request on subject and checks that the server refused it as a
// publish the analyst may not make: no answer, and a permissions violation.
func wantRefused(t *testing.T, nc *nats.Conn, errs asyncErrors, subject string) {
	t.Helper()
	if _, err := nc.Request(subject, []byte(`{}`), 300*time.Millisecond); !errors.Is(err, nats.ErrTimeout) {
		t.Errorf("request %s: got %v, want no answer", subject, err)
	}
	var violations []string
	for len(errs) > 0 {
		violations = append(violations, (<-errs).Error())
	}
	want := strings.ToLower(fmt.Sprintf("permissions violation for publish to %q", subject))
	if !strings.Contains(strings.ToLower(strings.Join(violations, "\n")), want) {
		t.Errorf("request %s: violations %v", subject, violations)
	}
}

// TestAnalystLeastPrivilege: an analyst over TCP reads the analysts' stream (stream
// info and lists, consumers of its own, fetch, ack, direct get) and does nothing
// else: no stream created, changed, purged or deleted, no message deleted, nothing
// published to the feed, none of Waymark's consumer, none of AppAccount's subjects.
func TestAnalystLeastPrivilege(t *testing.T) {
	s := openWithAnalyst(t, t.TempDir())
	p := pseudonym(1)
	for i := range 3 {
		publishFeed(t, s, p, fmt.Sprintf("step-%d", i))
	}
	waitFor(t, "3 messages copied", func() bool { return copyCount(t, s) == 3 })
	waitOriginRecorded(t, s.AnalystsStream())
	nc, errs := connectAnalyst(t, s, testAnalyst, testAnalystPassword)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	t.Run("Allowed", func(t *testing.T) {
		st, err := js.Stream(ctx, analytics.StreamName)
		if err != nil {
			t.Fatalf("stream info: %v", err)
		}
		var names []string
		for n := range js.StreamNames(ctx).Name() {
			names = append(names, n)
		}
		if fmt.Sprint(names) != "["+analytics.StreamName+"]" {
			t.Errorf("stream names %v", names)
		}
		lister := js.ListStreams(ctx)
		for range lister.Info() {
		}
		if lister.Err() != nil {
			t.Errorf("stream list: %v", lister.Err())
		}
		last, err := st.GetLastMsgForSubject(ctx, "waymark.analytics.mx."+p+".step-2")
		if err != nil || !strings.Contains(string(last.Data), "step-2") {
			t.Errorf("get the last message of a subject: %v", err)
		}
		if _, err := st.GetMsg(ctx, 1, jetstream.WithGetMsgSubject(">")); err != nil {
			t.Errorf("get a message: %v", err)
		}
		if _, err := st.GetMsg(ctx, 1); err != nil {
			t.Errorf("get a message: %v", err)
		}
		// A filtered ephemeral consumer, a durable one, their info, lists, fetch, ack, delete.
		eph, err := st.CreateConsumer(ctx, jetstream.ConsumerConfig{Name: "alice-eph", FilterSubject: "waymark.analytics.mx.>", AckPolicy: jetstream.AckExplicitPolicy, InactiveThreshold: time.Minute})
		if err != nil {
			t.Fatalf("create a filtered consumer: %v", err)
		}
		if got := fetchAll(t, eph, 3); len(got) != 3 {
			t.Errorf("fetched %d", len(got))
		}
		if _, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "alice-durable", AckPolicy: jetstream.AckExplicitPolicy, Description: "v2"}); err != nil {
			t.Errorf("create or update a durable consumer: %v", err)
		}
		if _, err := st.Consumer(ctx, "alice-durable"); err != nil {
			t.Errorf("consumer info: %v", err)
		}
		names = nil
		for n := range st.ConsumerNames(ctx).Name() {
			names = append(names, n)
		}
		if len(names) != 3 { // the two and Waymark's
			t.Errorf("consumer names %v", names)
		}
		cl := st.ListConsumers(ctx)
		for range cl.Info() {
		}
		if cl.Err() != nil {
			t.Errorf("consumer list: %v", cl.Err())
		}
		if err := st.DeleteConsumer(ctx, "alice-durable"); err != nil {
			t.Errorf("delete a consumer: %v", err)
		}
		errs.none(t)
	})

	t.Run("Refused", func(t *testing.T) {
		st := analytics.StreamName
		for _, subject := range []string{
			"$JS.API.STREAM.CREATE.MINE",
			"$JS.API.STREAM.UPDATE." + st,
			"$JS.API.STREAM.DELETE." + st,
			"$JS.API.STREAM.PURGE." + st,
			"$JS.API.STREAM.MSG.DELETE." + st,
			"$JS.API.INFO",
			// Waymark's consumer: every way in.
			"$JS.API.CONSUMER.INFO." + st + "." + TombstoneConsumer,
			"$JS.API.CONSUMER.DELETE." + st + "." + TombstoneConsumer,
			"$JS.API.CONSUMER.CREATE." + st + "." + TombstoneConsumer,
			"$JS.API.CONSUMER.CREATE." + st + "." + TombstoneConsumer + ".waymark.analytics.>",
			"$JS.API.CONSUMER.DURABLE.CREATE." + st + "." + TombstoneConsumer,
			"$JS.API.CONSUMER.MSG.NEXT." + st + "." + TombstoneConsumer,
			"$JS.ACK." + st + "." + TombstoneConsumer + ".1.1.1.1.0",
			// The name in the body, not the subject: refused as a whole.
			"$JS.API.CONSUMER.CREATE." + st,
			"$JS.API.CONSUMER.PAUSE." + st + ".alice-eph",
			// AppAccount's JetStream, through the sourcing import or by name.
			sourcingAPIPrefix + ".CONSUMER.CREATE." + st,
			"$JS.FC." + st + ".x.y",
			"$JS.API.STREAM.INFO." + DefaultStreamName,
			"$JS.API.DIRECT.GET." + DefaultStreamName,
			// The feed itself.
			"waymark.analytics.mx." + p + ".forged",
			analytics.TombstoneSubject("MX"),
		} {
			wantRefused(t, nc, errs, subject)
		}
		got := make(chan *nats.Msg, 16)
		for _, subject := range []string{"waymark.events.>", ">", "_INBOX.>", AnalystInboxPrefix("bob") + ".>", sourcingDeliverPrefix + ".>", "$JS.FC.>"} {
			if _, err := nc.ChanSubscribe(subject, got); err != nil {
				t.Fatal(err)
			}
			wantPermissionViolation(t, errs.next(t), "Subscription to", subject)
		}
	})

	// Nothing changed: the copy, its one stream, Waymark's consumer.
	if n := copyCount(t, s); n != 3 {
		t.Errorf("the copy holds %d messages", n)
	}
	if _, err := s.analysts.js.Consumer(ctx, analytics.StreamName, TombstoneConsumer); err != nil {
		t.Errorf("Waymark's consumer: %v", err)
	}
	if acc, _ := s.Server().LookupAccount(AnalyticsAccount); acc.JetStreamUsage().Streams != 1 {
		t.Error("a stream was created")
	}
	if !nc.IsConnected() {
		t.Error("connection closed")
	}
}

// TestAnalystsUserNotOverTCP: Waymark's own user in AnalyticsAccount logs in only
// in-process, even with its password.
func TestAnalystsUserNotOverTCP(t *testing.T) {
	s := openListening(t)
	if _, err := connectTCP(t, s, nats.UserInfo(AnalystsUser, s.cfg.analystsPassword)); !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("over TCP: %v, want refused", err)
	}
	nc, err := nats.Connect("", nats.InProcessServer(s.Server()), nats.UserInfo(AnalystsUser, s.cfg.analystsPassword))
	if err != nil {
		t.Fatalf("in-process: %v", err)
	}
	nc.Close()
}

// TestConfiguredAnalyticsUserIsAnAnalyst: the --nats-analytics-user login reads the
// analysts' stream like a per-analyst user (with its inbox prefix); one whose name
// cannot be an inbox token keeps the core feed only.
func TestConfiguredAnalyticsUserIsAnAnalyst(t *testing.T) {
	s := openListening(t)
	publishFeed(t, s, pseudonym(1), "step-0")
	waitFor(t, "1 message copied", func() bool { return copyCount(t, s) == 1 })
	waitOriginRecorded(t, s.AnalystsStream())
	nc, errs := connectAnalyst(t, s, testAnalyticsUser, testAnalyticsPassword)
	js, _ := jetstream.New(nc)
	c, err := js.CreateOrUpdateConsumer(t.Context(), analytics.StreamName, jetstream.ConsumerConfig{Durable: "demo", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if got := fetchAll(t, c, 1); !strings.Contains(got[0], "step-0") {
		t.Errorf("read %q", got)
	}
	errs.none(t)
	wantRefused(t, nc, errs, "$JS.API.STREAM.PURGE."+analytics.StreamName)

	odd := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval, ListenAddr: "127.0.0.1:0", AnalyticsUser: "odd.name", AnalyticsPassword: "odd-password"})
	defer odd.Close()
	errs = make(asyncErrors, 16)
	onc, err := connectTCP(t, odd, nats.UserInfo("odd.name", "odd-password"), nats.ErrorHandler(errs.handler), nats.CustomInboxPrefix("_INBOX.odd.name"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onc.SubscribeSync(AnalyticsSubjects); err != nil {
		t.Fatal(err)
	}
	if err := onc.Flush(); err != nil {
		t.Fatal(err)
	}
	errs.none(t)
	wantRefused(t, onc, errs, "$JS.API.STREAM.INFO."+analytics.StreamName)
}
