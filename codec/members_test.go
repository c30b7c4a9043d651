package codec

import (
	"encoding/json"
	"maps"
	"testing"
)

// members finds what encoding/json finds: each top-level member's value, exactly as
// written, the last one of a repeated key.
func TestMembersAgreeWithEncodingJSON(t *testing.T) {
	for _, data := range []string{
		`{}`, ` { } `,
		`{"a":1}`,
		`{"a":"x,}]\"{[","personal":{"v":1,"ct":"q\\\"}"},"n":[1,{"b":[2,"]"]}],"t":true,"z":null}`,
		"{ \"a\" : [ 1 , 2 ] ,\n\t\"personal\" : { \"x\" : \"y\" } }",
		`{"a":1,"a":2}`,
		`{"k\"ey":-1.5e3,"blindIndex":"sealed"}`,
	} {
		want := map[string]json.RawMessage{}
		if err := json.Unmarshal([]byte(data), &want); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		got := map[string]json.RawMessage{}
		err := members([]byte(data), func(m member) {
			var k string
			if err := json.Unmarshal(append(append([]byte{'"'}, m.key...), '"'), &k); err != nil {
				t.Fatalf("%s: key %s: %v", data, m.key, err)
			}
			if quoted := `"` + string(m.key) + `"`; data[m.from:m.from+len(quoted)] != quoted {
				t.Fatalf("%s: member of key %s begins at %q", data, m.key, data[m.from:])
			}
			got[k] = json.RawMessage(data[m.start:m.end])
		})
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
			t.Errorf("%s:\n got %s\nwant %s", data, got, want)
		}
	}
}

// Data that is not one object is refused, never a panic.
func TestMembersRefusesWhatIsNotAnObject(t *testing.T) {
	for _, data := range []string{
		``, ` `, `[]`, `"x"`, `1`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{"a" 1}`, `{a:1}`,
		`{"a":1}x`, `{"a":"x}`, `{"a":[1,2}`, `{"a":{"b":1}`, `{"a":1 "b":2}`, `{,}`, `{"a":}`,
	} {
		if err := members([]byte(data), func(member) {}); err == nil {
			t.Errorf("%q: accepted", data)
		}
	}
}

// without keeps the members asked for and nothing else: encoding/json reads the
// result as the object less the others.
func TestWithoutKeepsTheOtherMembers(t *testing.T) {
	for _, data := range []string{
		`{"personal":{"x":1}}`,
		`{"a":1,"personal":{"v":1,"ct":"q\\\"}"},"b":[2],"blindIndex":"s"}`,
		"{ \"a\" : [ 1 , 2 ] ,\n\t\"personal\" : { \"x\" : \"y\" } , \"b\":null}",
		`{"a":1,"personal":null,"a":2}`,
	} {
		var kept []member
		if err := members([]byte(data), func(m member) {
			if k := string(m.key); k != personalKey && k != blindIndexKey {
				kept = append(kept, m)
			}
		}); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		want := map[string]json.RawMessage{}
		if err := json.Unmarshal([]byte(data), &want); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		delete(want, personalKey)
		delete(want, blindIndexKey)
		got := map[string]json.RawMessage{}
		if err := json.Unmarshal(without([]byte(data), kept), &got); err != nil {
			t.Fatalf("%s: without: %s: %v", data, without([]byte(data), kept), err)
		}
		if !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
			t.Errorf("%s:\n got %s\nwant %s", data, got, want)
		}
	}
}

func FuzzMembers(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":"c"}],"personal":{"ct":"x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = members(data, func(m member) {
			if m.from < 0 || m.from >= m.start || m.end > len(data) || m.start > m.end {
				t.Fatalf("member %d, value %d:%d of %d bytes", m.from, m.start, m.end, len(data))
			}
		})
	})
}

// The sealed personal object replaces the plaintext where it stood and the blind
// index is added last, the rest of the event kept byte for byte; an empty object
// takes the index without a comma; null personal data is no personal data.
func TestAddExtrasSplices(t *testing.T) {
	seal := func(id string, _ int, plain []byte) (json.RawMessage, error) {
		return json.RawMessage(`{"sealed":"` + id + `"}`), nil
	}
	for _, tc := range []struct{ data, want string }{
		{`{"a":1,"personal":{"name":"x"},"b":[2]}`, `{"a":1,"personal":{"sealed":"e1"},"b":[2],"blindIndex":{"sealed":"e1/blind-index"}}`},
		{`{}`, `{"blindIndex":{"sealed":"e1/blind-index"}}`},
		{`{"personal":null}`, `{"personal":null,"blindIndex":{"sealed":"e1/blind-index"}}`},
	} {
		got, err := addExtras([]byte(tc.data), "e1", 1, seal, []string{"tok"})
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %s, %v; want %s", tc.data, got, err, tc.want)
		}
	}
	got, err := addExtras([]byte(`{"a":"x","personal":{"n":1}}`), "e2", 1, seal, nil)
	if err != nil || string(got) != `{"a":"x","personal":{"sealed":"e2"}}` {
		t.Errorf("without a blind index: %s, %v", got, err)
	}
}

// skipString ends a string where a byte-by-byte walk does, escapes or not.
func FuzzSkipString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, `"a\\"`, `"a\\\"b"x"`, `"unterminated`, `"\`, `""`, `"x\u0022"y"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '"' {
			return
		}
		end, ok := skipString(data, 0)
		wantEnd, wantOK := 0, false
		for j := 1; j < len(data); j++ {
			if data[j] == '\\' {
				j++
			} else if data[j] == '"' {
				wantEnd, wantOK = j+1, true
				break
			}
		}
		if end != wantEnd || ok != wantOK {
			t.Fatalf("%q: %d %v, want %d %v", data, end, ok, wantEnd, wantOK)
		}
	})
}
