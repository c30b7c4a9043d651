package eventstore

import (
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
		key, ok := p.str()
		if !ok || !p.byte(':') {
			return false
		}
		switch key {
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
			rec.Type, ok = p.str()
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
	if !p.byte('"') {
		return "", false
	}
	start := p.i
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; {
		case c == '"':
			s := string(p.b[start:p.i])
			p.i++
			return s, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", false
		}
	}
	return "", false
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

// object returns the JSON object at p (validated by json.Valid, which is what
// json.Unmarshal checks of a RawMessage): a slice of the record's bytes, which the
// RecordedEvent keeps as Raw anyway, capped so that appending to it copies. Replay
// copied every event's data here: 0.7 of the 14 GB a rebuild of 2M events allocated.
func (p *parser) object() (json.RawMessage, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return nil, false
	}
	start, depth, inString := p.i, 0, false
	for ; p.i < len(p.b); p.i++ {
		c := p.b[p.i]
		if inString {
			switch c {
			case '\\':
				p.i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				p.i++
				obj := p.b[start:p.i]
				if !json.Valid(obj) {
					return nil, false
				}
				return json.RawMessage(obj[:len(obj):len(obj)]), true
			}
		}
	}
	return nil, false
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
		key, ok := p.str()
		if !ok || !p.byte(':') {
			return false
		}
		if key == "recordedAt" {
			start := p.i
			if _, ok := p.str(); !ok {
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
		v, ok := p.str()
		if !ok {
			return false
		}
		switch key {
		case "actor":
			md.Actor = v
		case "role":
			md.Role = v
		case "organisation":
			md.Organisation = v
		case "commandId":
			md.CommandID = v
		case "correlationId":
			md.CorrelationID = v
		case "causationId":
			md.CausationID = v
		case "commandType":
			md.CommandType = v
		case "fingerprint":
			md.Fingerprint = v
		case "prevHash":
			md.PrevHash = v
		default:
			return false
		}
	}
}
