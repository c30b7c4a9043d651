package jetstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/natsembed"
)

const (
	testAnalyticsUser     = "analytics"
	testAnalyticsPassword = "analytics-password"
)

// openListening opens a store whose embedded server listens on a free loopback port,
// with the analytics user.
func openListening(t *testing.T) *Store {
	t.Helper()
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval, ListenAddr: "127.0.0.1:0",
		AnalyticsUser: testAnalyticsUser, AnalyticsPassword: testAnalyticsPassword})
	t.Cleanup(func() { s.Close() })
	return s
}

// asyncErrors records a connection's asynchronous errors (permission violations).
type asyncErrors chan error

func (e asyncErrors) handler(_ *nats.Conn, _ *nats.Subscription, err error) {
	select {
	case e <- err:
	default:
	}
}

// next waits for the next asynchronous error.
func (e asyncErrors) next(t *testing.T) error {
	t.Helper()
	select {
	case err := <-e:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("no asynchronous error")
		return nil
	}
}

// none checks that no asynchronous error came.
func (e asyncErrors) none(t *testing.T) {
	t.Helper()
	select {
	case err := <-e:
		t.Errorf("unexpected asynchronous error: %v", err)
	default:
	}
}

// connectTCP connects to s's client port over TCP.
func connectTCP(t *testing.T, s *Store, opts ...nats.Option) (*nats.Conn, error) {
	t.Helper()
	// A generous connect timeout: a bcrypt check may take seconds under the race
	// detector on a busy machine.
	opts = append([]nats.Option{nats.Timeout(time.Minute)}, opts...)
	nc, err := nats.Connect(s.Server().ClientURL(), append(opts, nats.NoReconnect())...)
	if err == nil {
		t.Cleanup(nc.Close)
	}
	return nc, err
}

// connectAnalytics connects over TCP as the analytics user, its asynchronous errors
// going to the returned channel.
func connectAnalytics(t *testing.T, s *Store) (*nats.Conn, asyncErrors) {
	t.Helper()
	errs := make(asyncErrors, 16)
	nc, err := connectTCP(t, s, nats.UserInfo(testAnalyticsUser, testAnalyticsPassword), nats.ErrorHandler(errs.handler))
	if err != nil {
		t.Fatalf("analytics user: %v", err)
	}
	return nc, errs
}

// wantPermissionViolation checks that err is the server's permissions violation for op
// ("Publish to" or "Subscription to") subject.
func wantPermissionViolation(t *testing.T, err error, op, subject string) {
	t.Helper()
	want := strings.ToLower(fmt.Sprintf("permissions violation for %s %q", op, subject))
	if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(strings.ToLower(err.Error()), want) {
		t.Errorf("got %v, want a permissions violation for %s %q", err, op, subject)
	}
}

func TestConfigCredentialErrors(t *testing.T) {
	const url = "nats://127.0.0.1:4222"
	for name, cfg := range map[string]Config{
		"analytics user without password": {DataDir: "d", AnalyticsUser: "analytics"},
		"analytics password without user": {DataDir: "d", AnalyticsPassword: "secret"},
		"analytics user is waymark":       {DataDir: "d", AnalyticsUser: AppUser, AnalyticsPassword: "secret"},
		"app password like bcrypt":        {DataDir: "d", AppPassword: "$2a$11$abc"},
		"nats user embedded":              {DataDir: "d", NATSUser: "u", NATSPassword: "p"},
		"nats creds embedded":             {DataDir: "d", NATSCredsFile: "x.creds"},
		"analytics user external":         {NATSURL: url, AnalyticsUser: "a", AnalyticsPassword: "p"},
		"app password external":           {NATSURL: url, AppPassword: "p"},
		"nats user without password":      {NATSURL: url, NATSUser: "u"},
		"nats password without user":      {NATSURL: url, NATSPassword: "p"},
		"nats user and creds":             {NATSURL: url, NATSUser: "u", NATSPassword: "p", NATSCredsFile: "x.creds"},
		"analysts user embedded":          {DataDir: "d", AnalystsNATSUser: "w", AnalystsNATSPassword: "p"},
		"analysts user without password":  {NATSURL: url, AnalystsNATSUser: "w"},
		"analysts user and creds":         {NATSURL: url, AnalystsNATSUser: "w", AnalystsNATSPassword: "p", AnalystsNATSCredsFile: "x.creds"},
		"analytics user is waymark's":     {DataDir: "d", AnalyticsUser: AnalystsUser, AnalyticsPassword: "secret"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := cfg.withDefaults(); err == nil {
				t.Error("accepted")
			}
		})
	}
	for name, cfg := range map[string]Config{
		"embedded":           {DataDir: "d"},
		"embedded, all":      {DataDir: "d", AppPassword: "p", AnalyticsUser: "a", AnalyticsPassword: "q"},
		"analytics bcrypt":   {DataDir: "d", AnalyticsUser: "a", AnalyticsPassword: "$2a$11$abc"},
		"external":           {NATSURL: url},
		"external, user":     {NATSURL: url, NATSUser: "u", NATSPassword: "p"},
		"external, creds":    {NATSURL: url, NATSCredsFile: "x.creds"},
		"external, in url":   {NATSURL: "nats://u:p@127.0.0.1:4222"},
		"external, cluster":  {NATSURL: url + ",nats://127.0.0.2:4222", NATSUser: "u", NATSPassword: "p"},
		"external, analysts": {NATSURL: url, AnalystsNATSUser: "w", AnalystsNATSPassword: "p"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := cfg.withDefaults(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestAccounts: JetStream is on for AppAccount and AnalyticsAccount (analysts.go), and
// the event stream and the feed's are in AppAccount.
func TestAccounts(t *testing.T) {
	s := openListening(t)
	srv := s.Server()
	for name, want := range map[string]bool{AppAccount: true, AnalyticsAccount: true, "$G": false} {
		acc, err := srv.LookupAccount(name)
		if err != nil {
			t.Fatalf("account %s: %v", name, err)
		}
		if acc.JetStreamEnabled() != want {
			t.Errorf("account %s: jetstream enabled %v, want %v", name, acc.JetStreamEnabled(), want)
		}
	}
	acc, _ := srv.LookupAccount(AppAccount)
	if n := acc.JetStreamUsage().Streams; n != 2 {
		t.Errorf("%d streams in %s, want 2", n, AppAccount)
	}
	if srv.NumClients() != 2 { // Waymark's own connections, one in each account
		t.Errorf("%d clients", srv.NumClients())
	}
}

// TestClientPortRequiresCredentials: over TCP, only the waymark user (with this
// start's password) and the analytics user get in.
func TestClientPortRequiresCredentials(t *testing.T) {
	s := openListening(t)
	user, password := s.ReplicaCredentials()
	if user != AppUser || len(password) < 26 {
		t.Fatalf("replica credentials %q and a password of %d characters", user, len(password))
	}
	for name, c := range map[string]struct {
		opts []nats.Option
		ok   bool
	}{
		"no credentials":            {nil, false},
		"analytics, wrong password": {[]nats.Option{nats.UserInfo(testAnalyticsUser, "wrong")}, false},
		"analytics, no password":    {[]nats.Option{nats.UserInfo(testAnalyticsUser, "")}, false},
		"analytics, app password":   {[]nats.Option{nats.UserInfo(testAnalyticsUser, password)}, false},
		"waymark, wrong password":   {[]nats.Option{nats.UserInfo(AppUser, "wrong")}, false},
		"waymark, analytics pwd":    {[]nats.Option{nats.UserInfo(AppUser, testAnalyticsPassword)}, false},
		"unknown user":              {[]nats.Option{nats.UserInfo("admin", "admin")}, false},
		"token":                     {[]nats.Option{nats.Token(password)}, false},
		"analytics":                 {[]nats.Option{nats.UserInfo(testAnalyticsUser, testAnalyticsPassword)}, true},
		"waymark":                   {[]nats.Option{nats.UserInfo(user, password)}, true},
	} {
		t.Run(name, func(t *testing.T) {
			nc, err := connectTCP(t, s, c.opts...)
			switch {
			case c.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case c.ok && !nc.IsConnected():
				t.Fatal("not connected")
			case !c.ok && !errors.Is(err, nats.ErrAuthorization):
				t.Fatalf("got %v, want %v", err, nats.ErrAuthorization)
			}
		})
	}
}

// TestNoAnalyticsUser: without Config.AnalyticsUser only the waymark user gets in.
func TestNoAnalyticsUser(t *testing.T) {
	s := mustOpen(t, Config{DataDir: t.TempDir(), Sync: SyncInterval, ListenAddr: "127.0.0.1:0"})
	defer s.Close()
	for _, opts := range [][]nats.Option{
		nil,
		{nats.UserInfo(testAnalyticsUser, testAnalyticsPassword)},
		{nats.UserInfo(testAnalyticsUser, "")},
	} {
		if _, err := connectTCP(t, s, opts...); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("got %v, want %v", err, nats.ErrAuthorization)
		}
	}
	if _, err := connectTCP(t, s, nats.UserInfo(s.ReplicaCredentials())); err != nil {
		t.Errorf("waymark user: %v", err)
	}
}

// TestAnalyticsUserReceivesAnalyticsSubjects: what Waymark publishes on the analytics
// subjects from its in-process connection reaches the analytics user over TCP.
func TestAnalyticsUserReceivesAnalyticsSubjects(t *testing.T) {
	s := openListening(t)
	nc, errs := connectAnalytics(t, s)
	sub, err := nc.SubscribeSync(AnalyticsSubjects)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Conn().Publish("waymark.analytics.test", fmt.Appendf(nil, "stat-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		msg, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if msg.Subject != "waymark.analytics.test" || string(msg.Data) != fmt.Sprintf("stat-%d", i) {
			t.Errorf("got %s %q", msg.Subject, msg.Data)
		}
	}
	errs.none(t)
}

// TestAnalyticsUserCannotReadEvents: the analytics user's subscription to the event
// subjects (or to everything) is refused, and it receives nothing while events are
// appended.
func TestAnalyticsUserCannotReadEvents(t *testing.T) {
	s := openListening(t)
	nc, errs := connectAnalytics(t, s)
	got := make(chan *nats.Msg, 16)
	for _, subject := range []string{"waymark.events.>", ">", "$KV.>", "_INBOX.>"} {
		if _, err := nc.ChanSubscribe(subject, got); err != nil {
			t.Fatalf("subscribe %s: %v", subject, err) // refused by the server, asynchronously
		}
		wantPermissionViolation(t, errs.next(t), "Subscription to", subject)
	}
	// A subscription that is allowed proves the connection still delivers.
	allowed, err := nc.SubscribeSync("waymark.analytics.probe")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 3)...)
	mustAppendT(t, s, "case-2", eventstore.NoStream, testEvents("f", 1)...)
	// Published by the same connection after the appends, the probe arrives after
	// any event message would have.
	if err := s.Conn().Publish("waymark.analytics.probe", []byte("after the appends")); err != nil {
		t.Fatal(err)
	}
	if _, err := allowed.NextMsg(5 * time.Second); err != nil {
		t.Fatalf("the allowed subscription: %v", err)
	}
	select {
	case msg := <-got:
		t.Fatalf("analytics user received %s", msg.Subject)
	case <-time.After(200 * time.Millisecond):
	}
	errs.none(t)
	if !nc.IsConnected() {
		t.Error("connection closed")
	}
}

// TestAnalyticsUserCannotPublish: the analytics user cannot write an event, nor call
// the JetStream API (stream info, direct gets of events or of a key bucket): the
// server refuses every publish with a permissions violation, so requests get no
// response at all, and nothing reaches the stream.
func TestAnalyticsUserCannotPublish(t *testing.T) {
	s := openListening(t)
	mustAppendT(t, s, "case-1", eventstore.NoStream, testEvents("e", 2)...)
	// A bucket of Waymark's account, like the case keys' bucket.
	wjs, _ := jetstream.New(s.Conn())
	kv, err := wjs.CreateKeyValue(t.Context(), jetstream.KeyValueConfig{Bucket: "keys_test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(t.Context(), "case-1", []byte("key material")); err != nil {
		t.Fatal(err)
	}
	nc, errs := connectAnalytics(t, s)

	// A plain publish: accepted by the client library, refused by the server.
	if err := nc.Publish("waymark.events.x", []byte("forged")); err != nil {
		t.Fatalf("publish: %v", err)
	}
	wantPermissionViolation(t, errs.next(t), "Publish to", "waymark.events.x")
	if err := nc.Publish("waymark.analytics.x", []byte("fake statistic")); err != nil {
		t.Fatalf("publish: %v", err)
	}
	wantPermissionViolation(t, errs.next(t), "Publish to", "waymark.analytics.x")

	// Requests: refused the same way; nothing answers, so each times out. (The reply
	// subscription on _INBOX is refused too, as a subscription.)
	for _, subject := range []string{
		"$JS.API.STREAM.INFO." + DefaultStreamName,
		"$JS.API.INFO",
		"$JS.API.DIRECT.GET." + DefaultStreamName,
		"$JS.API.DIRECT.GET.KV_keys_test.$KV.keys_test.case-1",
		"$JS.API.STREAM.CREATE.MINE",
	} {
		_, err := nc.Request(subject, []byte(`{}`), 300*time.Millisecond)
		if !errors.Is(err, nats.ErrTimeout) {
			t.Errorf("request %s: got %v, want %v", subject, err, nats.ErrTimeout)
		}
		var violations []string
		for len(errs) > 0 {
			violations = append(violations, (<-errs).Error())
		}
		joined := strings.ToLower(strings.Join(violations, "\n"))
		if !strings.Contains(joined, fmt.Sprintf("permissions violation for publish to %q", strings.ToLower(subject))) {
			t.Errorf("request %s: violations %v", subject, violations)
		}
	}
	// Through the JetStream client too.
	ajs, _ := jetstream.New(nc, jetstream.WithDefaultTimeout(300*time.Millisecond))
	if _, err := ajs.Stream(t.Context(), DefaultStreamName); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stream info through jetstream: got %v, want a timeout", err)
	}

	// Nothing was written.
	if _, err := s.stream.GetLastMsgForSubject(t.Context(), "waymark.events.x"); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("message on waymark.events.x: %v", err)
	}
	info, err := s.stream.Info(t.Context())
	if err != nil || info.State.Msgs != 1 {
		t.Errorf("stream has %v messages (%v), want 1", info.State.Msgs, err)
	}
	if names := wjs.StreamNames(t.Context()); names.Err() == nil {
		for n := range names.Name() {
			if n == "MINE" {
				t.Error("the analytics user created a stream")
			}
		}
	}
	if !nc.IsConnected() {
		t.Error("connection closed")
	}
}

// TestAppPasswordRandomAndNeverLogged: the waymark user's password is new at every
// start, and neither the logs (at debug level, and with the server's protocol traces
// turned on, which show the CONNECT lines that carry it) nor the data dir ever hold
// it.
func TestAppPasswordRandomAndNeverLogged(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: natsembed.LevelTrace}))
	dir := t.TempDir()
	cfg := Config{DataDir: dir, Sync: SyncInterval, ListenAddr: "127.0.0.1:0", Logger: logger,
		AnalyticsUser: testAnalyticsUser, AnalyticsPassword: testAnalyticsPassword}

	var passwords []string
	for range 3 {
		s := mustOpen(t, cfg)
		_, password := s.ReplicaCredentials()
		passwords = append(passwords, password)
		mustAppendT(t, s, "case-1", eventstore.Any, testEvents("e", 1)...)
		// Traces are off in Waymark (they carry payloads); on here, they show the
		// CONNECT lines.
		s.Server().SetLoggerV2(&natsembed.Logger{Log: logger.With("component", "nats-server")}, true, true, false)
		// A replica joins over TCP; a client tries a wrong password.
		r := mustOpen(t, replicaConfig(s))
		mustAppendT(t, r, "case-1", eventstore.Any, testEvents("r", 1)...)
		if _, err := connectTCP(t, s, nats.UserInfo(AppUser, password+"x")); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("wrong password: %v", err)
		}
		logger.Info("configuration", "config", replicaConfig(s))
		logger.Info(fmt.Sprint(replicaConfig(s)), "go", fmt.Sprintf("%#v", replicaConfig(s)))
		r.Close()
		s.Close()
	}
	for i, p := range passwords {
		if len(p) < 26 {
			t.Errorf("password %d has %d characters", i, len(p))
		}
		for _, q := range passwords[:i] {
			if p == q {
				t.Error("the same password at two starts")
			}
		}
	}

	out := logs.String()
	if strings.Contains(out, "level=WARN") {
		t.Errorf("warnings at start:\n%s", out)
	}
	// The scan means something only if the logs hold the server's debug logs and its
	// traces of the CONNECT lines.
	if !strings.Contains(out, "level=DEBUG") || strings.Count(out, "CONNECT") < 3*2 ||
		!strings.Contains(out, `\"user\":\"waymark\"`) || !strings.Contains(out, `authentication error - User \"waymark\"`) {
		t.Fatalf("no traces of the CONNECT lines in the logs:\n%s", out)
	}
	for _, secret := range append(passwords, testAnalyticsPassword) {
		if strings.Contains(out, secret) {
			t.Errorf("the logs hold the password %q", secret)
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, p := range passwords {
			if bytes.Contains(b, []byte(p)) {
				t.Errorf("%s holds a password", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestConfiguredAppPassword: a configured password is the waymark user's, at every
// start.
func TestConfiguredAppPassword(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		s := mustOpen(t, Config{DataDir: dir, Sync: SyncInterval, ListenAddr: "127.0.0.1:0", AppPassword: "configured-password"})
		if u, p := s.ReplicaCredentials(); u != AppUser || p != "configured-password" {
			t.Errorf("replica credentials %q %q", u, p)
		}
		if _, err := connectTCP(t, s, nats.UserInfo(AppUser, "configured-password")); err != nil {
			t.Error(err)
		}
		s.Close()
	}
}

func TestReplicaCredentials(t *testing.T) {
	s := openListening(t)

	t.Run("Joins", func(t *testing.T) {
		r := mustOpen(t, replicaConfig(s))
		defer r.Close()
		if u, p := r.ReplicaCredentials(); u != "" || p != "" {
			t.Errorf("a store on an external server has replica credentials %q %q", u, p)
		}
		mustAppendT(t, r, "case-r", eventstore.NoStream, testEvents("r", 2)...)
		events, err := s.ReadStream(t.Context(), "case-r", 0)
		if err != nil || len(events) != 2 {
			t.Errorf("read the replica's events: %d, %v", len(events), err)
		}
	})
	for name, cfg := range map[string]Config{
		"no credentials": {NATSURL: s.Server().ClientURL()},
		"analytics user": {NATSURL: s.Server().ClientURL(), NATSUser: testAnalyticsUser, NATSPassword: testAnalyticsPassword},
		"wrong password": {NATSURL: s.Server().ClientURL(), NATSUser: AppUser, NATSPassword: "wrong"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Logger = quietLogger()
			if r, err := Open(t.Context(), cfg); err == nil {
				r.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
}

// TestMovesLegacyStore: the data dir of a server without accounts (events under the
// global account) opens with its events, now under AppAccount.
func TestMovesLegacyStore(t *testing.T) {
	dir := t.TempDir()
	srv := startTestServer(t, dir)
	old := mustOpen(t, Config{NATSURL: srv.ClientURL()})
	mustAppendT(t, old, "case-1", eventstore.NoStream, testEvents("e", 3)...)
	old.Close()
	srv.Shutdown()
	srv.WaitForShutdown()
	legacy := filepath.Join(dir, "jetstream", legacyAccountDir)
	if _, err := os.Stat(filepath.Join(legacy, "streams", DefaultStreamName)); err != nil {
		t.Fatalf("no legacy store: %v", err)
	}

	for i := range 2 { // moved once, then opened where it is
		s := mustOpen(t, Config{DataDir: dir})
		events, err := s.ReadStream(t.Context(), "case-1", 0)
		if err != nil || len(events) != 3+i {
			t.Fatalf("read after the move: %d events, %v", len(events), err)
		}
		if err := eventstore.VerifyChain("case-1", events); err != nil {
			t.Error(err)
		}
		mustAppendT(t, s, "case-1", eventstore.Exact(uint64(len(events)-1)), testEvents(fmt.Sprint("n", len(events)), 1)...)
		s.Close()
	}
	if _, err := os.Stat(legacy); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("legacy store still there: %v", err)
	}

	// Both stores at once: refuse rather than pick one.
	if err := os.MkdirAll(filepath.Join(legacy, "streams"), 0o750); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(t.Context(), Config{DataDir: dir, Logger: quietLogger()}); err == nil {
		s.Close()
		t.Fatal("Open succeeded with both a legacy store and an account store")
	}
}

// TestConfigRedactsSecrets: printing or logging a Config shows no password.
func TestConfigRedactsSecrets(t *testing.T) {
	cfg := Config{DataDir: "/data", AppPassword: "app-secret", AnalyticsUser: "analytics",
		AnalyticsPassword: "analytics-secret", NATSURL: "nats://bob:url-secret@a:4222, nats://token-secret@b:4222",
		NATSUser: "u", NATSPassword: "nats-secret", AnalystsNATSUser: "w", AnalystsNATSPassword: "analysts-secret",
		analystsPassword: "internal-secret"}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg)
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg), logs.String()} {
		for _, secret := range []string{"app-secret", "analytics-secret", "url-secret", "token-secret", "nats-secret", "analysts-secret", "internal-secret"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q shows %s", out, secret)
			}
		}
		if !strings.Contains(out, "/data") || !strings.Contains(out, "analytics") {
			t.Errorf("%q does not show the rest", out)
		}
	}
}

// A login whose password check takes longer than the server's default first PING (2
// to 2.4 seconds after the CONNECT) still gets in: the client would otherwise read
// that PING where it waits for its PONG and fail ("expected 'PONG', got 'PING'"),
// which a bcrypt check on a busy machine caused.
func TestSlowPasswordCheckLogsIn(t *testing.T) {
	s := openListening(t)
	s.auth.checked = func() { time.Sleep(3 * time.Second) }
	nc, err := connectTCP(t, s, nats.UserInfo(testAnalyticsUser, testAnalyticsPassword))
	if err != nil {
		t.Fatalf("a slow login: %v", err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}
