package codec_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/waymark-org/waymark/codec"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/internal/testkit"
)

// testdata/fixture-v1.jsonl is every stored event of node/testdata/datadir-v1, the data
// directory the hardening release wrote (every event type, at schema version 1, its
// personal data sealed), one per line in the global log's order: extracted once from
// that directory with the JetStream store, the bytes of each event's data as stored.
// Never edit it. node's TestFixtureDataDirectoryOpens opens the whole directory; this
// test checks, without a server, that every one of those events still decodes through
// the event table (through its upcasters, once a type has a newer schema version) and
// folds.
func TestHardeningFixtureDecodesAndFolds(t *testing.T) {
	cases := map[string]domain.Case{}
	organisations := map[string]domain.Organisation{}
	revocations := map[string]domain.Revocation{}
	seen := map[string]bool{}
	for _, rec := range testkit.EventFixture(t, "testdata/fixture-v1.jsonl") {
		e, extras, err := codec.Decode(rec)
		if err != nil {
			t.Errorf("%s revision %d (%s): %v", rec.Stream, rec.Revision, rec.Type, err)
			continue
		}
		seen[rec.Type] = true
		// The sealed parts stay bound to the version they were sealed under.
		for _, p := range []codec.Personal{extras.Personal, extras.BlindIndex} {
			if !p.IsZero() && p.SchemaVersion != rec.SchemaVersion {
				t.Errorf("%s: a sealed part at schema version %d, stored at %d", rec.Type, p.SchemaVersion, rec.SchemaVersion)
			}
		}
		spec, _ := domain.EventSpecFor(rec.Type)
		kind, _, _ := eventstore.SplitStreamName(rec.Stream)
		if string(spec.Aggregate) != kind {
			t.Errorf("%s is a %s event in stream %s", rec.Type, spec.Aggregate, rec.Stream)
		}
		var version uint64
		switch spec.Aggregate {
		case domain.AggregateCase:
			cases[rec.Stream] = domain.Evolve(cases[rec.Stream], e)
			version = cases[rec.Stream].Version
		case domain.AggregateOrganisation:
			organisations[rec.Stream] = domain.EvolveOrganisation(organisations[rec.Stream], e)
			version = organisations[rec.Stream].Version
		case domain.AggregateRevocation:
			revocations[rec.Stream] = domain.EvolveRevocation(revocations[rec.Stream], e)
			version = revocations[rec.Stream].Version
		}
		if version != rec.Revision+1 {
			t.Errorf("%s revision %d folded to version %d", rec.Stream, rec.Revision, version)
		}
	}
	if len(seen) < 39 {
		t.Errorf("the fixture holds %d event types; the hardening release wrote 39", len(seen))
	}

	live, erased := cases["case-000000f1-0000-7000-8000-000000000017"], cases["case-000000f1-0000-7000-8000-000000000075"]
	if !live.Referred || live.Erased || live.Stage != domain.StageCreditRepair || live.Version != 40 ||
		len(live.Offers) == 0 || len(live.Disputes) == 0 || len(live.Concerns) == 0 || live.ContactRules == nil {
		t.Errorf("the live case folded to %+v", live)
	}
	if !erased.Referred || !erased.Erased {
		t.Errorf("the erased case folded to %+v", erased)
	}
	for stream, o := range organisations {
		if !o.Registered {
			t.Errorf("%s folded to %+v", stream, o)
		}
	}
	for stream, r := range revocations {
		if !r.Revoked {
			t.Errorf("%s folded to %+v", stream, r)
		}
	}
}

// Every event fixture file decodes and folds on its own (each holds whole streams), and
// together they hold every event type of the table at its current schema version: a
// type added or given a new version without a stored example fails here (write the
// next fixture file as node/fixture_test.go describes).
func TestEventFixturesCoverEveryTypeAndVersion(t *testing.T) {
	files, err := filepath.Glob("testdata/fixture-v*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no event fixtures: %v", err)
	}
	have := map[string]bool{}
	for _, file := range files {
		versions := map[string]uint64{}
		cases := map[string]domain.Case{}
		for _, rec := range testkit.EventFixture(t, file) {
			if rec.Revision != versions[rec.Stream] {
				t.Errorf("%s: %s revision %d out of order: each fixture file holds whole streams", file, rec.Stream, rec.Revision)
			}
			versions[rec.Stream]++
			e, _, err := codec.Decode(rec)
			if err != nil {
				t.Errorf("%s: %s revision %d (%s): %v", file, rec.Stream, rec.Revision, rec.Type, err)
				continue
			}
			have[fmt.Sprintf("%s/%d", rec.Type, rec.SchemaVersion)] = true
			if spec, _ := domain.EventSpecFor(rec.Type); spec.Aggregate == domain.AggregateCase {
				cases[rec.Stream] = domain.Evolve(cases[rec.Stream], e)
			}
		}
		for stream, c := range cases {
			if !c.Referred || c.Version != versions[stream] {
				t.Errorf("%s: %s folded to version %d of %d (referred %v)", file, stream, c.Version, versions[stream], c.Referred)
			}
		}
	}
	for _, spec := range domain.Events() {
		if !have[fmt.Sprintf("%s/%d", spec.Type, spec.SchemaVersion)] {
			t.Errorf("no event fixture holds %s at schema version %d", spec.Type, spec.SchemaVersion)
		}
	}
}
