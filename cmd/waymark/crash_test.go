package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/waymark-org/waymark/demo"
	"github.com/waymark-org/waymark/eventstore"
)

// The crash test's size: rounds of kill -9, clients writing at once in each.
const (
	crashRounds  = 3
	crashClients = 8
)

// crashSeed is the seed of the moments the crash test kills the server at:
// WAYMARK_CRASH_SEED replays a failed run (the test logs the seed it used).
func crashSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("WAYMARK_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("WAYMARK_CRASH_SEED=%q: %v", s, err)
		}
	}
	t.Logf("crash seed %d (replay with WAYMARK_CRASH_SEED=%d)", seed, seed)
	return seed
}

// crashNote is one command the clients sent: a note whose text is its command id, so
// that every note in a case says which command wrote it.
type crashNote struct {
	commandID, caseID string
	version           int
	position          string
}

func (n crashNote) mutation() string {
	return fmt.Sprintf(`mutation { addCaseNote(input: {commandId: %q, caseId: %q, text: %q}) { version position } }`,
		n.commandID, n.caseID, n.commandID)
}

// errCrashRefused is an answer that refuses a command: a bug here, where every
// command is valid (a dropped connection is what a kill leaves).
var errCrashRefused = errors.New("refused")

// send posts n's mutation; an error is a command the server did not acknowledge.
func (n *crashNote) send(addr, token string) error {
	body, _ := json.Marshal(map[string]string{"query": n.mutation()})
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var reply struct {
		Data struct {
			AddCaseNote *struct {
				Version  int
				Position string
			}
		}
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(raw, &reply); err != nil || resp.StatusCode != http.StatusOK || reply.Data.AddCaseNote == nil {
		return fmt.Errorf("%w: HTTP %d: %.300s", errCrashRefused, resp.StatusCode, raw)
	}
	n.version, n.position = reply.Data.AddCaseNote.Version, reply.Data.AddCaseNote.Position
	return nil
}

// TestKillNineUnderLoad: 'waymark serve --sync always' is killed with SIGKILL at
// seeded random moments while clients write notes, round after round, and started
// again. Then: every acknowledged command is in the log (sent again, it answers the
// version and position it was acknowledged with, and appends nothing); no
// unacknowledged command is half-applied (sent again, each is in its case exactly
// once); the read models equal a rebuild from the log; the hash chains and the
// checkpoints verify; and the analytics feed holds every event once, no gap and no
// duplicate (it equals the feed published again from the start).
func TestKillNineUnderLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(crashSeed(t), 0))
	dir := seededDemoDir(t)
	natsAddr := freeAddr(t)
	// A rate high enough that the clients are never refused: the kills are the test.
	start := func() *server {
		return startServer(t, dir, "--sync", "always", "--nats-listen", natsAddr, "--rate-limit", "default=100000")
	}
	token := mintToken(t, dir, "caseworker", demo.ShelterCDMX)
	srv := start()
	_, grants := srv.consentedCases(token)
	var cases []string // open, with an analytics grant: their notes reach the feed
	for _, id := range slices.Sorted(maps.Keys(grants)) {
		var reply struct {
			Data struct{ Case struct{ Status string } }
		}
		if status, body := srv.gql(token, fmt.Sprintf(`{ case(id: %q) { status } }`, id), &reply); status != 200 {
			t.Fatalf("case %s: %d %s", id, status, body)
		}
		if reply.Data.Case.Status == "OPEN" {
			cases = append(cases, id)
		}
	}
	if len(cases) == 0 {
		t.Fatal("no open demo case with an analytics grant")
	}

	var acked, unacked []crashNote
	for round := range crashRounds {
		if round > 0 {
			srv = start()
		}
		var mu sync.Mutex
		var clients sync.WaitGroup
		for c := range crashClients {
			clients.Add(1)
			go func() {
				defer clients.Done()
				for i := 0; ; i++ {
					n := crashNote{commandID: fmt.Sprintf("crash-r%d-c%d-%d", round, c, i), caseID: cases[(c+i)%len(cases)]}
					err := n.send(srv.http, token)
					if errors.Is(err, errCrashRefused) && !srv.exited() {
						t.Errorf("%s: %v", n.commandID, err)
					}
					mu.Lock()
					if err != nil {
						unacked = append(unacked, n)
					} else {
						acked = append(acked, n)
					}
					mu.Unlock()
					if err != nil {
						return // the server is gone
					}
				}
			}()
		}
		time.Sleep(time.Duration(200+rng.IntN(1300)) * time.Millisecond)
		srv.kill()
		clients.Wait()
	}
	t.Logf("%d rounds: %d commands acknowledged, %d not", crashRounds, len(acked), len(unacked))
	if len(acked) == 0 {
		t.Fatal("no command was acknowledged before the kills")
	}

	srv = start()
	before := checkAcknowledged(t, srv, token, cases, acked, unacked)

	if out, stderr, code := runWaymark(t, childEnv(), "verify", "--all", "--data-dir", dir); code != 0 {
		t.Errorf("verify after the crashes: exit %d\n%s%s", code, out, stderr)
	}
	feed, password := crashFeed(t, dir, natsAddr)
	srv.stop()

	// The read models the crashes left equal a rebuild from the log.
	if _, stderr, code := runWaymark(t, childEnv(), "rebuild", "--data-dir", dir, "--sync", "always"); code != 0 {
		t.Fatalf("rebuild: exit %d\n%s", code, stderr)
	}
	srv = start()
	if after := crashReadModels(t, srv, token, cases, ""); !maps.EqualFunc(before, after, crashCase.equal) {
		t.Errorf("the read models differ from a rebuild:\nafter the crashes %+v\nrebuilt           %+v", before, after)
	}

	// The feed again from the start: the same messages, so none was missing before.
	mustRun(t, "republish", "--from", "start", "--data-dir", dir)
	nc, err := connectAnalyst(t, natsAddr, "crash-analyst", password)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the feed published again equals the feed after the crashes", func() bool {
		again := readFeed(t, js)
		return len(again) > 0 && again[0].seq > feed.last && slices.Equal(journeyIDs(again), feed.ids)
	})
	srv.stop()
}

// checkAcknowledged sends every command again after a crash and returns the cases as
// they then read. Every acknowledged command must answer the version and position it
// was acknowledged with (it was kept, and is not appended twice); every
// unacknowledged one, sent again, must be in its case exactly once (nothing was
// half-applied).
func checkAcknowledged(t *testing.T, srv *server, token string, cases []string, acked, unacked []crashNote) map[string]crashCase {
	t.Helper()
	if len(acked) == 0 {
		t.Fatal("no command was acknowledged")
	}
	lost := 0
	for _, n := range acked {
		again := crashNote{commandID: n.commandID, caseID: n.caseID}
		if err := again.send(srv.http, token); err != nil {
			t.Fatalf("acknowledged %s sent again: %v", n.commandID, err)
		}
		if again.version != n.version || again.position != n.position {
			lost++
			t.Errorf("acknowledged %s at version %d, %s; sent again it answers %d, %s: it was lost", n.commandID, n.version, n.position, again.version, again.position)
		}
	}
	for i := range unacked {
		if err := unacked[i].send(srv.http, token); err != nil {
			t.Fatalf("unacknowledged %s sent again: %v", unacked[i].commandID, err)
		}
	}
	// Read the cases once the read models have applied the last of those answers.
	var last eventstore.Position
	for _, n := range append(slices.Clone(acked), unacked...) {
		p, err := eventstore.ParsePosition(n.position)
		if err != nil {
			t.Fatalf("%s answered position %q: %v", n.commandID, n.position, err)
		}
		if last.Before(p) {
			last = p
		}
	}
	models := crashReadModels(t, srv, token, cases, last.String())
	found := 0
	for _, n := range append(slices.Clone(acked), unacked...) {
		if c := models[n.caseID].notes[n.commandID]; c == 1 {
			found++
		} else {
			t.Errorf("%s is in case %s %d times, want once", n.commandID, n.caseID, c)
		}
	}
	t.Logf("acknowledged %d, not acknowledged %d, found once %d of %d sent, lost %d", len(acked), len(unacked), found, len(acked)+len(unacked), lost)
	return models
}

// crashCase is what the crash test compares of a case: its version, journey and how
// many times each note text is in it.
type crashCase struct {
	version int
	journey string
	notes   map[string]int
}

func (a crashCase) equal(b crashCase) bool {
	return a.version == b.version && a.journey == b.journey && maps.Equal(a.notes, b.notes)
}

// crashReadModels reads each of cases through the API, one case a request (a
// request may read the notes of a bounded number of cases), once the read models have
// applied minPosition ("": as they are).
func crashReadModels(t *testing.T, srv *server, token string, cases []string, minPosition string) map[string]crashCase {
	t.Helper()
	out := map[string]crashCase{}
	for _, id := range cases {
		var reply struct {
			Data struct {
				Case struct {
					Version int
					Journey json.RawMessage
					Notes   []struct{ Text string }
				}
			}
		}
		args := fmt.Sprintf("id: %q", id)
		if minPosition != "" {
			args += fmt.Sprintf(", minPosition: %q", minPosition)
		}
		q := fmt.Sprintf(`{ case(%s) { version journey { type version position stage } notes { text } } }`, args)
		if status, body := srv.gql(token, q, &reply); status != 200 || reply.Data.Case.Version == 0 {
			t.Fatalf("case %s: %d %.500s", id, status, body)
		}
		c := crashCase{version: reply.Data.Case.Version, journey: string(reply.Data.Case.Journey), notes: map[string]int{}}
		for _, n := range reply.Data.Case.Notes {
			c.notes[n.Text]++
		}
		out[id] = c
	}
	return out
}

// crashFeedState is the analytics feed as an analyst read it after the crashes.
type crashFeedState struct {
	ids  []string // its journey messages' ids, sorted
	last uint64   // the stream sequence of its last message
}

// crashFeed reads the analysts' stream, as an analyst it adds, once the publisher
// has caught up (two reads a second apart agree), and checks that no message is there
// twice. It returns the analyst's password too.
func crashFeed(t *testing.T, dir, natsAddr string) (crashFeedState, string) {
	t.Helper()
	_, password := addUser(t, dir, "crash-analyst")
	nc, err := connectAnalyst(t, natsAddr, "crash-analyst", password)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []feedMsg
	waitUntil(t, "the analytics feed catches up", func() bool {
		first := readFeed(t, js)
		time.Sleep(time.Second)
		msgs = readFeed(t, js)
		return len(msgs) > 0 && len(msgs) == len(first)
	})
	ids := journeyIDs(msgs)
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			t.Errorf("feed message %s is there twice", ids[i])
		}
	}
	return crashFeedState{ids: ids, last: msgs[len(msgs)-1].seq}, password
}
