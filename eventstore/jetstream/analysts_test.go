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

const (
	testAnalyst         = "alice"
	testAnalystPassword = "alice-password-0123456789"
)

// openAnalysts opens a listening store on dir with the analyst user testAnalyst
// (added unless the users file has it already).
func openWithAnalyst(t *testing.T, dir string) *Store {
	t.Helper()
	s := mustOpen(t, Config{DataDir: dir, Sync: SyncInterval, ListenAddr: "127.0.0.1:0"})
	t.Cleanup(func() { s.Close() })
	users, err := s.Users()
	if err != nil {
		t.Fatal(err)
	}
	if len(users) == 0 {
		if _, err := s.AddUser(testAnalyst, "analytics", testAnalystPassword, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// connectAnalyst connects over TCP as an analyst, with the inbox prefix its
// permissions allow.
func connectAnalyst(t *testing.T, s *Store, user, password string) (*nats.Conn, asyncErrors) {
	t.Helper()
	errs := make(asyncErrors, 64)
	nc, err := connectTCP(t, s, nats.UserInfo(user, password), nats.ErrorHandler(errs.handler),
		nats.CustomInboxPrefix(AnalystInboxPrefix(user)))
	if err != nil {
		t.Fatalf("analyst %s: %v", user, err)
	}
	return nc, errs
}

// pseudonym is a test journey's pseudonym.
func pseudonym(i int) string { return fmt.Sprintf("p-%064x", i) }

// publishFeed publishes one journey message of pseudonym p into the feed's stream in
// AppAccount, as the publisher does, and returns its body.
func publishFeed(t *testing.T, s *Store, p, what string) string {
	t.Helper()
	body := fmt.Sprintf(`{"specversion":"1.0","subject":%q,"type":"org.waymark.case.%s.v1"}`, p, what)
	if _, err := s.js.Publish(t.Context(), "waymark.analytics.mx."+p+"."+what, []byte(body)); err != nil {
		t.Fatal(err)
	}
	return body
}

// publishTombstone purges p's journey from the feed's stream and publishes its
// tombstone, as the publisher does.
func publishTombstone(t *testing.T, s *Store, p string) {
	t.Helper()
	st, err := s.js.Stream(t.Context(), analytics.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(t.Context(), jetstream.WithPurgeSubject(analytics.PurgeFilter(p))); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"specversion":"1.0","subject":%q,"type":"org.waymark.case.tombstone.v1","data":{"jurisdiction":"MX"}}`, p)
	if _, err := s.js.Publish(t.Context(), analytics.TombstoneSubject("MX"), []byte(body)); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds; the bound only ends a test that would hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("never: %s", what)
}

// copySubjects returns the subjects of every message in the analysts' stream, with
// their counts.
func copySubjects(t *testing.T, s *Store) map[string]uint64 {
	t.Helper()
	info, err := s.AnalystsStream().Info(t.Context(), jetstream.WithSubjectFilter(">"))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Subjects
}

// copyCount is the number of messages in the analysts' stream.
// waitOriginRecorded waits until the purge follower has recorded the origin's
// identity in the analysts' stream st: its one update of that stream, after the
// first copy. A consumer created while the server applies that update trips a data
// race inside nats-server (v2.15: fileStore.ConsumerStore reads, unlocked, the
// config fileStore.UpdateConfig replaces), which -race reports in whichever test it
// lands; the tests that create consumers there wait for the update first.
func waitOriginRecorded(t *testing.T, st jetstream.Stream) {
	t.Helper()
	waitFor(t, "the origin's identity recorded", func() bool {
		info, err := st.Info(t.Context())
		return err == nil && info.Config.Metadata[originIdentKey] != ""
	})
}

func copyCount(t *testing.T, s *Store) uint64 {
	t.Helper()
	info, err := s.AnalystsStream().Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// fetchAll fetches n messages from c, acknowledging each, and returns their bodies.
func fetchAll(t *testing.T, c jetstream.Consumer, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		batch, err := c.Fetch(n-len(got), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			got = append(got, string(m.Data()))
			if err := m.DoubleAck(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			t.Fatal(err)
		}
	}
	return got
}

// noMore checks that c has nothing left to deliver once the copy holds total messages.
func noMore(t *testing.T, s *Store, c jetstream.Consumer, total uint64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("the copy holds %d messages", total), func() bool { return copyCount(t, s) == total })
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.NumPending != 0 || info.NumAckPending != 0 || info.NumRedelivered != 0 {
		t.Errorf("consumer: %d pending, %d unacknowledged, %d redelivered", info.NumPending, info.NumAckPending, info.NumRedelivered)
	}
}

// TestAnalystsStreamSourcesTheFeed: what is published into the feed's stream in
// AppAccount reaches the analysts' stream, where an analyst's durable pull consumer
// over TCP reads each message exactly once, in order, across a restart of the store
// that keeps the consumer's position.
func TestAnalystsStreamSourcesTheFeed(t *testing.T) {
	dir := t.TempDir()
	s := openWithAnalyst(t, dir)
	var want []string
	for i := range 5 {
		want = append(want, publishFeed(t, s, pseudonym(i%2), fmt.Sprintf("step-%d", i)))
	}
	nc, errs := connectAnalyst(t, s, testAnalyst, testAnalystPassword)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(t.Context(), analytics.StreamName)
	if err != nil {
		t.Fatalf("the analyst's stream info: %v", err)
	}
	waitOriginRecorded(t, s.AnalystsStream())
	c, err := st.CreateOrUpdateConsumer(t.Context(), jetstream.ConsumerConfig{Durable: "alice-journeys", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatalf("the analyst's durable consumer: %v", err)
	}
	if got := fetchAll(t, c, 5); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("read %q, want %q", got, want)
	}
	noMore(t, s, c, 5)
	errs.none(t)

	// Restart: the copy, the consumer and its position are kept.
	nc.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openWithAnalyst(t, dir)
	want = want[:0]
	for i := range 3 {
		want = append(want, publishFeed(t, s, pseudonym(2), fmt.Sprintf("after-%d", i)))
	}
	nc, errs = connectAnalyst(t, s, testAnalyst, testAnalystPassword)
	js, _ = jetstream.New(nc)
	if c, err = js.Consumer(t.Context(), analytics.StreamName, "alice-journeys"); err != nil {
		t.Fatal(err)
	}
	if got := fetchAll(t, c, 3); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after the restart read %q, want %q", got, want)
	}
	noMore(t, s, c, 8)
	errs.none(t)
}

// TestTombstonesPurgeTheCopy: a purge and its tombstone in the feed's stream purge that
// journey from the analysts' copy too; other journeys, the tombstone, and the
// journey's messages published after its tombstone (a new grant) stay. The purge
// survives a restart between the tombstone's arrival and its purge: the follower's
// consumer is durable.
func TestTombstonesPurgeTheCopy(t *testing.T) {
	dir := t.TempDir()
	s := openWithAnalyst(t, dir)
	gone, kept := pseudonym(1), pseudonym(2)
	for i := range 3 {
		publishFeed(t, s, gone, fmt.Sprintf("step-%d", i))
	}
	publishFeed(t, s, kept, "step-0")
	publishFeed(t, s, kept, "step-1")
	waitFor(t, "5 messages copied", func() bool { return copyCount(t, s) == 5 })

	publishTombstone(t, s, gone)
	publishFeed(t, s, gone, "back") // a new grant: the journey comes back
	want := map[string]uint64{
		"waymark.analytics.mx." + kept + ".step-0": 1,
		"waymark.analytics.mx." + kept + ".step-1": 1,
		analytics.TombstoneSubject("MX"):           1,
		"waymark.analytics.mx." + gone + ".back":   1,
	}
	waitFor(t, "the copy without the purged journey", func() bool { return fmt.Sprint(copySubjects(t, s)) == fmt.Sprint(want) })
	waitFor(t, "the tombstone acknowledged", func() bool {
		info, err := s.analysts.js.Consumer(t.Context(), analytics.StreamName, TombstoneConsumer)
		if err != nil {
			t.Fatal(err)
		}
		ci := info.CachedInfo()
		return ci.NumPending == 0 && ci.NumAckPending == 0 && ci.AckFloor.Stream > 0
	})

	// A tombstone that arrives while nobody follows (the follower is stopped: as if
	// Waymark stopped right after the copy) is followed after the restart.
	s.analysts.stop()
	<-s.analysts.done
	other := pseudonym(3)
	publishFeed(t, s, other, "step-0")
	publishTombstone(t, s, other)
	want[analytics.TombstoneSubject("MX")] = 2
	waitFor(t, "the second tombstone copied", func() bool { return copySubjects(t, s)[analytics.TombstoneSubject("MX")] == 2 })
	if copySubjects(t, s)["waymark.analytics.mx."+other+".step-0"] != 1 {
		t.Fatal("the journey was purged with nobody following")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openWithAnalyst(t, dir)
	waitFor(t, "the journey purged after the restart", func() bool { return fmt.Sprint(copySubjects(t, s)) == fmt.Sprint(want) })
}

// TestTombstonePseudonym: the follower purges only by a pseudonym a tombstone names.
func TestTombstonePseudonym(t *testing.T) {
	if got := sourceIdent("WAYMARK_ANALYTICS:YwvXBE8i 1 > > waymark.analytics.mx.x.y 7Oy42Gr7"); got != "7Oy42Gr7" {
		t.Errorf("ident %q", got)
	}
	if got := sourceIdent("WAYMARK_ANALYTICS:YwvXBE8i 1 > > waymark.analytics.mx.x.y"); got != "" {
		t.Errorf("no ident: %q", got)
	}
	p := pseudonym(7)
	if got, err := tombstonePseudonym([]byte(`{"subject":"` + p + `"}`)); err != nil || got != p {
		t.Errorf("%q, %v", got, err)
	}
	for _, bad := range []string{`nope`, `{}`, `{"subject":"p-1"}`, `{"subject":"*"}`, `{"subject":">"}`,
		`{"subject":"` + strings.ToUpper(p) + `"}`, `{"subject":"` + p + `.x"}`} {
		if _, err := tombstonePseudonym([]byte(bad)); !errors.Is(err, errBadTombstone) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestAccountsJetStream: both accounts have JetStream, each with its one feed stream;
// the analysts' account within its limits.
func TestAccountsJetStream(t *testing.T) {
	s := openListening(t)
	acc, err := s.Server().LookupAccount(AnalyticsAccount)
	if err != nil {
		t.Fatal(err)
	}
	if !acc.JetStreamEnabled() {
		t.Fatal("no JetStream for the analysts")
	}
	if n := acc.JetStreamUsage().Streams; n != 1 {
		t.Errorf("%d streams in %s", n, AnalyticsAccount)
	}
	lim := acc.JetStreamUsage().Limits
	if lim.MaxStreams != 1 || lim.MaxMemory != 0 || lim.MaxConsumers != analystsMaxConsumers {
		t.Errorf("limits %+v", lim)
	}
	// A second stream is refused to anyone, Waymark's own connection included.
	if _, err := s.analysts.js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "OTHER", Subjects: []string{"other.>"}}); err == nil {
		t.Error("a second stream in the analysts' account")
	}
	if _, err := s.js.Stream(t.Context(), analytics.StreamName); err != nil {
		t.Errorf("the feed's stream in %s: %v", AppAccount, err)
	}
}

// TestRecreatedOriginReplacesTheCopy: when the feed's stream is deleted and made
// again (waymark republish), the copy ends up holding the new stream's messages only,
// and keeps them across a restart.
func TestRecreatedOriginReplacesTheCopy(t *testing.T) {
	dir := t.TempDir()
	s := openWithAnalyst(t, dir)
	for i := range 3 {
		publishFeed(t, s, pseudonym(1), fmt.Sprintf("old-%d", i))
	}
	waitFor(t, "3 messages copied", func() bool { return copyCount(t, s) == 3 })
	if err := s.js.DeleteStream(t.Context(), analytics.StreamName); err != nil {
		t.Fatal(err)
	}
	if _, err := s.js.CreateStream(t.Context(), OriginStreamConfig(1)); err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{}
	for i := range 2 {
		publishFeed(t, s, pseudonym(2), fmt.Sprintf("new-%d", i))
		want["waymark.analytics.mx."+pseudonym(2)+fmt.Sprintf(".new-%d", i)] = 1
	}
	// The source finds the new stream once its consumer on the old one is given up:
	// seconds (nats-server's own retry), hence the generous bound of waitFor.
	waitFor(t, "the copy holds the new stream only", func() bool { return fmt.Sprint(copySubjects(t, s)) == fmt.Sprint(want) })

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openWithAnalyst(t, dir)
	publishFeed(t, s, pseudonym(2), "new-2")
	want["waymark.analytics.mx."+pseudonym(2)+".new-2"] = 1
	waitFor(t, "the copy after a restart", func() bool { return fmt.Sprint(copySubjects(t, s)) == fmt.Sprint(want) })
	waitFor(t, "the purge consumer caught up", func() bool {
		c, err := s.analysts.js.Consumer(t.Context(), analytics.StreamName, TombstoneConsumer)
		if err != nil {
			t.Fatal(err)
		}
		ci := c.CachedInfo()
		return ci.NumPending == 0 && ci.NumAckPending == 0
	})
	if got := copySubjects(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after the follower caught up: %v", got)
	}
}

// TestFeedNamesAreAnalytics: the feed's names this package repeats (feed.go) are
// package analytics' own.
func TestFeedNamesAreAnalytics(t *testing.T) {
	p := pseudonym(3)
	for got, want := range map[string]string{
		feedStream:                         analytics.StreamName,
		feedSubjects:                       analytics.StreamSubjects,
		feedPrefix:                         analytics.SubjectPrefix,
		tombstoneToken:                     analytics.TombstoneToken,
		pseudonymPrefix:                    analytics.PseudonymPrefix,
		journeyFilter(p):                   analytics.PurgeFilter(p),
		journeyFilter(strings.ToUpper(p)):  analytics.PurgeFilter(strings.ToUpper(p)),
		feedPrefix + "*." + tombstoneToken: analytics.TombstoneSubjects,
	} {
		if got != want {
			t.Errorf("%q, analytics has %q", got, want)
		}
	}
	for subject, want := range map[string]bool{
		analytics.TombstoneSubject("MX"):            true,
		analytics.TombstoneSubject("us"):            true,
		"waymark.analytics.mx." + p + ".tombstones": false,
		"waymark.analytics.tombstones":              false,
		"waymark.analytics..tombstones":             false,
		"waymark.analytics.mx." + p + ".referred":   false,
		"other.analytics.mx.tombstones":             false,
	} {
		if isTombstoneSubject(subject) != want {
			t.Errorf("isTombstoneSubject(%q) = %v", subject, !want)
		}
	}
}
