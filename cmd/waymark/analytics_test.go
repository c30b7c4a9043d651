package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/analytics"
	"github.com/waymark-org/waymark/demo"
)

// feedMsg is a message of the analysts' stream as an analyst reads it.
type feedMsg struct {
	seq     uint64
	subject string
	raw     []byte
	ce      struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Subject string `json:"subject"`
		Time    string `json:"time"`
	}
}

func (m feedMsg) tombstone() bool { return m.ce.Type == analytics.TombstoneType }

// readFeed reads the analysts' stream from its first message to its last.
func readFeed(t *testing.T, js jetstream.JetStream) []feedMsg {
	t.Helper()
	st, err := js.Stream(t.Context(), analytics.StreamName)
	if err != nil {
		t.Fatalf("the analysts' stream: %v", err)
	}
	info, err := st.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs == 0 {
		return nil
	}
	cons, err := st.OrderedConsumer(t.Context(), jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []feedMsg
	for len(out) == 0 || out[len(out)-1].seq < info.State.LastSeq {
		m, err := cons.Next(jetstream.FetchMaxWait(waitLong))
		if err != nil {
			t.Fatalf("read the analysts' stream (%d read, the last is %d): %v", len(out), info.State.LastSeq, err)
		}
		md, err := m.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		fm := feedMsg{seq: md.Sequence.Stream, subject: m.Subject(), raw: m.Data()}
		if err := json.Unmarshal(fm.raw, &fm.ce); err != nil {
			t.Fatalf("message %d on %s: %v", fm.seq, fm.subject, err)
		}
		out = append(out, fm)
	}
	return out
}

// journeysHeld is what a consumer that honours tombstones holds after msgs: the
// pseudonyms with journey messages and no tombstone after them.
func journeysHeld(msgs []feedMsg) map[string]bool {
	held := map[string]bool{}
	for _, m := range msgs {
		if m.tombstone() {
			delete(held, m.ce.Subject)
		} else {
			held[m.ce.Subject] = true
		}
	}
	return held
}

// waitUntil polls cond until it holds (a condition, not a time).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(waitLong); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("never: %s", what)
}

// analyticsPseudonymizer reads the data directory's analytics key.
func analyticsPseudonymizer(t *testing.T, dataDir string) analytics.Pseudonymizer {
	t.Helper()
	raw, err := os.ReadFile(secretFlags{}.resolve(dataDir).analyticsKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return analytics.Pseudonymizer{Key: key}
}

// consentedCases lists the cases token's holder sees, and the in-force coalition
// analytics grant of each case that has one.
func (s *server) consentedCases(token string) (all []string, grants map[string]string) {
	s.t.Helper()
	var reply struct {
		Data struct {
			Cases struct {
				Edges []struct {
					Node struct {
						ID      string
						Consent struct {
							Grants []struct {
								ID        string
								Recipient struct{ ID string }
								Purposes  []string
								InForce   bool
							}
						}
					}
				}
			}
		}
	}
	// A case shared with no grant in force hides its consent (FORBIDDEN): listed, with
	// no grant.
	q := `{ cases(first: 100) { edges { node { id consent { grants { id recipient { id } purposes inForce } } } } } }`
	if status, body := s.gql(token, q, &reply); status != 200 || len(reply.Data.Cases.Edges) == 0 {
		s.t.Fatalf("cases: %d %.2000s", status, body)
	}
	grants = map[string]string{}
	for _, e := range reply.Data.Cases.Edges {
		all = append(all, e.Node.ID)
		for _, g := range e.Node.Consent.Grants {
			if g.InForce && g.Recipient.ID == demo.CoalitionAnalytics && slices.Contains(g.Purposes, "COALITION_ANALYTICS") {
				grants[e.Node.ID] = g.ID
			}
		}
	}
	return all, grants
}

var dayTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T00:00:00Z$`)

// checkFeed checks every message an analyst reads: valid against the published
// schema, a day for its time, no case id in it, and every journey a tombstone ended
// purged from the analysts' stream.
func checkFeed(t *testing.T, msgs []feedMsg, caseIDs []string) {
	t.Helper()
	v, err := analytics.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	ended := map[string]uint64{} // pseudonym → the sequence of its last tombstone
	for _, m := range msgs {
		if m.tombstone() {
			ended[m.ce.Subject] = m.seq
		}
	}
	for _, m := range msgs {
		if err := v.Validate(m.raw); err != nil {
			t.Errorf("message %d on %s: %v", m.seq, m.subject, err)
		}
		if !dayTime.MatchString(m.ce.Time) {
			t.Errorf("message %d: time %q is not a day", m.seq, m.ce.Time)
		}
		for _, id := range caseIDs {
			if strings.Contains(string(m.raw), id) || strings.Contains(m.subject, strings.ToLower(id)) {
				t.Errorf("message %d on %s names case %s", m.seq, m.subject, id)
			}
		}
		if end, ok := ended[m.ce.Subject]; ok && !m.tombstone() && m.seq < end {
			t.Errorf("message %d on %s outlived its journey's tombstone (%d)", m.seq, m.subject, end)
		}
	}
}

// buildExampleConsumer builds examples/analytics-consumer.
func buildExampleConsumer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "analytics-consumer")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/waymark-org/waymark/examples/analytics-consumer").CombinedOutput()
	if err != nil {
		t.Fatalf("build the example consumer: %v\n%s", err, out)
	}
	return bin
}

// The feed end to end, through serve on the demo coalition: an analyst added with
// nats-user reads the analysts' stream over TCP (schema-valid messages, days, no
// case id, tombstoned journeys purged); a consent withdrawn through GraphQL ends its
// journey with a tombstone and a purge; waymark tail and the example consumer see
// what the stream holds; waymark republish refuses bad positions, changing nothing,
// and republishes the same feed from the start.
func TestAnalyticsFeedEndToEnd(t *testing.T) {
	// Parallel: each is minutes of one server publishing the demo's feed under the race
	// detector, mostly one core's work; the two overlap at the package's end.
	t.Parallel()
	dir := seededDemoDir(t)
	addr := freeAddr(t)
	srv := startServer(t, dir, "--nats-listen", addr)
	_, password := addUser(t, dir, "alice")
	nc, err := connectAnalyst(t, addr, "alice", password)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	p := analyticsPseudonymizer(t, dir)

	// A withdrawal through the API: its tombstone comes after everything published
	// before it (the feed is in log order), so the stream holds the demo's feed then.
	caseworker := mintToken(t, dir, "caseworker", demo.ShelterCDMX)
	caseIDs, grants := srv.consentedCases(caseworker)
	if len(grants) == 0 {
		t.Fatalf("none of %d demo cases has a coalition analytics grant", len(caseIDs))
	}
	withdrawn := slices.Sorted(maps.Keys(grants))[0]
	gone := p.Pseudonym(withdrawn)
	if code := srv.mutate(caseworker, fmt.Sprintf(`mutation { withdrawConsent(input: {commandId: "e2e-withdraw", caseId: %q, grantId: %q}) { position } }`,
		withdrawn, grants[withdrawn])); code != "" {
		t.Fatalf("withdraw: %s", code)
	}
	var msgs []feedMsg
	waitUntil(t, "the withdrawn journey's tombstone reaches the analysts and its messages go", func() bool {
		msgs = readFeed(t, js)
		tombstoned := slices.ContainsFunc(msgs, func(m feedMsg) bool { return m.tombstone() && m.ce.Subject == gone })
		return tombstoned && !slices.ContainsFunc(msgs, func(m feedMsg) bool { return !m.tombstone() && m.ce.Subject == gone })
	})
	checkFeed(t, msgs, caseIDs)
	held := journeysHeld(msgs)
	for id := range grants {
		if want := id != withdrawn; held[p.Pseudonym(id)] != want {
			t.Errorf("case %s held by a consumer: %v, want %v", id, !want, want)
		}
	}

	// waymark tail --all prints what the stream holds, as alice.
	out, stderr, code := runWaymark(t, childEnv("WAYMARK_NATS_PASSWORD="+password), "tail", "--all", "--json",
		"--count", fmt.Sprint(len(msgs)), "--nats-url", "nats://"+addr, "--nats-user", "alice")
	if code != 0 {
		t.Fatalf("tail: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(msgs) {
		t.Fatalf("tail printed %d lines, the stream holds %d", len(lines), len(msgs))
	}
	for i, line := range lines {
		if line != string(msgs[i].raw) {
			t.Fatalf("tail line %d: %s\nthe stream's: %s", i, line, msgs[i].raw)
		}
	}

	// The example consumer holds the same journeys.
	example := exec.Command(buildExampleConsumer(t), "--durable", "e2e", "--idle", "2s")
	example.Env = append(os.Environ(), "NATS_URL=nats://"+addr, "NATS_USER=alice", "NATS_PASSWORD="+password)
	exOut, err := example.CombinedOutput()
	if err != nil {
		t.Fatalf("the example consumer: %v\n%s", err, exOut)
	}
	if want := fmt.Sprintf("%d journeys held, ", len(held)); !strings.Contains(string(exOut), want) {
		t.Errorf("the example consumer says %q, want %q", exOut, want)
	}

	// Refused republishes change nothing.
	for _, r := range []struct {
		args []string
		code int
		say  string
	}{
		{nil, 2, "republish needs --from"},
		{[]string{"--from", "yesterday"}, 2, "want start or a log position"},
		{[]string{"--from", "-1"}, 2, "want start or a log position"},
		{[]string{"--from", "999999999-0"}, 1, "after the log's last event"},
	} {
		stdout, stderr, code := runWaymark(t, childEnv(), append([]string{"republish", "--data-dir", dir}, r.args...)...)
		if code != r.code || !strings.Contains(stderr, r.say) || stdout != "" {
			t.Errorf("republish %v: exit %d, %q, %q; want exit %d saying %q", r.args, code, stdout, stderr, r.code, r.say)
		}
	}
	if after := readFeed(t, js); len(after) != len(msgs) || after[len(after)-1].seq != msgs[len(msgs)-1].seq {
		t.Fatalf("a refused republish changed the stream: %d messages, was %d", len(after), len(msgs))
	}

	// From the start: the same journeys again (same key), in a new stream.
	if out := mustRun(t, "republish", "--from", "start", "--data-dir", dir); !strings.Contains(out, "by the server") {
		t.Errorf("republish: %q", out)
	}
	want := journeyIDs(msgs)
	waitUntil(t, "the republished feed reaches the analysts", func() bool {
		again := readFeed(t, js)
		return len(again) > 0 && again[0].seq > msgs[len(msgs)-1].seq && slices.Equal(journeyIDs(again), want)
	})
	srv.stop()
}

// journeyIDs are the ids of msgs' journey messages, sorted.
func journeyIDs(msgs []feedMsg) []string {
	var ids []string
	for _, m := range msgs {
		if !m.tombstone() {
			ids = append(ids, m.ce.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// A new analytics key: the server refuses to publish under it on a stream of the old
// one, says to republish, and goes on serving; waymark republish through it starts
// the feed again under the new key. Without a server, republish resets the feed for
// the next start.
func TestAnalyticsKeyRotation(t *testing.T) {
	// Parallel: each is minutes of one server publishing the demo's feed under the race
	// detector, mostly one core's work; the two overlap at the package's end.
	t.Parallel()
	dir := seededDemoDir(t)
	addr := freeAddr(t)
	srv := startServer(t, dir, "--nats-listen", addr)
	_, password := addUser(t, dir, "alice")
	old := analyticsPseudonymizer(t, dir)
	caseIDs, _ := srv.consentedCases(mintToken(t, dir, "caseworker", demo.ShelterCDMX))
	pseudonyms := func(p analytics.Pseudonymizer) map[string]bool {
		m := map[string]bool{}
		for _, id := range caseIDs {
			m[p.Pseudonym(id)] = true
		}
		return m
	}
	readAs := func() []feedMsg {
		nc, err := connectAnalyst(t, addr, "alice", password)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		return readFeed(t, js)
	}
	under := func(msgs []feedMsg, p analytics.Pseudonymizer) bool {
		ps := pseudonyms(p)
		return slices.ContainsFunc(msgs, func(m feedMsg) bool { return ps[m.ce.Subject] })
	}
	waitUntil(t, "the feed under the first key", func() bool { return under(readAs(), old) })
	srv.stop()

	keyFile := secretFlags{}.resolve(dir).analyticsKey
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	srv = startServer(t, dir, "--nats-listen", addr)
	srv.waitLog("published under another analytics key")
	newKey := analyticsPseudonymizer(t, dir)
	before := readAs()
	if under(before, newKey) {
		t.Fatal("published under the new key without a republish")
	}
	if status, _ := srv.gql(mintToken(t, dir, "caseworker", demo.ShelterCDMX), `{ cases(first: 1) { edges { node { id } } } }`, nil); status != 200 {
		t.Fatalf("the API after the feed stopped: HTTP %d", status)
	}
	if out := mustRun(t, "republish", "--from", "start", "--data-dir", dir); !strings.Contains(out, "by the server") {
		t.Errorf("republish: %q", out)
	}
	waitUntil(t, "the feed under the new key", func() bool {
		msgs := readAs()
		return under(msgs, newKey) && !under(msgs, old)
	})
	srv.stop()

	out := mustRun(t, "republish", "--from", "start", "--data-dir", dir)
	if !strings.Contains(out, "the next waymark serve publishes it") {
		t.Errorf("republish without a server: %q", out)
	}
	srv = startServer(t, dir, "--nats-listen", addr)
	waitUntil(t, "the feed after a republish without a server", func() bool { return under(readAs(), newKey) })
	srv.stop()
}
