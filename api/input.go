package api

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/api/scalar"
)

// Input that does not coerce to the schema's types is BAD_USER_INPUT with the
// sentence gqlparser or gqlgen produced, never INTERNAL, and never with the value
// repeated when it could be personal data typed into the wrong field.
//
// Where such errors surface:
//   - variables: gqlparser's VariableValues, before execution (an unknown enum, a
//     string for an Int, a missing field); gqlgen codes them
//     GRAPHQL_VALIDATION_FAILED with a path starting at "variable";
//   - enums in variables: gqlparser lets a name in the wrong case through; exactVariables
//     (exactvariables.go) refuses it before execution, with the sentence below, and
//     so an Int or Time variable api/scalar refuses (gqlparser takes "5" for an Int);
//   - arguments: gqlgen unmarshals every argument when its field starts (a Time or Int
//     that api/scalar refuses); a failure leaves the field's Args unset, which tells
//     it apart from an error of the field's resolver.

// isVariablePath reports whether an error is about the request's variables.
func isVariablePath(p ast.Path) bool {
	return len(p) > 0 && p[0] == ast.PathName("variable")
}

// isInputCoercion reports whether err is a field's arguments failing to coerce.
func isInputCoercion(ctx context.Context, err error) bool {
	if errors.Is(err, scalar.ErrInvalid) {
		return true
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return false
	}
	// gqlgen sets Args to a non-nil map once a field's arguments unmarshalled.
	return fc.Args == nil && len(fc.Field.Definition.Arguments) > 0
}

// presentInput makes gqlErr a BAD_USER_INPUT whose message and path repeat no value.
func presentInput(schema *ast.Schema, gqlErr *gqlerror.Error) {
	gqlErr.Extensions["code"] = CodeBadUserInput
	gqlErr.Message = inputMessage(schema, gqlErr.Message)
	for i, p := range gqlErr.Path {
		// An unknown input field is named by the request's own key.
		if name, ok := p.(ast.PathName); ok && !isName(string(name)) {
			gqlErr.Path[i] = ast.PathName("…")
		}
	}
}

// notValid is the middle of the one message both gqlparser and gqlgen's generated enums
// give for a value outside an enum: "<value> is not a valid <Enum>".
const notValid = " is not a valid "

// inputMessage keeps the library's sentence, except that an enum's value is repeated
// only when it is one of the enum's values in the wrong case (the sentence is then
// the useful one, "bank_account is not a valid Need"); any other value is replaced by
// the list of valid ones.
func inputMessage(schema *ast.Schema, msg string) string {
	value, enumName, ok := strings.Cut(msg, notValid)
	if !ok || schema == nil {
		return redactQuoted(msg, isName)
	}
	def := schema.Types[enumName]
	if def == nil || def.Kind != ast.Enum {
		return redactQuoted(msg, isName)
	}
	names := make([]string, len(def.EnumValues))
	for i, v := range def.EnumValues {
		names[i] = v.Name
		if strings.EqualFold(v.Name, value) {
			return fmt.Sprintf("%s%s%s: enum values are upper case (%s)", value, notValid, enumName, v.Name)
		}
	}
	return fmt.Sprintf("the value given is not a valid %s: use one of %s", enumName, strings.Join(names, ", "))
}

var (
	quoted   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	nameRE   = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)
	uuidRE   = regexp.MustCompile(`^([a-z]+-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	redacted = `"…"`
)

// isName reports whether s has the shape of a GraphQL name (a field, type, argument,
// enum value or variable): such words are the schema's or a typo of them, never a
// survivor's full name, phone number, address or note.
func isName(s string) bool { return nameRE.MatchString(s) }

// isIdentifier also lets through the ids the server makes (UUIDs, stream names).
func isIdentifier(s string) bool { return isName(s) || uuidRE.MatchString(s) }

// redactQuoted replaces every double-quoted part of msg whose content keep refuses.
// gqlparser quotes the document's string literals in its messages
// (`Unexpected String "..."`); Go's %q quotes values in error chains.
func redactQuoted(msg string, keep func(string) bool) string {
	return quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if keep(q[1 : len(q)-1]) {
			return q
		}
		return redacted
	})
}

// safeDescription is an internal error's text for the log: quoted values out, and
// bounded, since the log may be shipped and kept where personal data must not go.
func safeDescription(err error) string {
	const maxLen = 300
	s := redactQuoted(err.Error(), isIdentifier)
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return s
}

// safePath renders an error's path for the log; aliases are the caller's words.
func safePath(p ast.Path) string {
	parts := make([]string, len(p))
	for i, e := range p {
		switch e := e.(type) {
		case ast.PathIndex:
			parts[i] = fmt.Sprint(int(e))
		case ast.PathName:
			if parts[i] = string(e); !isName(parts[i]) {
				parts[i] = "…"
			}
		}
	}
	return strings.Join(parts, ".")
}
