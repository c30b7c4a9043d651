package api

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/api/scalar"
)

// GraphQL enums are bound to the domain's own types (gqlgen.yml), and gqlgen reads a
// bound enum by looking its name up: a name that is not one of the enum's reads as
// the zero value, "", with no error. gqlparser refuses unknown names in the document
// and in variables, but in variables it compares them ignoring case, so
// {"need": "bank_account"} would reach a command as no need at all, and an optional
// reason code as none. exactVariables refuses such a variable before anything runs,
// as BAD_USER_INPUT with the sentence an unknown name gets ("bank_account is not a
// valid Need: enum values are upper case (BANK_ACCOUNT)", input.go).
//
// It checks the scalars api/scalar reads (Int, Time) there too: gqlparser takes "5"
// for an Int and anything for a Time, which the scalar would refuse only once
// execution began. Refused before it, a variable that does not coerce is a request
// error, as the GraphQL-over-HTTP specification has it (HTTP 400 in
// application/graphql-response+json, no data), the same whatever the field.
type exactVariables struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = exactVariables{}

func (exactVariables) ExtensionName() string                   { return "ExactVariables" }
func (exactVariables) Validate(graphql.ExecutableSchema) error { return nil }

func (e exactVariables) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
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
// that is not exactly one of the enum's names, or Int or Time value its scalar
// refuses. path grows by append as the walk goes
// down (siblings reuse its room); the error takes a copy.
func (e exactVariables) check(t *ast.Type, v any, path ast.Path) *gqlerror.Error {
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
	case def.Kind == ast.Scalar:
		var err error
		switch def.Name {
		case "Int":
			_, err = scalar.UnmarshalInt(v)
		case "Time":
			_, err = scalar.UnmarshalTime(v)
		}
		if err != nil {
			coded := gqlerror.ErrorPathf(slices.Clone(path), "%s", err.Error())
			errcode.Set(coded, CodeBadUserInput)
			return coded
		}
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
