package analytics

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/waymark-org/waymark/domain"
)

// contractURL is the base the contract's schemas are compiled under (their dataschema).
const contractURL = "https://waymark.example/asyncapi.yaml"

// Validator checks published bytes against asyncapi.yaml, as a consumer with a JSON
// Schema (2020-12) library would: the message's schema is the one its CloudEvents type
// names. The tests of the feed validate every message they see with it.
type Validator struct {
	byType map[string]*jsonschema.Schema
}

// NewValidator compiles the schema of every message of the contract: one per case event
// type, and the tombstone.
func NewValidator() (*Validator, error) {
	var doc any
	if err := yaml.Unmarshal(AsyncAPI, &doc); err != nil {
		return nil, fmt.Errorf("asyncapi.yaml: %w", err)
	}
	raw, err := json.Marshal(doc) // the library sees JSON values only
	if err != nil {
		return nil, fmt.Errorf("asyncapi.yaml: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("asyncapi.yaml: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(contractURL, inst); err != nil {
		return nil, fmt.Errorf("asyncapi.yaml: %w", err)
	}
	v := &Validator{byType: map[string]*jsonschema.Schema{}}
	add := func(name, typ string) error {
		s, err := c.Compile(contractURL + "#/components/schemas/" + name)
		if err != nil {
			return fmt.Errorf("asyncapi.yaml: schema %s: %w", name, err)
		}
		v.byType[typ] = s
		return nil
	}
	for _, s := range domain.Events() {
		if s.Aggregate == domain.AggregateCase {
			if err := add(s.Type, CloudEventType(s.Type)); err != nil {
				return nil, err
			}
		}
	}
	if err := add(TombstoneMessage, TombstoneType); err != nil {
		return nil, err
	}
	return v, nil
}

// Validate checks one published message: JSON whose type the contract describes, valid
// against that type's schema.
func (v *Validator) Validate(raw []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("not a JSON message: %w", err)
	}
	s, ok := v.byType[head.Type]
	if !ok {
		return fmt.Errorf("no schema for type %q", head.Type)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("not a JSON message: %w", err)
	}
	if err := s.Validate(inst); err != nil {
		return fmt.Errorf("%s: %w", head.Type, err)
	}
	return nil
}
