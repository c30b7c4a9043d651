package api

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// selectionDepth counts fields only: fragments (spread or inline) add no level, and a
// fragment cycle (which validation rejects later) does not loop.
func TestSelectionDepth(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  int
	}{
		{`{ a }`, 1},
		{`{ a { b { c } } d }`, 3},
		{`{ a { ... on T { b { c } } } }`, 3},
		{`{ a { ...F } } fragment F on T { b { ... on T { c { d } } } }`, 4},
		{`{ a { ...F } } fragment F on T { b { ...F } }`, 2},
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: tt.query})
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range doc.Operations {
			resolveSpreads(op.SelectionSet, doc.Fragments)
			if got := selectionDepth(op.SelectionSet, map[string]bool{}); got != tt.want {
				t.Errorf("%s: depth %d, want %d", tt.query, got, tt.want)
			}
		}
	}
}

// resolveSpreads links fragment spreads to their definitions, as validation does.
func resolveSpreads(set ast.SelectionSet, fragments ast.FragmentDefinitionList) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			resolveSpreads(s.SelectionSet, fragments)
		case *ast.InlineFragment:
			resolveSpreads(s.SelectionSet, fragments)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				s.Definition = fragments.ForName(s.Name)
				if s.Definition != nil {
					resolveSpreads(s.Definition.SelectionSet, fragments)
				}
			}
		}
	}
}
