package projections

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// The runner's extras alias the record's bytes (codec.DecodeShared): the personal
// data a view keeps is its own copy, unchanged when the record's bytes are reused.
func TestTheViewKeepsItsOwnCopyOfSharedExtras(t *testing.T) {
	at := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	seal := func(id string, _ int, plain []byte) (json.RawMessage, error) {
		return json.Marshal(map[string]string{"sealed-for": id, "text": string(plain)})
	}
	var raws [][]byte // the decoded records' bytes, scribbled over below
	decoded := func(rev uint64, e domain.Event, index []string) Envelope {
		id := fmt.Sprintf("event-%d", rev)
		ed, err := codec.Encode(e, id, eventstore.Metadata{Organisation: "shelter", RecordedAt: at}, seal, index)
		if err != nil {
			t.Fatal(err)
		}
		rec := eventstore.RecordedEvent{EventData: ed, Stream: eventstore.StreamName(eventstore.KindCase, "c1"), Revision: rev,
			Position: eventstore.NewPosition(rev+1, 0)}
		raws = append(raws, rec.Data)
		ev, extras, err := codec.DecodeShared(rec)
		if err != nil {
			t.Fatal(err)
		}
		if !extras.Personal.IsZero() && !aliases(extras.Personal.Data, rec.Data) {
			t.Fatalf("DecodeShared copied %s's personal data", rec.Type)
		}
		return Envelope{Record: rec, Event: ev, Extras: extras}
	}
	envs := []Envelope{
		decoded(0, domain.SurvivorReferred{ReferringOrganisation: "shelter", Jurisdiction: "MX", Needs: []domain.Need{domain.NeedBankAccount},
			At: at, Personal: &domain.SurvivorDetails{FullName: "Ana Ejemplo"}}, []string{"token-1"}),
		decoded(1, domain.CaseNoteAdded{NoteID: "n1", At: at, Personal: &domain.NoteDetails{Text: "a note"}}, nil),
		decoded(2, domain.CaseClosed{Outcome: domain.ClosureOutcome("completed"), At: at, Personal: &domain.ReasonDetails{Text: "done"}}, nil),
	}
	v := &CaseView{ID: "c1"}
	for i, env := range envs {
		if i > 0 {
			v = v.next()
		}
		if err := v.apply(env, func(string, codec.Personal) ([]string, error) { return []string{"token-1"}, nil }); err != nil {
			t.Fatal(err)
		}
	}
	kept := map[string][]byte{"survivor": v.Survivor.Data, "closure reason": v.Closure.Reason.Data}
	for i, p := range v.SealedIndex {
		kept[fmt.Sprint("blind index ", i)] = p.Data
	}
	before := map[string]string{}
	for what, b := range kept {
		if len(b) == 0 {
			t.Fatalf("the view kept no %s", what)
		}
		before[what] = string(b)
	}
	for _, raw := range raws {
		for i := range raw {
			raw[i] = 'x'
		}
	}
	for what, b := range kept {
		if string(b) != before[what] {
			t.Errorf("the view's %s changed with the record's bytes", what)
		}
	}
}

// aliases reports whether b is a slice of buf's memory.
func aliases(b, buf []byte) bool {
	if len(b) == 0 || len(buf) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= start && p < start+uintptr(len(buf))
}
