package api_test

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/waymark-org/waymark/api/graph"
)

// TestSchemaIsDescribed: the descriptions are the API's documentation (introspection
// and GraphiQL show them), so every type, field, argument, input field, enum value and
// directive of the schema has one.
func TestSchemaIsDescribed(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	missing := func(what string) { t.Errorf("%s has no description", what) }
	args := func(owner string, list ast.ArgumentDefinitionList) {
		for _, a := range list {
			if strings.TrimSpace(a.Description) == "" {
				missing(owner + "(" + a.Name + ":)")
			}
		}
	}
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(def.Description) == "" {
			missing(string(def.Kind) + " " + name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				missing(name + "." + f.Name)
			}
			args(name+"."+f.Name, f.Arguments)
		}
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				missing(name + "." + v.Name)
			}
		}
	}
	for name, d := range schema.Directives {
		if d.Position == nil || d.Position.Src.BuiltIn {
			continue
		}
		if strings.TrimSpace(d.Description) == "" {
			missing("@" + name)
		}
		args("@"+name, d.Arguments)
	}
}
