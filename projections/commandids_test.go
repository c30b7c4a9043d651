package projections_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"testing"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/projections"
)

// The read model learns command ids from the log, per organisation, from case,
// organisation and revocation streams, and skips the command-id claim streams older
// data directories hold.
func TestCommandIDsFollowTheLog(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	appendCommand := func(stream, org, commandID string, events ...domain.Event) eventstore.Position {
		t.Helper()
		data := make([]eventstore.EventData, len(events))
		for i, e := range events {
			md := eventstore.Metadata{Actor: "t", Role: "caseworker", Organisation: org, CommandID: commandID, RecordedAt: at}
			d, err := codec.Encode(e, stream+"-"+e.EventType()+"-"+commandID, md, passThrough, nil)
			if err != nil {
				t.Fatal(err)
			}
			data[i] = d
		}
		res, err := s.Append(ctx, stream, eventstore.Any, data...)
		if err != nil {
			t.Fatal(err)
		}
		return res.Last()
	}
	appendCommand("organisation-shelter", "", "org-1", domain.OrganisationRegistered{Name: "S", Kind: domain.OrgShelter, Jurisdiction: "MX", At: at})
	appendCommand("case-a", "shelter", "refer-1", referred("Ana Demo"))
	appendCommand("case-a", "shelter", "note-1", domain.CaseNoteAdded{NoteID: "n1", At: at, Personal: &domain.NoteDetails{Text: "x"}},
		domain.CaseNoteAdded{NoteID: "n2", At: at, Personal: &domain.NoteDetails{Text: "y"}})
	// A claim stream as the hardening release wrote them: not an event of the domain.
	claim, _ := json.Marshal(map[string]string{"commandType": "AddCaseNote", "inputHash": "00", "stream": "case-a"})
	res, err := s.Append(ctx, "command-0123abcd", eventstore.NoStream, eventstore.EventData{ID: "claim-1", Type: "CommandAccepted",
		SchemaVersion: 1, Data: claim, Metadata: eventstore.Metadata{Actor: "t", Role: "caseworker", Organisation: "shelter", CommandID: "claimed-only", RecordedAt: at}})
	if err != nil {
		t.Fatal(err)
	}

	ids := projections.NewCommandIDs(bytes.Repeat([]byte{5}, 32))
	r := projections.NewRunner(s, slog.New(slog.NewTextHandler(io.Discard, nil)), ids)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go r.Run(runCtx)
	if err := r.WaitFor(ctx, res.Last()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		org, id string
		used    bool
	}{
		{"", "org-1", true}, {"shelter", "refer-1", true}, {"shelter", "note-1", true},
		{"other-shelter", "note-1", false}, // one namespace per organisation
		{"shelter", "note-2", false},
		{"shelter", "claimed-only", false}, // claim streams are skipped
	} {
		if got := ids.Used(ids.Key(c.org, c.id)); got != c.used {
			t.Errorf("(%q, %q) used = %v, want %v", c.org, c.id, got, c.used)
		}
	}
	if ids.Len() != 3 {
		t.Errorf("%d command ids known, want 3", ids.Len())
	}

	// Keys are keyed: another command key makes other keys; the same one, the same.
	if projections.NewCommandIDs(bytes.Repeat([]byte{6}, 32)).Key("shelter", "note-1") == ids.Key("shelter", "note-1") {
		t.Error("the key does not depend on the command key")
	}
	if projections.NewCommandIDs(bytes.Repeat([]byte{5}, 32)).Key("shelter", "note-1") != ids.Key("shelter", "note-1") {
		t.Error("two read models with one command key disagree")
	}
	// The organisation and the id cannot run into each other.
	if ids.Key("ab", "c") == ids.Key("a", "bc") {
		t.Error("(ab, c) and (a, bc) share a key")
	}
}

// What the read model costs: at most 24 bytes of heap per command id (16 for the key in
// the sorted slice, the rest the map of the latest), so a case of twenty commands
// stays under half a KiB.
func TestCommandIDsMemory(t *testing.T) {
	const n = 200_000
	// Garbage another test left running may be freed while this measures, making the
	// difference meaningless (even negative): measure again, a few times at most.
	perEntry := 0.0
	for try := 0; try < 3; try++ {
		ids := projections.NewCommandIDs(bytes.Repeat([]byte{5}, 32))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var k projections.CommandKey
		for i := range n {
			binary.LittleEndian.PutUint64(k[:], uint64(i)*0x9e3779b97f4a7c15)
			binary.LittleEndian.PutUint64(k[8:], uint64(i))
			ids.Record(k)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(ids)
		if after.HeapAlloc > before.HeapAlloc {
			perEntry = float64(after.HeapAlloc-before.HeapAlloc) / n
			break
		}
	}
	t.Logf("%.1f bytes per command id", perEntry)
	if perEntry == 0 || perEntry > 24 {
		t.Errorf("%.1f bytes per command id, want more than 0 and at most 24", perEntry)
	}
}

// Many keys, recorded in no order, some twice, by writers while readers ask: every
// recorded key is used, no other is, and each is counted once, across the merges of
// the latest keys into the sorted ones.
func TestCommandIDsAcrossMerges(t *testing.T) {
	const n = 60_000 // several merges: the first at 4,096 keys
	ids := projections.NewCommandIDs(bytes.Repeat([]byte{5}, 32))
	key := func(i int) projections.CommandKey {
		var k projections.CommandKey
		binary.BigEndian.PutUint64(k[:], uint64(i)*0x9e3779b97f4a7c15) // no order
		binary.BigEndian.PutUint64(k[8:], uint64(i))
		return k
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				ids.Record(key(i))
				if i%7 == 0 {
					ids.Record(key(i)) // again
				}
				if !ids.Used(key(i)) {
					t.Errorf("key %d not used right after it was recorded", i)
					return
				}
			}
		})
	}
	wg.Go(func() { // a reader throughout
		for i := 0; i < n; i += 3 {
			ids.Used(key(i))
		}
	})
	wg.Wait()
	if ids.Len() != n {
		t.Errorf("%d keys, want %d", ids.Len(), n)
	}
	for i := range n {
		if !ids.Used(key(i)) {
			t.Fatalf("key %d not used", i)
		}
	}
	for i := n; i < n+1000; i++ {
		if ids.Used(key(i)) {
			t.Fatalf("key %d used, never recorded", i)
		}
	}
}

// A key is the HMAC-SHA256 of the organisation and the id under the command key, cut
// to 16 bytes, and making one allocates nothing: a replay keys every command.
func TestCommandKeyIsTheHMACAndAllocatesNothing(t *testing.T) {
	secret := []byte("command key")
	c := projections.NewCommandIDs(secret)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("command-id\x00org-a\x00cmd-1"))
	var want projections.CommandKey
	copy(want[:], mac.Sum(nil))
	if got := c.Key("org-a", "cmd-1"); got != want {
		t.Fatalf("key %x, want %x", got, want)
	}
	if c.Key("org-a", "cmd-1") == c.Key("org-a", "cmd-2") || c.Key("org-a", "cmd-1") == c.Key("org-b", "cmd-1") {
		t.Fatal("two ids, or two organisations, share a key")
	}
	// (The race detector's sync.Pool drops a quarter of what is put back.)
	if allocs := testing.AllocsPerRun(100, func() { c.Key("org-a", "cmd-1") }); allocs != 0 && !raceEnabled {
		t.Errorf("Key allocated %v times a call", allocs)
	}
}

// raceEnabled is set (race_test.go) when the tests run with the race detector.
var raceEnabled bool
