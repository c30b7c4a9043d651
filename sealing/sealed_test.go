package sealing

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// The canonical fast path and the strict decoder agree: the form Seal writes takes
// the fast path; the same object written any other valid way still opens (by the
// strict decoder); anything malformed is ErrTampered either way.
func TestDecodeSealedFastPathAgreesWithTheStrictDecoder(t *testing.T) {
	raw, err := encodeSealed(bytes.Repeat([]byte{7}, gcmNonceSize), bytes.Repeat([]byte{9}, 40))
	if err != nil {
		t.Fatal(err)
	}
	fast, ok := decodeCanonical(raw)
	if !ok {
		t.Fatalf("the form encodeSealed writes missed the fast path: %s", raw)
	}
	strict, err := decodeSealedJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fast.N, strict.N) || !bytes.Equal(fast.C, strict.C) {
		t.Fatalf("fast %+v, strict %+v", fast, strict)
	}

	n := `"BwcHBwcHBwcHBwcH"`
	c := `"` + strings.TrimSuffix(strings.SplitN(string(raw), `"c":"`, 2)[1], `"}`) + `"`
	valid := map[string]string{
		"spaced":      `{ "sealed": 1, "alg": "A256GCM", "n": ` + n + `, "c": ` + c + ` }`,
		"reordered":   `{"c":` + c + `,"n":` + n + `,"alg":"A256GCM","sealed":1}`,
		"unicode esc": strings.Replace(string(raw), `"alg":"A256GCM"`, `"alg":"\u0041256GCM"`, 1),
	}
	raw2, _ := encodeSealed(bytes.Repeat([]byte{7}, gcmNonceSize), bytes.Repeat([]byte{0xff}, 40)) // "/" in its base64
	if got, err := decodeSealed(bytes.Replace(raw2, []byte("/"), []byte(`\/`), 1)); err != nil || !bytes.Equal(got.C, bytes.Repeat([]byte{0xff}, 40)) {
		t.Errorf("escaped /: %v", err)
	}
	for name, in := range valid {
		got, err := decodeSealed([]byte(in))
		if err != nil || !bytes.Equal(got.N, strict.N) || !bytes.Equal(got.C, strict.C) {
			t.Errorf("%s: %v %+v", name, err, got)
		}
	}
	invalid := map[string]string{
		"other version":   strings.Replace(string(raw), `"sealed":1`, `"sealed":2`, 1),
		"other algorithm": strings.Replace(string(raw), "A256GCM", "A128GCM", 1),
		"short nonce":     strings.Replace(string(raw), `"n":"BwcHBwcHBwcHBwcH"`, `"n":"BwcH"`, 1),
		"bad base64":      strings.Replace(string(raw), `"n":"BwcHBwcHBwcHBwcH"`, `"n":"B!cHBwcHBwcHBwcH"`, 1),
		"extra member":    strings.Replace(string(raw), `}`, `,"x":1}`, 1),
		"trailing bytes":  string(raw) + `{}`,
		"quote inside c":  strings.Replace(string(raw), `"}`, `"x"}`, 1),
		"truncated":       string(raw[:len(raw)-3]),
	}
	for name, in := range invalid {
		if _, err := decodeSealed([]byte(in)); !errors.Is(err, ErrTampered) {
			t.Errorf("%s: %v, want ErrTampered", name, err)
		}
	}
}
