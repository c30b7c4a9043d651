package api

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// requested reports whether the current field's selection asks for the field at path
// (e.g. "dueDiligencePacks", "staffName"). Personal data nested in a non-personal group
// is decrypted — and its access recorded — only when the caller asked for it.
func requested(ctx context.Context, path ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	return selects(fc.Field.Selections, path)
}

func selects(set ast.SelectionSet, path []string) bool {
	if len(path) == 0 {
		return true
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == path[0] && selects(s.SelectionSet, path[1:]) {
				return true
			}
		case *ast.InlineFragment:
			if selects(s.SelectionSet, path) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && selects(s.Definition.SelectionSet, path) {
				return true
			}
		}
	}
	return false
}
