package projections

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/dashboard"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// FuzzSnapshotLoad feeds the loader snapshots whose sections are the fuzzer's bytes
// under a checksum that matches them, as a release with a bug in its writer could
// leave: the checksum only catches damage after writing. Parsing and decoding must
// refuse what they cannot read with ErrSnapshotCorrupt (the node then rebuilds from
// the log), never panic, and never allocate beyond what the bytes can hold.
func FuzzSnapshotLoad(f *testing.F) {
	key := []byte("fuzz-snapshot-key")
	raw := fuzzSnapshot(f, key)
	prefix := len(snapshotMagic) + 2 + sha256.Size
	head, body := raw[:prefix], raw[prefix:len(raw)-macSize]
	f.Add(body)
	f.Add(body[:len(body)/2])
	f.Add(bytes.Repeat([]byte{sectionCases, 0xff, 0xff, 0xff, 0xff, 0x0f}, 2))
	f.Add([]byte{sectionEnd})
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, sections []byte) {
		file := append(bytes.Clone(head), sections...)
		mac := hmac.New(sha256.New, key)
		mac.Write(file)
		file = mac.Sum(file)
		p, err := parseSnapshot(file, key)
		if err != nil {
			if !errors.Is(err, ErrSnapshotCorrupt) {
				t.Fatalf("a parse refusal %v is not ErrSnapshotCorrupt", err)
			}
			return
		}
		_, _, err = decodeSections(t.Context(), p)
		if err != nil && !errors.Is(err, ErrSnapshotCorrupt) {
			t.Fatalf("a decode refusal %v is not ErrSnapshotCorrupt", err)
		}
	})
}

// fuzzSnapshot is fullSnapshotModels encoded: the seed whose sections the fuzzer
// changes.
func fuzzSnapshot(f *testing.F, key []byte) []byte {
	m := fullSnapshotModels()
	var buf bytes.Buffer
	if _, err := encodeSnapshot(&buf, key, m); err != nil {
		f.Fatal(err)
	}
	// The seed itself must load, or the fuzzer starts from nothing.
	p, err := parseSnapshot(buf.Bytes(), key)
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := decodeSections(f.Context(), p); err != nil {
		f.Fatalf("the seed snapshot does not decode: %v", err)
	}
	return buf.Bytes()
}

// fullSnapshotModels are read models of two cases, one with every field set, an
// organisation, revocations, command ids and the dashboard's figures.
func fullSnapshotModels() *readModels {
	n := 0
	var full CaseView
	fill(reflect.ValueOf(&full).Elem(), &n)
	full.BlindIndex = nil
	full.Journey = CompactJourney([]JourneyStep{
		{Type: "SurvivorReferred", At: time.Unix(1_700_000_001, 7).UTC(), Stage: domain.StageReferral, Position: eventstore.NewPosition(9, 1), ActorOrganisation: "o1"},
		{Type: "BankOfferMade", Stage: domain.StageReferral, Position: eventstore.NewPosition(10, 0), ActorOrganisation: "o2", Party: "o2"},
	})
	full.Notes = []NoteView{NewNoteView("0197a5c4-0001-7000-8000-00000000000a", "o1", time.Unix(1_700_000_002, 0).UTC(), 3),
		NewNoteView("note-not-a-uuid", "o2", time.Unix(1_700_000_003, 0).UTC(), 4)}
	var org OrganisationView
	fill(reflect.ValueOf(&org).Elem(), &n)
	return &readModels{
		checkpoint: Checkpoint{Position: eventstore.NewPosition(12, 0), Stream: "case-x", Revision: 3, Hash: "ab"},
		cases:      []*CaseView{&full, {ID: "case-2", Notes: []NoteView{}}},
		orgs:       []*OrganisationView{&org},
		tokens:     map[string]time.Time{"jti-1": time.Unix(1_700_000_100, 0).UTC()},
		subjects:   map[string]time.Time{"user-1": time.Unix(1_700_000_200, 0).UTC()},
		commands:   []CommandKey{{1, 2, 3}},
		figures:    dashboard.NewFigures().AppendTo(nil),
	}
}
