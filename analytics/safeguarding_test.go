package analytics

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/waymark-org/waymark/domain"
)

// A safeguarding concern reaches the feed as a fact (raised, acknowledged, resolved;
// by whom), never as what it is about or how it ended: no category, no resolution
// code, whatever the event holds. The fixture's concerns carry both: a positive
// control shows they are in the events' own JSON.
func TestSafeguardingIsCountedNeverDescribed(t *testing.T) {
	ps := testPseudonymizer(t)
	var codes [][]byte
	for _, c := range domain.AllConcernCategory() {
		codes = append(codes, []byte(`"`+string(c)+`"`))
	}
	for _, r := range domain.AllConcernResolution() {
		codes = append(codes, []byte(`"`+string(r)+`"`))
	}
	seen := map[string]int{}
	for _, fe := range loadFixture(t) {
		var own string
		switch e := fe.event.(type) {
		case domain.SafeguardingConcernRaised:
			own = string(e.Category)
		case domain.SafeguardingConcernResolved:
			own = string(e.Resolution)
		case domain.SafeguardingConcernAcknowledged:
		default:
			continue
		}
		ce, ok := Map(fe.rec, fe.event, fe.after, ps)
		if !ok {
			t.Fatalf("%s was not published", fe.rec.Type)
		}
		seen[fe.rec.Type]++
		raw, err := ce.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if own != "" { // positive control: the code is in the event itself
			if stored, err := json.Marshal(fe.event); err != nil || !bytes.Contains(stored, []byte(`"`+own+`"`)) {
				t.Errorf("%s: its code %q is not in its own JSON (%v)", fe.rec.Type, own, err)
			}
		}
		for _, code := range codes {
			if bytes.Contains(raw, code) {
				t.Errorf("%s publishes %s: %s", fe.rec.Type, code, raw)
			}
		}
		for _, key := range []string{`"category"`, `"resolution"`} {
			if bytes.Contains(raw, []byte(key)) {
				t.Errorf("%s publishes %s: %s", fe.rec.Type, key, raw)
			}
		}
	}
	for _, typ := range []string{"SafeguardingConcernRaised", "SafeguardingConcernAcknowledged", "SafeguardingConcernResolved"} {
		if seen[typ] == 0 {
			t.Errorf("the fixture has no %s: nothing checked", typ)
		}
	}
}
