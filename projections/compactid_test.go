package projections

import (
	"reflect"
	"testing"
)

// Every id reads back as the string it was, whichever way it is held, and is itself
// and nothing else.
func TestCompactIDReadsBackAsGiven(t *testing.T) {
	for _, tc := range []struct {
		id     string
		isUUID bool
	}{
		{"0197a5c4-0001-7000-8000-000000000001", true},
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"0197A5C4-0001-7000-8000-000000000001", false}, // upper case: would not read back the same
		{"0197a5c4-0001-7000-8000-00000000000g", false},
		{"0197a5c4_0001-7000-8000-000000000001", false},
		{"0197a5c400017000800000000000000001", false},
		{"0197a5c4-0001-7000-8000-0000000000012", false},
		{"note-1", false},
		{"", false},
	} {
		c := newCompactID(tc.id)
		if isUUID := c.other == 0; isUUID != tc.isUUID {
			t.Errorf("%q: held as a UUID: %v, want %v", tc.id, isUUID, tc.isUUID)
		}
		if got := c.String(); got != tc.id {
			t.Errorf("%q reads back as %q", tc.id, got)
		}
		if !c.is(tc.id) {
			t.Errorf("%q is not itself", tc.id)
		}
		for _, other := range []string{"", "note-2", "0197a5c4-0001-7000-8000-000000000002", "0197A5C4-0001-7000-8000-000000000001"} {
			if other != tc.id && c.is(other) {
				t.Errorf("%q is %q", tc.id, other)
			}
		}
	}
}

func FuzzCompactID(f *testing.F) {
	f.Add("0197a5c4-0001-7000-8000-000000000001")
	f.Add("note-1")
	f.Fuzz(func(t *testing.T, id string) {
		c := newCompactID(id)
		if c.String() != id || !c.is(id) {
			t.Fatalf("%q reads back as %q", id, c.String())
		}
	})
}

// What a case holds one of per event (a journey step) or per note is small and holds
// no pointers: the collector never traces a case's journey or notes.
func TestPerEventEntriesHoldNoPointers(t *testing.T) {
	for _, tc := range []struct {
		typ  reflect.Type
		size uintptr
	}{
		{reflect.TypeFor[Step](), 40},
		{reflect.TypeFor[NoteView](), 40},
	} {
		if got := tc.typ.Size(); got != tc.size {
			t.Errorf("%s is %d bytes, want %d", tc.typ, got, tc.size)
		}
		if path := pointerIn(tc.typ, tc.typ.Name()); path != "" {
			t.Errorf("%s holds a pointer: %s", tc.typ, path)
		}
	}
}

// pointerIn is the path to a pointer-holding field of t, or "".
func pointerIn(t reflect.Type, path string) string {
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if p := pointerIn(f.Type, path+"."+f.Name); p != "" {
				return p
			}
		}
		return ""
	case reflect.Array:
		return pointerIn(t.Elem(), path+"[]")
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return ""
	}
	return path + " (" + t.Kind().String() + ")"
}
