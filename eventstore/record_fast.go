package eventstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"time"
)

// decodeCanonical reads a record in the exact form EncodeRecord writes — no
// whitespace, known keys, strings without escapes or non-ASCII bytes, plain unsigned
// integers, an object for data — without encoding/json's reflection: replaying the
// log decodes every record, and this was most of a rebuild's time. It reports false
// for anything else, and the caller decodes with encoding/json, so the result never
// differs from json.Unmarshal's (TestCanonicalDecodeAgreesWithEncodingJSON and its
// fuzz target hold it to that).
func decodeCanonical(raw []byte, rec *record) bool {
	p := parser{b: raw}
	if !p.byte('{') {
		return false
	}
	for first := true; ; first = false {
		if p.byte('}') {
			return !first && p.i == len(p.b)
		}
		if !first && !p.byte(',') {
			return false
		}
		key, ok := p.key()
		if !ok {
			return false
		}
		switch string(key) { // compared in place: no string is made
		case "v":
			n, ok := p.uint()
			if !ok || n > 1<<31 {
				return false
			}
			rec.V = int(n)
		case "stream":
			rec.Stream, ok = p.str()
		case "revision":
			rec.Revision, ok = p.uint()
		case "id":
			rec.ID, ok = p.str()
		case "type":
			rec.Type, ok = p.internedStr()
		case "schemaVersion":
			n, ok := p.uint()
			if !ok || n > 1<<31 {
				return false
			}
			rec.SchemaVersion = int(n)
		case "data":
			rec.Data, ok = p.object()
		case "metadata":
			ok = p.metadata(&rec.Metadata)
		default:
			return false
		}
		if !ok {
			return false
		}
	}
}

// parser walks canonical bytes; every method reports false at anything it does not
// expect.
type parser struct {
	b []byte
	i int
}

func (p *parser) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (p *parser) str() (string, bool) {
	b, ok := p.strBytes()
	return string(b), ok
}

// internedStr is str for a value that recurs from record to record (an event type, a
// role, an organisation): the same string as last time, if it is still in interned.
func (p *parser) internedStr() (string, bool) {
	b, ok := p.strBytes()
	if !ok {
		return "", false
	}
	return intern(b), true
}

// key reads an object key and the colon after it; the key aliases the record.
func (p *parser) key() ([]byte, bool) {
	b, ok := p.strBytes()
	return b, ok && p.byte(':')
}

// strBytes reads a string of printable ASCII without escapes; the bytes alias the
// record. (The closing quote is found with IndexByte and the bytes before it checked
// eight at a time: record after record, these strings are most of what is read.)
func (p *parser) strBytes() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	q := bytes.IndexByte(p.b[p.i:], '"')
	if q < 0 {
		return nil, false
	}
	b := p.b[p.i : p.i+q]
	if !plainASCII(b) {
		return nil, false
	}
	p.i += q + 1
	return b, true
}

// uint reads an unsigned integer without sign, fraction, exponent or leading zero.
func (p *parser) uint() (uint64, bool) {
	start := p.i
	var n uint64
	for ; p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9'; p.i++ {
		d := uint64(p.b[p.i] - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	digits := p.i - start
	if digits == 0 || (digits > 1 && p.b[start] == '0') {
		return 0, false
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false
	}
	return n, true
}

// object returns the JSON object at p: a slice of the record's bytes, which the
// RecordedEvent keeps as Raw anyway, capped so that appending to it copies (replay
// copied every event's data here: 0.7 of the 14 GB a rebuild of 2M events allocated).
// It checks the object as strictly as json.Unmarshal checks a RawMessage, in one pass
// (json.Valid after finding the object's end was a twentieth of a rebuild's CPU):
// whatever it accepts, json.Valid accepts; what it refuses, the caller decodes with
// encoding/json.
func (p *parser) object() (json.RawMessage, bool) {
	start := p.i
	if p.i >= len(p.b) || p.b[p.i] != '{' || !p.value(0) {
		return nil, false
	}
	obj := p.b[start:p.i]
	return json.RawMessage(obj[:len(obj):len(obj)]), true
}

// maxValueDepth is the deepest nesting value reads; deeper data is left to
// encoding/json (whose own limit is 10,000). Events nest a few levels.
const maxValueDepth = 64

// value reads one JSON value (RFC 8259, as encoding/json's scanner reads it: any
// byte from 0x20 up inside strings, UTF-8 or not).
func (p *parser) value(depth int) bool {
	if p.i >= len(p.b) {
		return false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.container(depth, '}', true)
	case c == '[':
		return p.container(depth, ']', false)
	case c == '"':
		return p.jsonString()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return false
}

// container reads an object (keyed) or an array from its opening bracket to end.
func (p *parser) container(depth int, end byte, keyed bool) bool {
	if depth >= maxValueDepth {
		return false
	}
	p.i++
	p.space()
	if p.byte(end) {
		return true
	}
	for {
		if keyed {
			if !p.jsonString() {
				return false
			}
			p.space()
			if !p.byte(':') {
				return false
			}
			p.space()
		}
		if !p.value(depth + 1) {
			return false
		}
		p.space()
		if p.byte(end) {
			return true
		}
		if !p.byte(',') {
			return false
		}
		p.space()
	}
}

// space skips JSON whitespace.
func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// jsonString reads a string with any escapes JSON allows.
func (p *parser) jsonString() bool {
	if !p.byte('"') {
		return false
	}
	// Most strings hold no escape: the closing quote is then the next one, found with
	// IndexByte, and the bytes before it are checked eight at a time (a sealed text is
	// hundreds of bytes, and this was a rebuild's hot loop).
	if q := bytes.IndexByte(p.b[p.i:], '"'); q >= 0 {
		if span := p.b[p.i : p.i+q]; bytes.IndexByte(span, '\\') < 0 && !hasControl(span) {
			p.i += q + 1
			return true
		}
	}
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			p.i++
			if p.i >= len(p.b) {
				return false
			}
			switch p.b[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				if len(p.b)-p.i < 5 {
					return false
				}
				for _, h := range p.b[p.i+1 : p.i+5] {
					if !isHex(h) {
						return false
					}
				}
				p.i += 5
			default:
				return false
			}
		default:
			p.i++
		}
	}
	return false
}

// plainASCII reports whether b is printable ASCII (0x20 to 0x7f) without a backslash.
func plainASCII(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		bs := w ^ ('\\' * ones) // a zero byte where a backslash was
		// No byte from 0x80 up; then none below 0x20 (hasControl) and no zero in bs.
		if w&highs != 0 || (w-0x20*ones)&^w&highs != 0 || (bs-ones)&^bs&highs != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c == '\\' || c < 0x20 || c >= 0x80 {
			return false
		}
	}
	return true
}

// hasControl reports whether b holds a byte below 0x20, which a JSON string may not.
func hasControl(b []byte) bool {
	const highs, below = 0x8080808080808080, 0x20 * 0x0101010101010101
	for len(b) >= 8 {
		// Subtracting 0x20 from every byte sets the high bit of a byte below 0x20
		// whose own high bit is clear; a borrow into the next byte comes only from
		// such a byte, so the word has one exactly when the test says so.
		if w := binary.LittleEndian.Uint64(b); (w-below)&^w&highs != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() bool {
	p.byte('-')
	switch {
	case p.byte('0'):
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		return false
	}
	if p.byte('.') && !p.digits() {
		return false
	}
	if p.byte('e') || p.byte('E') {
		if !p.byte('+') {
			p.byte('-')
		}
		if !p.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more decimal digits.
func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// literal reads the word w (true, false, null).
func (p *parser) literal(w string) bool {
	if len(p.b)-p.i < len(w) || string(p.b[p.i:p.i+len(w)]) != w {
		return false
	}
	p.i += len(w)
	return true
}

// metadata reads the metadata object: every value a string, recordedAt a time.
func (p *parser) metadata(md *Metadata) bool {
	if !p.byte('{') {
		return false
	}
	for first := true; ; first = false {
		if p.byte('}') {
			return true
		}
		if !first && !p.byte(',') {
			return false
		}
		key, ok := p.key()
		if !ok {
			return false
		}
		if string(key) == "recordedAt" {
			start := p.i
			if _, ok := p.strBytes(); !ok {
				return false
			}
			var t time.Time
			// The same method json.Unmarshal calls: the same strictness.
			if err := t.UnmarshalJSON(p.b[start:p.i]); err != nil {
				return false
			}
			md.RecordedAt = t
			continue
		}
		var field *string
		recurs := false // one of a few values, record after record
		switch string(key) {
		case "actor":
			field, recurs = &md.Actor, true
		case "role":
			field, recurs = &md.Role, true
		case "organisation":
			field, recurs = &md.Organisation, true
		case "commandId":
			field = &md.CommandID
		case "correlationId":
			field = &md.CorrelationID
		case "causationId":
			field = &md.CausationID
		case "commandType":
			field, recurs = &md.CommandType, true
		case "fingerprint":
			field = &md.Fingerprint
		case "prevHash":
			field = &md.PrevHash
		default:
			return false
		}
		switch {
		case recurs:
			*field, ok = p.internedStr()
		case field == &md.CorrelationID || field == &md.CausationID:
			// A command's own events are correlated by its id (they come after it
			// in the record): the same string, not a copy of it.
			var b []byte
			if b, ok = p.strBytes(); ok {
				*field = md.CommandID
				if string(b) != md.CommandID {
					*field = string(b)
				}
			}
		default:
			*field, ok = p.str()
		}
		if !ok {
			return false
		}
	}
}
