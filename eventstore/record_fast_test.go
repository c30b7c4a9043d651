package eventstore

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// canonicalSamples are records as EncodeRecord writes them, with every optional
// metadata field absent and present, escapes, unicode and nesting inside data.
func canonicalSamples(t testing.TB) [][]byte {
	at := time.Date(2026, 12, 2, 14, 0, 0, 123456789, time.UTC)
	events := []EventData{
		{ID: "e1", Type: "SurvivorReferred", SchemaVersion: 1, Data: json.RawMessage(`{}`), Metadata: Metadata{Actor: "w", Role: "caseworker", RecordedAt: at}},
		{ID: "0193a0f2-7c1e-7b51-9d51-3f7c4a1b2c3d", Type: "CaseNoteAdded", SchemaVersion: 2,
			Data: json.RawMessage(`{"noteId":"n1","personal":{"v":1,"kid":"k","n":"AAAA","ct":"Zm9v"},"tags":["a","b"],"nested":{"x":[1,2.5,-3e2,{"y":null}],"q":"say \"hi\" {not} [a]"},"u":"Ñandú ☂","t":true}`),
			Metadata: Metadata{Actor: "sub-1", Role: "caseworker", Organisation: "mx-refugio-esperanza", CommandID: "c1", CorrelationID: "c1",
				CausationID: "c0", CommandType: "AddCaseNote", Fingerprint: "ab12", RecordedAt: at.In(time.FixedZone("x", -6*3600))}},
		{ID: "e3", Type: "T", Data: json.RawMessage(`{"a":"\u003c\\u0000\n"}`), Metadata: Metadata{Actor: "actor with ñ", Role: "r", RecordedAt: at}},
	}
	var out [][]byte
	for i, e := range events {
		raw, _, err := EncodeRecord("case-c1", uint64(i)*1234567, "prev-hash", e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, raw)
	}
	return append(out,
		// Not canonical: each must fall back (or agree).
		[]byte(`{"v":1,"stream":"s","revision":0,"id":"e","type":"T","schemaVersion":1,"data":{},"metadata":{"actor":"a","role":"r","recordedAt":"2026-06-01T09:00:00Z","prevHash":""}} `),
		[]byte(`{ "v":1,"stream":"s"}`),
		[]byte(`{"V":1,"Stream":"s","revision":0,"id":"e","type":"T","schemaVersion":1,"data":{},"metadata":{}}`),
		[]byte(`{"v":1,"stream":"s","revision":01,"id":"e","type":"T","schemaVersion":1,"data":{},"metadata":{}}`),
		[]byte(`{"v":1,"stream":"s","revision":1.0,"id":"e","type":"T","schemaVersion":1,"data":{},"metadata":{}}`),
		[]byte(`{"v":1,"stream":"s","revision":18446744073709551616,"id":"e","type":"T","schemaVersion":1,"data":{},"metadata":{}}`),
		[]byte(`{"v":1,"stream":"s\u0041","revision":1,"id":"e","type":"T","schemaVersion":1,"data":{},"metadata":{}}`),
		[]byte(`{"v":1,"stream":"s","revision":1,"id":"e","type":"T","schemaVersion":1,"data":{"a":},"metadata":{}}`),
		[]byte(`{"v":1,"stream":"s","revision":1,"id":"e","type":"T","schemaVersion":1,"data":[1],"metadata":{}}`),
		[]byte(`{"v":1,"stream":"s","revision":1,"id":"e","type":"T","schemaVersion":1,"data":{},"metadata":{"recordedAt":"2026-13-01T09:00:00Z"}}`),
		[]byte(`{"v":1,"stream":"s","revision":1,"id":"e","type":"T","schemaVersion":1,"data":{},"metadata":{"actor":"a","extra":"x"}}`),
		[]byte(`{"v":1,"stream":"s","revision":1,"data":{},"data":{"b":1},"metadata":{"actor":"a"},"metadata":{"role":"r"}}`),
		[]byte(`{"v":1,"stream":"s","revision":1}{}`),
		[]byte(`{"v":1,"stream":"s`),
		[]byte(`{}`),
		[]byte(``),
	)
}

// The fast path never answers differently from encoding/json: where it decodes, the
// record is the one json.Unmarshal makes.
func TestCanonicalDecodeAgreesWithEncodingJSON(t *testing.T) {
	for i, raw := range canonicalSamples(t) {
		// The first two are what EncodeRecord writes for ASCII metadata: the fast
		// path's whole point.
		if !checkAgrees(t, raw) && i < 2 {
			t.Errorf("the fast path did not decode a canonical record:\n%s", raw)
		}
	}
	// Every prefix and every one-byte change of a canonical record, too.
	raw := canonicalSamples(t)[1]
	for i := range raw {
		checkAgrees(t, raw[:i])
		for _, c := range []byte{'"', '\\', '{', '}', ',', ':', ' ', '0', 'x', 0x80} {
			changed := append([]byte(nil), raw...)
			changed[i] = c
			checkAgrees(t, changed)
		}
	}
}

func FuzzCanonicalDecode(f *testing.F) {
	for _, raw := range canonicalSamples(f) {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkAgrees(t, raw) })
}

// checkAgrees reports whether the fast path decoded raw, failing t if what it decoded
// differs from json.Unmarshal's record.
func checkAgrees(t testing.TB, raw []byte) bool {
	t.Helper()
	var fast record
	if !decodeCanonical(raw, &fast) {
		return false
	}
	var strict record
	if err := json.Unmarshal(raw, &strict); err != nil {
		t.Errorf("fast path decoded what encoding/json refuses (%v):\n%s", err, raw)
		return true
	}
	// Times compare by instant and zone offset (the location pointer differs).
	if !fast.Metadata.RecordedAt.Equal(strict.Metadata.RecordedAt) || fast.Metadata.RecordedAt.String() != strict.Metadata.RecordedAt.String() {
		t.Errorf("recordedAt %v, encoding/json %v:\n%s", fast.Metadata.RecordedAt, strict.Metadata.RecordedAt, raw)
	}
	fast.Metadata.RecordedAt, strict.Metadata.RecordedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(fast, strict) {
		t.Errorf("fast path\n%+v\nencoding/json\n%+v\nfor\n%s", fast, strict, raw)
	}
	return true
}

// The data object is checked in one pass: whatever it accepts, json.Valid accepts;
// and it accepts every valid object that nests less than maxValueDepth, or the fast
// path would fall back where it need not.
func TestObjectIsCheckedAsJSONValidChecksIt(t *testing.T) {
	deep := strings.Repeat(`{"a":`, maxValueDepth+1) + `1` + strings.Repeat(`}`, maxValueDepth+1)
	for _, s := range []string{
		`{}`, `{ }`, "{\t\"a\" :\n1 }", `{"a":[]}`, `{"a":[1,2.5,-3e2,0.0,-0,1E+9,1e-9,{"b":null}]}`,
		`{"a":true,"b":false,"c":null}`, `{"s":"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"}`,
		"{\"s\":\"\x7f \xff \xc3\xb1\"}", `{"a":{"b":{"c":[[[]]]}}}`, `{"":""}`,
		// Refused by both.
		`{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`,
		`{"a":-}`, `{"a":1e}`, `{"a":1e+}`, `{"a":+1}`, `{"a":[1,]}`, `{"a":tru}`, `{"a":truex}`,
		`{"a":nul}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12zz"}`, "{\"a\":\"tab\there\"}",
		`{"a":"unterminated}`, `{"a":[}`, `{"a":{]}`, `{1:2}`, `{"a":1}}`, `{'a':1}`,
		// Valid, but nested past maxValueDepth: left to encoding/json.
		deep,
	} {
		p := parser{b: []byte(s)}
		_, ok := p.object()
		ok = ok && p.i == len(s)
		valid := json.Valid([]byte(s))
		switch {
		case ok && !valid:
			t.Errorf("accepted what json.Valid refuses: %q", s)
		case !ok && valid && s != deep:
			t.Errorf("refused a valid object: %q", s)
		case ok && s == deep:
			t.Errorf("accepted an object nested past %d levels", maxValueDepth)
		}
	}
}

func FuzzObject(f *testing.F) {
	f.Add([]byte(`{"a":[1,2.5,-3e2,{"y":null}],"q":"say \"hi\" \u00e9","t":true}`))
	f.Add([]byte(`{"a":"\uD83D","b":-0.0e+0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := parser{b: b}
		_, ok := p.object()
		ok = ok && p.i == len(b)
		valid := json.Valid(b)
		if ok && !valid {
			t.Fatalf("accepted what json.Valid refuses: %q", b)
		}
		shallow := bytes.Count(b, []byte("{"))+bytes.Count(b, []byte("[")) < maxValueDepth
		if !ok && valid && shallow && len(b) > 1 && b[0] == '{' && b[len(b)-1] == '}' {
			t.Fatalf("refused a valid object: %q", b)
		}
	})
}

// hasControl finds a byte below 0x20 wherever it stands, among any other bytes, and
// nothing where there is none.
func TestHasControl(t *testing.T) {
	for n := range 20 {
		for at := range n {
			for c := range 256 {
				b := bytes.Repeat([]byte{'a'}, n)
				b[at] = byte(c)
				if got, want := hasControl(b), c < 0x20; got != want {
					t.Fatalf("%q: %v, want %v", b, got, want)
				}
				// Beside the bytes that borrow or carry the most.
				for _, other := range []byte{0x00, 0x1f, 0x20, 0x7f, 0x80, 0xa0, 0xff} {
					b2 := bytes.Repeat([]byte{other}, n)
					b2[at] = byte(c)
					if got, want := hasControl(b2), c < 0x20 || (other < 0x20 && n > 1); got != want {
						t.Fatalf("%q: %v, want %v", b2, got, want)
					}
				}
			}
		}
	}
}

// plainASCII refuses a backslash, a control byte or a byte from 0x80 up wherever it
// stands, and accepts every other byte.
func TestPlainASCII(t *testing.T) {
	for n := 1; n < 20; n++ {
		for at := range n {
			for c := range 256 {
				b := bytes.Repeat([]byte{'a'}, n)
				b[at] = byte(c)
				if got, want := plainASCII(b), c != '\\' && c >= 0x20 && c < 0x80; got != want {
					t.Fatalf("%q: %v, want %v", b, got, want)
				}
			}
		}
	}
	if !plainASCII(nil) || !plainASCII([]byte(" ~\x7f")) {
		t.Error("refused plain ASCII")
	}
}
