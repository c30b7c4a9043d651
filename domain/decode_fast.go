package domain

import "time"

// Replaying the log decodes every event, and a case's notes are most of its events:
// encoding/json's reflection over a note's two fields was a tenth of a rebuild's CPU.
// The hot types decode through a reader of the one form the codec hands them —
// compact, keys as json.Marshal writes them, strings of printable ASCII without
// escapes — and report false for anything else, which encoding/json then decodes. So
// a fast decoder never gives another value than json.Unmarshal would
// (TestFastDecodersAgreeWithEncodingJSON and FuzzFastDecodeCaseNoteAdded hold it to
// that).

// decodeCaseNoteAddedFast reads {"noteId":"…","at":"…"}, the form of a note at its
// current version with its personal object taken out (the codec's decode).
func decodeCaseNoteAddedFast(data []byte) (CaseNoteAdded, bool) {
	var e CaseNoteAdded
	r := flatReader{b: data}
	ok := r.members(func(key []byte) bool {
		switch string(key) { // compared in place: no string is made
		case "noteId":
			var ok bool
			e.NoteID, ok = r.plainString()
			return ok
		case "at":
			var ok bool
			e.At, ok = r.time()
			return ok
		}
		return false
	})
	return e, ok
}

// flatReader reads a compact JSON object of plain members; every method reports
// false at anything it does not expect.
type flatReader struct {
	b []byte
	i int
}

// members reads the object, calling value for each key with the reader at the key's
// value, which value must read. It reports false for an empty object (encoding/json
// decides what that means), a key with escapes, or whatever value refused.
func (r *flatReader) members(value func(key []byte) bool) bool {
	if !r.byte('{') {
		return false
	}
	for first := true; ; first = false {
		if r.byte('}') {
			return !first && r.i == len(r.b)
		}
		if !first && !r.byte(',') {
			return false
		}
		key, ok := r.stringBytes()
		if !ok || !r.byte(':') || !value(key) {
			return false
		}
	}
}

func (r *flatReader) byte(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// stringBytes reads a string of printable ASCII without escapes, which encoding/json
// would decode to the same bytes; they alias the data.
func (r *flatReader) stringBytes() ([]byte, bool) {
	if !r.byte('"') {
		return nil, false
	}
	start := r.i
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			return s, true
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return nil, false
		}
	}
	return nil, false
}

// plainString is stringBytes as a string of its own.
func (r *flatReader) plainString() (string, bool) {
	b, ok := r.stringBytes()
	return string(b), ok
}

// time reads a time as encoding/json does: time.Time's UnmarshalJSON on the quoted
// value, with the same strictness.
func (r *flatReader) time() (time.Time, bool) {
	start := r.i
	if _, ok := r.stringBytes(); !ok {
		return time.Time{}, false
	}
	var t time.Time
	if err := t.UnmarshalJSON(r.b[start:r.i]); err != nil {
		return time.Time{}, false
	}
	return t, true
}
