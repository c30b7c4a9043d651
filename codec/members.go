package codec

import (
	"bytes"
	"errors"
)

// errNotAnObject is data that is not one JSON object.
var errNotAnObject = errors.New("event data is not a JSON object")

// member is one top-level member of a JSON object: its key as written (between the
// quotes, escapes untouched), where the member begins (the key's opening quote), and
// the byte range of its value.
type member struct {
	key        []byte
	from       int
	start, end int
}

// members calls fn with each top-level member of the JSON object data, in order. It
// is how the personal sub-object and the blind index are found and replaced without
// decoding the whole event into a map and encoding it again. It checks the object's
// own shape (keys, colons, commas, braces) and skips values without validating them:
// the event's own decoding does that.
func members(data []byte, fn func(m member)) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errNotAnObject
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return atEnd(data, i+1)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return errNotAnObject
		}
		keyEnd, ok := skipString(data, i)
		if !ok {
			return errNotAnObject
		}
		from, key := i, data[i+1:keyEnd-1]
		i = skipSpace(data, keyEnd)
		if i >= len(data) || data[i] != ':' {
			return errNotAnObject
		}
		start := skipSpace(data, i+1)
		end, ok := skipValue(data, start)
		if !ok {
			return errNotAnObject
		}
		fn(member{key: key, from: from, start: start, end: end})
		i = skipSpace(data, end)
		if i >= len(data) {
			return errNotAnObject
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return atEnd(data, i+1)
		default:
			return errNotAnObject
		}
	}
}

// atEnd accepts only white space after the object.
func atEnd(data []byte, i int) error {
	if skipSpace(data, i) != len(data) {
		return errNotAnObject
	}
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at data[i] (a quote).
func skipString(data []byte, i int) (int, bool) {
	// Most strings hold no escape: the closing quote is then the next one, found with
	// IndexByte (a sealed text is hundreds of bytes, and this was a rebuild's hot loop).
	if q := bytes.IndexByte(data[i+1:], '"'); q >= 0 && bytes.IndexByte(data[i+1:i+1+q], '\\') < 0 {
		return i + 1 + q + 1, true
	}
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++ // the escaped character (a \u escape's digits are plain characters)
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// skipValue returns the index after the value starting at data[i].
func skipValue(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, ok := skipString(data, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	default: // a number, true, false or null
		j := i
		for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' &&
			data[j] != ' ' && data[j] != '\t' && data[j] != '\n' && data[j] != '\r' {
			j++
		}
		return j, j > i
	}
}
