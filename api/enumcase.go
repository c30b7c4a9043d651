package api

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// GraphQL enums are bound to the domain's own types (gqlgen.yml), and gqlgen reads a
// bound enum by looking its name up: a name that is not one of the enum's reads as
// the zero value, "", with no error. gqlparser refuses unknown names in the document
// and in variables, but in variables it compares them ignoring case, so
// {"need": "bank_account"} would reach a command as no need at all, and an optional
// reason code as none. exactEnums refuses such a variable before anything runs, as
// BAD_USER_INPUT with the sentence an unknown name gets ("bank_account is not a valid
// Need: enum values are upper case (BANK_ACCOUNT)", input.go).
type exactEnums struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = exactEnums{}

func (exactEnums) ExtensionName() string                   { return "ExactEnums" }
func (exactEnums) Validate(graphql.ExecutableSchema) error { return nil }

func (e exactEnums) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	for _, def := range op.Operation.VariableDefinitions {
		if v, ok := op.Variables[def.Variable]; ok {
			if err := e.check(def.Type, v, ast.Path{ast.PathName("variable"), ast.PathName(def.Variable)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// check walks a variable's value along its type and refuses the first enum value
// that is not exactly one of the enum's names. path grows by append as the walk goes
// down (siblings reuse its room); the error takes a copy.
func (e exactEnums) check(t *ast.Type, v any, path ast.Path) *gqlerror.Error {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		items, ok := v.([]any)
		if !ok {
			return e.check(t.Elem, v, path) // one value where a list goes is a list of one
		}
		for i, item := range items {
			if err := e.check(t.Elem, item, append(path, ast.PathIndex(i))); err != nil {
				return err
			}
		}
		return nil
	}
	def := e.schema.Types[t.NamedType]
	switch {
	case def == nil:
		return nil
	case def.Kind == ast.Enum:
		if name, ok := v.(string); ok && def.EnumValues.ForName(name) != nil {
			return nil
		}
		name, _ := v.(string)
		err := gqlerror.ErrorPathf(slices.Clone(path), "%s", inputMessage(e.schema, name+notValid+def.Name))
		errcode.Set(err, CodeBadUserInput)
		return err
	case def.Kind == ast.InputObject:
		fields, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for _, f := range def.Fields { // in the schema's order: the same error every time
			if fv, ok := fields[f.Name]; ok {
				if err := e.check(f.Type, fv, append(path, ast.PathName(f.Name))); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
