package domain

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// noteSamples are a note's data in the form the codec hands over (json.Marshal's,
// personal object taken out), and forms near it that the fast decoder must either
// decode as encoding/json does or leave to it.
func noteSamples(t testing.TB) [][]byte {
	at := time.Date(2026, 12, 5, 1, 18, 29, 101234567, time.UTC)
	var out [][]byte
	for _, e := range []CaseNoteAdded{
		{NoteID: "n-1", At: at},
		{NoteID: "0193a0f2-7c1e-7b51-9d51-3f7c4a1b2c3d", At: at.In(time.FixedZone("x", -6*3600))},
		{NoteID: "", At: time.Time{}},
	} {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return append(out,
		[]byte(`{"at":"2026-12-05T01:18:29Z","noteId":"n-1"}`),                    // another order
		[]byte(`{"noteId":"n-1","noteId":"n-2","at":"2026-12-05T01:18:29Z"}`),     // the last of two wins
		[]byte(`{"noteId":"n-1","at":"2026-12-05T01:18:29+02:00"}`),               // an offset
		[]byte(`{"noteId":"n-1"}`),                                                // no time
		[]byte(`{"noteId":"n-1","at":"2026-12-05T01:18:29Z","personal":{"v":1}}`), // its personal object
		[]byte(`{"noteId":"n-1","at":"2026-12-05T01:18:29Z","personal":null}`),    //
		[]byte(`{"NOTEID":"n-1","at":"2026-12-05T01:18:29Z"}`),                    // encoding/json ignores case
		[]byte(`{"noteId":"n\u002d1","at":"2026-12-05T01:18:29Z"}`),               // an escape
		[]byte(`{"noteId":"ñ","at":"2026-12-05T01:18:29Z"}`),                      // not ASCII
		[]byte("{\"noteId\":\"n\x7f\",\"at\":\"2026-12-05T01:18:29Z\"}"),          // DEL
		[]byte("{\"noteId\":\"n\xff\",\"at\":\"2026-12-05T01:18:29Z\"}"),          // not UTF-8
		[]byte(`{"noteId":null,"at":"2026-12-05T01:18:29Z"}`),                     // null
		[]byte(`{"noteId":1,"at":"2026-12-05T01:18:29Z"}`),                        // a number
		[]byte(`{"noteId":"n-1","at":"2026-12-05 01:18:29Z"}`),                    // not RFC 3339
		[]byte(`{"noteId":"n-1","at":"2026-13-05T01:18:29Z"}`),                    // month 13
		[]byte(`{"noteId":"n-1","at":"2026-12-05T01:18:29.Z"}`),                   // a bare dot
		[]byte(`{"noteId":"n-1","at":"2026-12-05T1:18:29Z"}`),                     // a short hour
		[]byte(`{ "noteId":"n-1","at":"2026-12-05T01:18:29Z"}`),                   // whitespace
		[]byte(`{"noteId":"n-1","at":"2026-12-05T01:18:29Z"} `),                   //
		[]byte(`{"noteId":"n-1","at":"2026-12-05T01:18:29Z",}`),                   // a trailing comma
		[]byte(`{"noteId":"n-1","at":"2026-12-05T01:18:29Z"}{}`),                  // more after it
		[]byte(`{"noteId":"n-1""at":"2026-12-05T01:18:29Z"}`),                     // no comma
		[]byte(`{"noteId":"n-1","at":"2026-12-05T01:18:29Z"`),                     // no end
		[]byte(`{}`), []byte(`null`), []byte(`[]`), []byte(``), []byte(`{"noteId`), //
	)
}

// Whatever a fast decoder decodes is what encoding/json makes of the same bytes.
func TestFastDecodersAgreeWithEncodingJSON(t *testing.T) {
	for i, data := range noteSamples(t) {
		// The first ones are what the codec hands over: the fast decoder's whole point.
		if !checkNoteAgrees(t, data) && i < 4 {
			t.Errorf("the fast decoder did not decode a note as json.Marshal writes it:\n%s", data)
		}
	}
	// Every prefix and every one-byte change of the usual form, too.
	data := noteSamples(t)[1]
	for i := range data {
		checkNoteAgrees(t, data[:i])
		for _, c := range []byte{'"', '\\', '{', '}', ',', ':', ' ', '0', 'x', 'Z', '+', 0x80} {
			changed := append([]byte(nil), data...)
			changed[i] = c
			checkNoteAgrees(t, changed)
		}
	}
}

// The event table decodes notes through the fast decoder, and what it gives back is
// the value encoding/json gives.
func TestTheTableDecodesNotesFast(t *testing.T) {
	spec, ok := EventSpecFor(CaseNoteAdded{}.EventType())
	if !ok {
		t.Fatal("CaseNoteAdded is not in the event table")
	}
	for _, data := range noteSamples(t) {
		got, gotErr := spec.Decode(spec.SchemaVersion, data)
		want, wantErr := decodeAs[CaseNoteAdded](data)
		if (gotErr == nil) != (wantErr == nil) || !sameNote(got, want) {
			t.Errorf("table decoded %v (%v), encoding/json %v (%v):\n%s", got, gotErr, want, wantErr, data)
		}
	}
	data := noteSamples(t)[0]
	if allocs := testing.AllocsPerRun(100, func() { _, _ = spec.Decode(spec.SchemaVersion, data) }); allocs > 3 {
		t.Errorf("decoding a note allocated %v times; the fast decoder makes its id and the event value", allocs)
	}
}

func FuzzFastDecodeCaseNoteAdded(f *testing.F) {
	for _, data := range noteSamples(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkNoteAgrees(t, data) })
}

// checkNoteAgrees reports whether the fast decoder decoded data, failing t if what
// it decoded differs from json.Unmarshal's value.
func checkNoteAgrees(t testing.TB, data []byte) bool {
	t.Helper()
	fast, ok := decodeCaseNoteAddedFast(data)
	if !ok {
		return false
	}
	var strict CaseNoteAdded
	if err := json.Unmarshal(data, &strict); err != nil {
		t.Errorf("the fast decoder decoded what encoding/json refuses (%v):\n%s", err, data)
		return true
	}
	if !sameNote(fast, strict) {
		t.Errorf("fast decoder %+v, encoding/json %+v, for\n%s", fast, strict, data)
	}
	return true
}

// sameNote compares times by instant and zone offset (their location pointers may
// differ), the rest field by field.
func sameNote(a, b Event) bool {
	x, okx := a.(CaseNoteAdded)
	y, oky := b.(CaseNoteAdded)
	if okx != oky || !okx {
		return okx == oky && reflect.DeepEqual(a, b)
	}
	if !x.At.Equal(y.At) || x.At.String() != y.At.String() {
		return false
	}
	x.At, y.At = time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}
