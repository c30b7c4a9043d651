package projections

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
)

// fill gives every exported field reachable from v a value of its own (n counts
// them), two entries to every slice and map, and a value to every pointer.
func fill(v reflect.Value, n *int) {
	*n++
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Unix(1_700_000_000+int64(*n), int64(*n)).UTC()))
		return
	case v.Type() == reflect.TypeFor[eventstore.Position]():
		v.Set(reflect.ValueOf(eventstore.NewPosition(uint64(*n), uint64(*n%3))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprint("v", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Uint64, reflect.Uint32, reflect.Uint8:
		v.SetUint(uint64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(e, n)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic(fmt.Sprintf("fill: no value for %s", v.Type()))
	}
}

// Every field of a case view and of the domain's state is written and read back,
// except the opened blind index, which is never written. A field added to either
// fails this until the codec (snapshot_cases.go) writes it.
func TestSnapshotCodecCoversEveryField(t *testing.T) {
	var v CaseView
	n := 0
	fill(reflect.ValueOf(&v).Elem(), &n)
	v.BlindIndex = nil
	// A step's strings are numbers in the process's table: ones it gave.
	v.Journey = CompactJourney([]JourneyStep{
		{Type: "t1", At: time.Unix(1_700_000_001, 7).UTC(), Stage: "s1", Position: eventstore.NewPosition(9, 1), ActorOrganisation: "o1", Party: "p1"},
		{Type: "t2", Stage: "s2", Position: eventstore.NewPosition(10, 0), ActorOrganisation: "o2"},
	})
	// A note's id is held compact (unexported, so fill leaves it): one a UUID, one not.
	v.Notes = []NoteView{NewNoteView("0197a5c4-0001-7000-8000-00000000000a", "o1", time.Unix(1_700_000_002, 0).UTC(), 3),
		NewNoteView("note-2", "o2", time.Unix(1_700_000_003, 0).UTC(), 4)}

	e := newEnc()
	encCase(e, &v)
	d := &dec{b: e.b}
	got := decCase(d)
	if d.err != nil || d.off != len(e.b) {
		t.Fatalf("read back: %v, %d of %d bytes", d.err, d.off, len(e.b))
	}
	if !reflect.DeepEqual(got, &v) {
		t.Errorf("a view does not read back as written:\n got %+v\nwant %+v", got, &v)
	}

	var org OrganisationView
	fill(reflect.ValueOf(&org).Elem(), &n)
	e = newEnc()
	encOrganisations(e, []*OrganisationView{&org})
	d = &dec{b: e.b}
	if orgs := decOrganisations(d); d.err != nil || len(orgs) != 1 || !reflect.DeepEqual(orgs[0], &org) {
		t.Errorf("an organisation reads back as %+v (%v), want %+v", orgs, d.err, &org)
	}
}

// Empty and nil lists and maps read back as they were, and so do times at an offset
// other than UTC and the zero time.
func TestSnapshotCodecKeepsNilEmptyAndZones(t *testing.T) {
	zoned := time.Date(2026, 3, 1, 9, 30, 0, 5, time.FixedZone("CST", -6*3600))
	v := CaseView{ID: "c", Notes: []NoteView{}, Sealed: map[string]codec.Personal{}, UpdatedAt: zoned}
	v.State.Needs = nil
	v.State.Barriers = []domain.Barrier{}
	e := newEnc()
	encCase(e, &v)
	d := &dec{b: e.b}
	got := decCase(d)
	if d.err != nil {
		t.Fatal(d.err)
	}
	if got.Notes == nil || got.Sealed == nil || got.State.Barriers == nil || got.State.Needs != nil || got.Journey != nil {
		t.Errorf("nil and empty not kept: %+v", got)
	}
	if !got.UpdatedAt.Equal(zoned) || got.UpdatedAt.Format(time.RFC3339Nano) != zoned.Format(time.RFC3339Nano) || !got.ReferredAt.IsZero() {
		t.Errorf("times: %v and %v, want %v and zero", got.UpdatedAt, got.ReferredAt, zoned)
	}
}

// A step keeps what the journey shows, in 40 bytes without pointers, and gives it back
// as it was (the zero time too); its version is its place in the journey.
func TestJourneyStepIsCompact(t *testing.T) {
	if size := reflect.TypeFor[Step]().Size(); size != 40 {
		t.Errorf("a step takes %d bytes", size)
	}
	steps := []JourneyStep{
		{Type: "SurvivorReferred", At: time.Date(2026, 5, 1, 9, 0, 0, 5, time.UTC), Stage: domain.StageReferral,
			Version: 1, Position: eventstore.NewPosition(3, 0), ActorOrganisation: "shelter"},
		{Type: "BankOfferMade", Stage: domain.StageReferral, Version: 2, Position: eventstore.NewPosition(7, 1), ActorOrganisation: "bank-a", Party: "bank-a"},
	}
	v := CaseView{Journey: CompactJourney(steps)}
	if got := v.JourneySteps(); !reflect.DeepEqual(got, steps) {
		t.Errorf("steps read back as\n%+v\nwant\n%+v", got, steps)
	}
}
