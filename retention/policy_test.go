package retention

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultsParse(t *testing.T) {
	ps := Defaults()
	if ps.Default.ErasePersonalAfterClosedYears != 6 || ps.Default.DropAccessLogAfterYears != 7 {
		t.Fatalf("default policy = %+v, want 6 and 7 years", ps.Default)
	}
	if got := ps.For("US").ErasePersonalAfterClosedYears; got != 10 {
		t.Fatalf("US erasure after %d years, want 10", got)
	}
	if got := ps.For("FR"); got != ps.Default {
		t.Fatalf("a jurisdiction not listed gets %+v, want the default", got)
	}
	if got := ps.List(); len(got) != 4 || got[0].Jurisdiction != "GB" || got[3].Jurisdiction != "" {
		t.Fatalf("List = %+v", got)
	}
}

func TestPolicyCutoffs(t *testing.T) {
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	p := Policy{Jurisdiction: "MX", ErasePersonalAfterClosedYears: 6, DropAccessLogAfterYears: 7}
	if cut, ok := p.EraseBefore(now); !ok || !cut.Equal(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("EraseBefore = %v, %v", cut, ok)
	}
	if cut, ok := p.DropAccessBefore(now); !ok || !cut.Equal(time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("DropAccessBefore = %v, %v", cut, ok)
	}
	never := Policy{}
	if _, ok := never.EraseBefore(now); ok {
		t.Fatal("0 years erases")
	}
	if _, ok := never.DropAccessBefore(now); ok {
		t.Fatal("0 years drops")
	}
	if p.Label() != "MX:6y" || never.Label() != "default:0y" {
		t.Fatalf("labels %q %q", p.Label(), never.Label())
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "retention.json")
	if err := os.WriteFile(path, []byte(`{"default":{"erasePersonalAfterClosedYears":0,"dropAccessLogAfterYears":0},
		"jurisdictions":[{"jurisdiction":"DE","erasePersonalAfterClosedYears":3,"dropAccessLogAfterYears":4}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ps, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := ps.For("DE"); got.ErasePersonalAfterClosedYears != 3 || got.DropAccessLogAfterYears != 4 {
		t.Fatalf("DE = %+v", got)
	}
	if got := ps.For("US"); got.ErasePersonalAfterClosedYears != 0 {
		t.Fatalf("the file replaces the defaults whole; US = %+v", got)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing file: %v", err)
	}
}

// Every malformed file is refused with a sentence that says what is wrong.
func TestMalformedFilesRefused(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"not JSON", `default: 6`, "not a policy file"},
		{"unknown field", `{"default":{"erasePersonalAfterClosedYears":6},"jurisdiction":[]}`, "unknown field"},
		{"no default", `{"jurisdictions":[]}`, `"default" is missing`},
		{"default names a jurisdiction", `{"default":{"jurisdiction":"US"}}`, "applies to every jurisdiction"},
		{"negative years", `{"default":{"erasePersonalAfterClosedYears":-1}}`, "want 0 (never) to 100 years"},
		{"absurd years", `{"default":{"dropAccessLogAfterYears":2030}}`, "want 0 (never) to 100 years"},
		{"years as text", `{"default":{"erasePersonalAfterClosedYears":"6"}}`, "not a policy file"},
		{"lower-case jurisdiction", `{"default":{},"jurisdictions":[{"jurisdiction":"mx"}]}`, "ISO 3166-1 alpha-2"},
		{"UK", `{"default":{},"jurisdictions":[{"jurisdiction":"UK"}]}`, `the United Kingdom is "GB"`},
		{"not a country", `{"default":{},"jurisdictions":[{"jurisdiction":"ZZ"}]}`, "not a country"},
		{"listed twice", `{"default":{},"jurisdictions":[{"jurisdiction":"MX"},{"jurisdiction":"MX"}]}`, "listed twice"},
		{"log dropped before the data", `{"default":{"erasePersonalAfterClosedYears":6,"dropAccessLogAfterYears":2}}`, "at least as long"},
		{"two values", `{"default":{}} {}`, "more than one JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%s) = %v, want ErrInvalid saying %q", tc.file, err, tc.want)
			}
		})
	}
}
