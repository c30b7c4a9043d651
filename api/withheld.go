package api

import (
	"context"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/app"
)

// reportWithheld answers each personal field app left empty for want of a stated
// reason (app.Withheld: an auditor without X-Access-Reason) with a REASON_REQUIRED
// error on that field's path, so that its null explains itself. rel leads from the
// current field to the object holding the fields: schema field names, and list
// indexes as ints (app's lists map one for one onto the schema's). Every place the
// query selects the field (under an alias, in a fragment) gets the error.
func reportWithheld(ctx context.Context, withheld app.Withheld, rel ...any) {
	if len(withheld) == 0 {
		return
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return
	}
	for _, field := range withheld {
		steps := append(append([]any{}, rel...), lowerFirst(field))
		seen := map[string]bool{}
		for _, path := range responsePaths(fc.Field.Selections, fc.Path(), steps) {
			if key := path.String(); !seen[key] {
				seen[key] = true
				graphql.AddError(ctx, gqlerror.WrapPath(path, app.ErrReasonRequired))
			}
		}
	}
}

// reportWithheldMatches answers a search that matched cases only a stated reason
// would show with a REASON_REQUIRED error on the list: the page holds the rest.
func reportWithheldMatches(ctx context.Context) {
	err := fmt.Errorf("the search matched cases that are shown only for a stated reason: %w", app.ErrReasonRequired)
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		graphql.AddError(ctx, gqlerror.WrapPath(fc.Path(), err))
	}
}

// responsePaths follows steps (field names, list indexes) through a selection set and
// returns the response path of each place they lead to.
func responsePaths(set ast.SelectionSet, at ast.Path, steps []any) []ast.Path {
	if len(steps) == 0 {
		return []ast.Path{at}
	}
	if i, ok := steps[0].(int); ok { // an element of the list just reached: same selection
		return responsePaths(set, append(append(ast.Path{}, at...), ast.PathIndex(i)), steps[1:])
	}
	name, _ := steps[0].(string)
	var out []ast.Path
	for _, f := range fieldsNamed(set, name) {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		out = append(out, responsePaths(f.SelectionSet, append(append(ast.Path{}, at...), ast.PathName(key)), steps[1:])...)
	}
	return out
}

// fieldsNamed lists the fields of set (fragments included) that select name.
func fieldsNamed(set ast.SelectionSet, name string) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name {
				out = append(out, s)
			}
		case *ast.InlineFragment:
			out = append(out, fieldsNamed(s.SelectionSet, name)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, fieldsNamed(s.Definition.SelectionSet, name)...)
			}
		}
	}
	return out
}

// lowerFirst turns a Go field name into the schema's (Reason → reason).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
