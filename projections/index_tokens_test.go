package projections

import (
	"encoding/json"
	"slices"
	"testing"
)

var tokenInputs = []string{
	`[]`, `[""]`, `["a"]`, `["0a1b","ff00"]`,
	`["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"]`,
	// Left to encoding/json: the same answer, or its error.
	`[ "a" ]`, `["a", "b"]`, `["a\"b"]`, `["a\\b"]`, `["a,b"]`, `["a","b",]`, `[,"a"]`, `["a""b"]`,
	`["\u00e9"]`, `["é"]`, "[\"\x7f\"]", "[\"a\x01\"]", `[1]`, `[null]`, `null`, `{}`, `[`, `]`, `""`, ``,
}

// TestDecodeTokensAnswersAsEncodingJSON: the plain shape read by hand, everything
// else, the same as encoding/json.
func TestDecodeTokensAnswersAsEncodingJSON(t *testing.T) {
	for _, in := range tokenInputs {
		checkTokens(t, []byte(in))
	}
	if _, ok := plainTokens([]byte(`["0a1b","ff00"]`)); !ok {
		t.Error("the plain shape was left to encoding/json")
	}
	if _, ok := plainTokens([]byte(`["a", "b"]`)); ok {
		t.Error("a space was read by hand")
	}
}

func FuzzDecodeTokens(f *testing.F) {
	for _, in := range tokenInputs {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkTokens(t, raw) })
}

func checkTokens(t *testing.T, raw []byte) {
	t.Helper()
	var want []string
	wantErr := json.Unmarshal(raw, &want)
	got, err := decodeTokens(raw)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Errorf("decodeTokens(%q) = %q, %v; encoding/json: %q, %v", raw, got, err, want, wantErr)
	case err == nil && (!slices.Equal(got, want) || (got == nil) != (want == nil)):
		t.Errorf("decodeTokens(%q) = %#v; encoding/json: %#v", raw, got, want)
	}
}
