package retention

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// maxFile bounds a policy file: a few hundred jurisdictions fit in a few KiB.
const maxFile = 1 << 20

// file is the policy file's shape.
type file struct {
	Default       *Policy  `json:"default"`
	Jurisdictions []Policy `json:"jurisdictions"`
}

// Load reads a policy file (Parse); its errors name the file.
func Load(path string) (Policies, error) {
	f, err := os.Open(path)
	if err != nil {
		return Policies{}, fmt.Errorf("retention policy %s: %w", path, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return Policies{}, fmt.Errorf("retention policy %s: %w", path, err)
	}
	if len(raw) > maxFile {
		return Policies{}, fmt.Errorf("retention policy %s: %w: the file is larger than %d bytes", path, ErrInvalid, maxFile)
	}
	ps, err := Parse(raw)
	if err != nil {
		return Policies{}, fmt.Errorf("retention policy %s: %w", path, err)
	}
	return ps, nil
}

// Parse reads a policy file: a JSON object with "default" (required: what every
// jurisdiction not listed gets) and "jurisdictions", a list of policies each naming an
// ISO 3166-1 alpha-2 code once. Unknown fields, negative or absurd numbers of years,
// and an access log dropped before the data it logs are refused, each with a sentence.
func Parse(raw []byte) (Policies, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return Policies{}, fmt.Errorf("%w: not a policy file (a JSON object with \"default\" and \"jurisdictions\"): %v", ErrInvalid, err)
	}
	if dec.More() {
		return Policies{}, fmt.Errorf("%w: more than one JSON value in the file", ErrInvalid)
	}
	if f.Default == nil {
		return Policies{}, fmt.Errorf("%w: \"default\" is missing: every jurisdiction not listed needs a policy", ErrInvalid)
	}
	if f.Default.Jurisdiction != "" {
		return Policies{}, fmt.Errorf("%w: the default policy names jurisdiction %q; it applies to every jurisdiction not listed", ErrInvalid, f.Default.Jurisdiction)
	}
	if err := f.Default.check("the default policy"); err != nil {
		return Policies{}, err
	}
	ps := Policies{Default: *f.Default, ByJurisdiction: map[string]Policy{}}
	for i, p := range f.Jurisdictions {
		if err := checkJurisdiction(p.Jurisdiction); err != nil {
			return Policies{}, fmt.Errorf("%w: jurisdictions[%d]: %v", ErrInvalid, i, err)
		}
		if _, dup := ps.ByJurisdiction[p.Jurisdiction]; dup {
			return Policies{}, fmt.Errorf("%w: jurisdiction %s is listed twice", ErrInvalid, p.Jurisdiction)
		}
		if err := p.check("the policy of " + p.Jurisdiction); err != nil {
			return Policies{}, err
		}
		ps.ByJurisdiction[p.Jurisdiction] = p
	}
	return ps, nil
}

func (p Policy) check(what string) error {
	for _, n := range []struct {
		name  string
		years int
	}{{"erasePersonalAfterClosedYears", p.ErasePersonalAfterClosedYears}, {"dropAccessLogAfterYears", p.DropAccessLogAfterYears}} {
		if n.years < 0 || n.years > MaxYears {
			return fmt.Errorf("%w: %s: %s is %d; want 0 (never) to %d years", ErrInvalid, what, n.name, n.years, MaxYears)
		}
	}
	// The access log is how an erasure's reads stay accountable: dropping it while the
	// data it logs is still held would leave reads of that data unaudited.
	erase, drop := p.ErasePersonalAfterClosedYears, p.DropAccessLogAfterYears
	if drop != 0 && erase != 0 && drop < erase {
		return fmt.Errorf("%w: %s drops the access log after %d years but keeps the personal data %d years after closure: the log of who read the data must be kept at least as long",
			ErrInvalid, what, drop, erase)
	}
	return nil
}

// checkJurisdiction wants an ISO 3166-1 alpha-2 country code in capitals, as cases
// carry (domain's own rule).
func checkJurisdiction(j string) error {
	if len(j) != 2 || j != strings.ToUpper(j) {
		return fmt.Errorf("jurisdiction must be an ISO 3166-1 alpha-2 country code in capitals such as MX, US or GB (got %q)", j)
	}
	if j == "UK" {
		return fmt.Errorf(`jurisdiction "UK": the United Kingdom is "GB"`)
	}
	if r, err := language.ParseRegion(j); err != nil || !r.IsCountry() {
		return fmt.Errorf("jurisdiction %q is not a country", j)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
