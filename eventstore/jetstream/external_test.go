package jetstream

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
)

// startConfiguredServer runs a NATS server from a configuration file, on a free
// loopback port, storing under dir.
func startConfiguredServer(t *testing.T, file, dir string) *server.Server {
	t.Helper()
	opts, err := server.ProcessConfigFile(file)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	opts.Host, opts.Port, opts.StoreDir, opts.NoSigs = "127.0.0.1", -1, dir, true
	// This server runs in the test's process: under the race detector its bcrypt
	// checks of the file's hashes take over a second (a tenth of that otherwise), and
	// on a busy machine its first PING, 2 seconds after a CONNECT, would overtake the
	// login's PONG. Embedded, Waymark sets the same option (server.go); the file
	// format has no setting for it.
	opts.DisableShortFirstPing = true
	srv, err := runServer(opts, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return srv
}

// TestExternalAnalystsConfig: the server configuration the README gives for an
// external NATS server sets up what the embedded server does: Waymark's store in
// WAYMARK, the analysts' copy sourced into ANALYTICS with its purges following
// (Config.AnalystsNATSUser: Waymark's user there), and an analyst with exactly the
// embedded server's permissions reading it over TCP.
func TestExternalAnalystsConfig(t *testing.T) {
	file := filepath.Join("testdata", "analysts-external.conf")
	srv := startConfiguredServer(t, file, t.TempDir())

	// The analyst's permissions in the file are analystPermissions.
	opts, err := server.ProcessConfigFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(opts.Users, func(u *server.User) bool { return u.Username == "alice" })
	if i < 0 {
		t.Fatal("no alice")
	}
	got, want := opts.Users[i].Permissions, analystPermissions("alice")
	if fmt.Sprint(got.Publish.Allow, got.Publish.Deny, got.Subscribe.Allow) != fmt.Sprint(want.Publish.Allow, want.Publish.Deny, want.Subscribe.Allow) {
		t.Errorf("the file's analyst permissions\n%v %v %v\nwant\n%v %v %v", got.Publish.Allow, got.Publish.Deny, got.Subscribe.Allow,
			want.Publish.Allow, want.Publish.Deny, want.Subscribe.Allow)
	}

	s := mustOpen(t, Config{NATSURL: srv.ClientURL(), NATSUser: AppUser, NATSPassword: "waymark-password-0123456789",
		AnalystsNATSUser: AnalystsUser, AnalystsNATSPassword: "analysts-password-0123456789"})
	defer s.Close()
	a := s.analysts
	gone, kept := pseudonym(1), pseudonym(2)
	publishFeed(t, s, gone, "step-0")
	publishFeed(t, s, kept, "step-0")
	publishTombstone(t, s, gone)
	want2 := map[string]uint64{"waymark.analytics.mx." + kept + ".step-0": 1, analytics.TombstoneSubject("MX"): 1}
	waitFor(t, "the copy with its purge", func() bool {
		info, err := a.Stream().Info(t.Context(), jetstream.WithSubjectFilter(">"))
		return err == nil && fmt.Sprint(info.State.Subjects) == fmt.Sprint(want2)
	})

	waitOriginRecorded(t, a.Stream())
	errs := make(asyncErrors, 64)
	nc, err := nats.Connect(srv.ClientURL(), nats.UserInfo("alice", "alice-password-0123456789"), nats.ErrorHandler(errs.handler),
		nats.CustomInboxPrefix(AnalystInboxPrefix("alice")), nats.Timeout(time.Minute), nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	c, err := js.CreateOrUpdateConsumer(t.Context(), analytics.StreamName, jetstream.ConsumerConfig{Durable: "alice-journeys", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if got := fetchAll(t, c, 2); !strings.Contains(got[0], kept) || !strings.Contains(got[1], "tombstone") {
		t.Errorf("read %q", got)
	}
	errs.none(t)
	for _, subject := range []string{"$JS.API.STREAM.PURGE." + analytics.StreamName, "$JS.API.STREAM.INFO." + DefaultStreamName,
		sourcingAPIPrefix + ".CONSUMER.CREATE." + analytics.StreamName, "waymark.analytics.mx.forged"} {
		wantRefused(t, nc, errs, subject)
	}
}
