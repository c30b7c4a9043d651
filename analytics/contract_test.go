package analytics

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/waymark-org/waymark/domain"
)

// contract is the embedded AsyncAPI document, decoded.
type contract struct {
	AsyncAPI string `yaml:"asyncapi"`
	Channels map[string]struct {
		Address    string `yaml:"address"`
		Title      string `yaml:"title"`
		Parameters map[string]struct {
			Enum []string `yaml:"enum"`
		} `yaml:"parameters"`
		Messages map[string]any `yaml:"messages"`
	} `yaml:"channels"`
	Components struct {
		Messages map[string]any `yaml:"messages"`
		Schemas  map[string]any `yaml:"schemas"`
	} `yaml:"components"`
}

func loadContract(t *testing.T) contract {
	t.Helper()
	var c contract
	if err := yaml.Unmarshal(AsyncAPI, &c); err != nil {
		t.Fatalf("asyncapi.yaml: %v", err)
	}
	return c
}

// compileSchemas compiles each named schema of the document with a JSON Schema
// (2020-12) library, the way a consumer would.
func compileSchemas(t *testing.T, names []string) map[string]*jsonschema.Schema {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal(AsyncAPI, &doc); err != nil {
		t.Fatal(err)
	}
	// Round trip through JSON so the library sees JSON values only.
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(contractURL, inst); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, n := range names {
		s, err := c.Compile(contractURL + "#/components/schemas/" + n)
		if err != nil {
			t.Fatalf("schema %s: %v", n, err)
		}
		out[n] = s
	}
	return out
}

func caseEventSpecs() []domain.EventSpec {
	var out []domain.EventSpec
	for _, s := range domain.Events() {
		if s.Aggregate == domain.AggregateCase {
			out = append(out, s)
		}
	}
	return out
}

// Every case event type of the table has a hand-written mapping, a message, a schema
// for the message and one for its data, and a token in the channel's eventType
// parameter; the contract describes no type the table lacks. A new event type fails
// here until someone decides what of it may be published.
func TestEveryCaseEventTypeIsMappedAndHasASchema(t *testing.T) {
	c := loadContract(t)
	if c.AsyncAPI != "3.0.0" {
		t.Errorf("asyncapi: %q, want 3.0.0", c.AsyncAPI)
	}
	ch, ok := c.Channels["analytics"]
	if !ok || ch.Address != "waymark.analytics.{jurisdiction}.{pseudonym}.{eventType}" || ch.Title != "WAYMARK_ANALYTICS" {
		t.Fatalf("the analytics channel: %+v", ch)
	}
	tokens := ch.Parameters["eventType"].Enum
	specs := caseEventSpecs()
	if len(specs) == 0 {
		t.Fatal("no case event types")
	}
	var names []string
	for _, s := range specs {
		zero := reflect.New(s.GoType).Elem().Interface().(domain.Event)
		if _, _, ok := payload(zero, domain.Case{}); !ok {
			t.Errorf("%s has no analytics mapping (add it to payload in map.go, and its schema to asyncapi.yaml)", s.Type)
		}
		for _, n := range []string{s.Type, SchemaName(s.Type)} {
			if _, ok := c.Components.Schemas[n]; !ok {
				t.Errorf("asyncapi.yaml has no schema %s", n)
			}
		}
		if _, ok := c.Components.Messages[s.Type]; !ok {
			t.Errorf("asyncapi.yaml has no message %s", s.Type)
		}
		if _, ok := ch.Messages[s.Type]; !ok {
			t.Errorf("the analytics channel does not list message %s", s.Type)
		}
		if !slices.Contains(tokens, TypeToken(s.Type)) {
			t.Errorf("the eventType parameter lacks %s", TypeToken(s.Type))
		}
		names = append(names, s.Type, SchemaName(s.Type))
	}
	for n := range c.Components.Messages {
		if n == TombstoneMessage { // not a case event: tombstone_test.go
			continue
		}
		if !slices.ContainsFunc(specs, func(s domain.EventSpec) bool { return s.Type == n }) {
			t.Errorf("asyncapi.yaml describes %s, which is no case event type", n)
		}
	}
	if len(tokens) != len(specs) {
		t.Errorf("the eventType parameter lists %d tokens for %d case event types", len(tokens), len(specs))
	}
	compileSchemas(t, names) // every schema compiles
}

// Every case event of the fixture maps to a message that validates against its
// event type's schema; the other aggregates' events map to none.
func TestEveryFixtureMessageValidates(t *testing.T) {
	p := testPseudonymizer(t)
	var names []string
	for _, s := range caseEventSpecs() {
		names = append(names, s.Type)
	}
	schemas := compileSchemas(t, names)
	seen := map[string]bool{}
	for _, fe := range loadFixture(t) {
		spec, _ := domain.EventSpecFor(fe.rec.Type)
		ce, ok := Map(fe.rec, fe.event, fe.after, p)
		if spec.Aggregate != domain.AggregateCase {
			if ok {
				t.Errorf("%s (%s) was mapped", fe.rec.Type, spec.Aggregate)
			}
			continue
		}
		if !ok {
			t.Errorf("%s %s was not mapped", fe.rec.Stream, fe.rec.Type)
			continue
		}
		seen[fe.rec.Type] = true
		if err := schemas[fe.rec.Type].Validate(instance(t, ce)); err != nil {
			t.Errorf("%s %s: %v", fe.rec.Stream, fe.rec.Type, err)
		}
	}
	for _, n := range names {
		if !seen[n] {
			t.Errorf("the fixture holds no %s", n)
		}
	}
}

// The schemas refuse what they must: a data field no schema names, a finer time, a case
// id for a subject (a control for the validation above).
func TestSchemasRefuseExtraFieldsAndFineTimes(t *testing.T) {
	p := testPseudonymizer(t)
	schemas := compileSchemas(t, []string{"SurvivorReferred"})
	var ce CloudEvent
	for _, fe := range loadFixture(t) {
		if fe.rec.Type == "SurvivorReferred" {
			ce, _ = Map(fe.rec, fe.event, fe.after, p)
			break
		}
	}
	if err := schemas["SurvivorReferred"].Validate(instance(t, ce)); err != nil {
		t.Fatal(err)
	}
	for name, spoil := range map[string]func(*CloudEvent){
		"extra data field": func(c *CloudEvent) { c.Data["name"] = "Ana" },
		"exact time":       func(c *CloudEvent) { c.Time = "2026-06-01T09:00:00Z" },
		"case id subject":  func(c *CloudEvent) { c.Subject = "case-54399e53-bc74-8abc-bc0b-0522962a1b8c" },
		"free text code":   func(c *CloudEvent) { c.Data["needs"] = []string{"she needs a flat"} },
		"missing stage":    func(c *CloudEvent) { delete(c.Data, "stage") },
	} {
		bad := ce
		bad.Data = map[string]any{}
		for k, v := range ce.Data {
			bad.Data[k] = v
		}
		spoil(&bad)
		if err := schemas["SurvivorReferred"].Validate(instance(t, bad)); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// instance is the message as a consumer decodes its published bytes.
func instance(t *testing.T, ce CloudEvent) any {
	t.Helper()
	raw, err := ce.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
