package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// No event type has changed shape yet, so the mechanism is tried on a made-up one:
// ProbeRecorded stored "note" at version 1, renamed it "label" at version 2 and made
// its count a list at version 3.
type probeRecorded struct {
	Label    string       `json:"label" waymark:"code"`
	Counts   []int        `json:"counts"`
	At       time.Time    `json:"at"`
	Personal *NoteDetails `json:"personal,omitempty"`
}

func (probeRecorded) EventType() string { return "ProbeRecorded" }

func probeSpec() EventSpec {
	return DescribeEvent[probeRecorded](AggregateCase).
		Upcasting(1, renameField("note", "label")).
		Upcasting(2, func(data json.RawMessage) (json.RawMessage, error) {
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(data, &fields); err != nil {
				return nil, err
			}
			fields["counts"] = json.RawMessage("[" + string(fields["count"]) + "]")
			delete(fields, "count")
			return json.Marshal(fields)
		})
}

func renameField(from, to string) Upcaster {
	return func(data json.RawMessage) (json.RawMessage, error) {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			return nil, err
		}
		fields[to] = fields[from]
		delete(fields, from)
		return json.Marshal(fields)
	}
}

func TestUpcastingReadsEveryOlderVersion(t *testing.T) {
	spec := probeSpec()
	if spec.SchemaVersion != 3 || spec.Type != "ProbeRecorded" || spec.Personal != reflect.TypeFor[NoteDetails]() {
		t.Fatalf("spec = %+v", spec)
	}
	want := probeRecorded{Label: "mx", Counts: []int{2}, At: at(1), Personal: &NoteDetails{}}
	stored := map[int]string{
		1: `{"note":"mx","count":2,"at":"2026-03-02T10:00:00Z","personal":{"sealed":"AAAA"}}`,
		2: `{"label":"mx","count":2,"at":"2026-03-02T10:00:00Z","personal":{"sealed":"AAAA"}}`,
		3: `{"label":"mx","counts":[2],"at":"2026-03-02T10:00:00Z","personal":{"sealed":"AAAA"}}`,
	}
	for version, data := range stored {
		got, err := spec.Decode(version, []byte(data))
		if err != nil {
			t.Fatalf("version %d: %v", version, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("version %d decodes to %#v, want %#v", version, got, want)
		}
	}

	// The spec it was built from is unchanged: Upcasting returns a new one.
	base := DescribeEvent[probeRecorded](AggregateCase)
	_ = base.Upcasting(1, renameField("note", "label"))
	if base.SchemaVersion != 1 || len(base.upcasters) != 0 {
		t.Errorf("Upcasting changed the spec it was called on: %+v", base)
	}
}

func TestUnreadableVersionsAreRefused(t *testing.T) {
	spec := probeSpec()
	for _, version := range []int{0, -1, 4} {
		if _, err := spec.Decode(version, []byte(`{}`)); !errors.Is(err, ErrSchemaVersion) {
			t.Errorf("version %d: %v, want ErrSchemaVersion", version, err)
		}
	}
	// A gap in the chain: version 2 can be read, version 1 cannot.
	gap := DescribeEvent[probeRecorded](AggregateCase).Upcasting(2, renameField("x", "y"))
	if _, err := gap.Decode(1, []byte(`{}`)); !errors.Is(err, ErrSchemaVersion) || !strings.Contains(err.Error(), "no upcaster from schema version 1") {
		t.Errorf("a missing upcaster: %v", err)
	}
	failing := DescribeEvent[probeRecorded](AggregateCase).Upcasting(1, func(json.RawMessage) (json.RawMessage, error) {
		return nil, errors.New("cannot")
	})
	if _, err := failing.Decode(1, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "upcast ProbeRecorded from schema version 1: cannot") {
		t.Errorf("a failing upcaster: %v", err)
	}
}
