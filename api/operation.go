package api

import (
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/waymark-org/waymark/app"
)

// What the request log and the metrics say about a GraphQL operation. Its identity in
// the metrics is its type and root field: names the schema defines, a closed set (the
// operation name is whatever the client chose, and the fields an operation combines
// are too many to count apart: several distinct root fields are "multiple"). The log
// line lists the root fields and the operation name, cut to maxOperationName
// (GraphQL's grammar keeps a name to letters, digits and '_').
const (
	operationNone     = "none"
	rootFieldMultiple = "multiple"
	maxOperationName  = 64
	maxLoggedFields   = 8 // root fields listed in a log line; more end in "…"
)

// noteOperation notes a parsed operation (also one refused afterwards: a bad variable,
// a limit) for the request's log line and metrics. Subscriptions are left out: they
// run over websockets, several at once, for as long as the socket lasts.
func noteOperation(w http.ResponseWriter, opCtx *graphql.OperationContext) {
	ex := exchangeOf(w)
	if ex == nil || opCtx == nil || opCtx.Operation == nil || opCtx.Operation.Operation == ast.Subscription {
		return
	}
	op := opCtx.Operation
	ex.operation.typ = string(op.Operation)
	ex.operation.field, ex.operation.fields = rootFields(op.SelectionSet)
	name := opCtx.OperationName
	if name == "" {
		name = op.Name
	}
	if len(name) > maxOperationName {
		name = name[:maxOperationName]
	}
	ex.operation.name = name
}

// rootFields returns an operation's root field (rootFieldMultiple when it selects
// several distinct ones) and the list of them for a log line. Aliases are not
// names: the field's own name is.
func rootFields(set ast.SelectionSet) (label, list string) {
	var names [maxLoggedFields]string
	n, more := collectRoot(set, names[:], 0, false, 0)
	switch {
	case n == 0:
		return operationNone, ""
	case n == 1 && !more:
		return names[0], names[0]
	}
	list = strings.Join(names[:n], ",")
	if more {
		list += ",…"
	}
	return rootFieldMultiple, list
}

// collectRoot adds the distinct field names of set, through its fragments, to names[:n].
func collectRoot(set ast.SelectionSet, names []string, n int, more bool, depth int) (int, bool) {
	if depth > MaxDepth { // validation rejects fragment cycles; never loop on one here
		return n, more
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if containsName(names[:n], s.Name) {
				continue
			}
			if n == len(names) {
				more = true
				continue
			}
			names[n] = s.Name
			n++
		case *ast.InlineFragment:
			n, more = collectRoot(s.SelectionSet, names, n, more, depth+1)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				n, more = collectRoot(s.Definition.SelectionSet, names, n, more, depth+1)
			}
		}
	}
	return n, more
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// noteCaller notes the authenticated caller for the request's log line.
func noteCaller(w http.ResponseWriter, actor app.Actor) {
	if ex := exchangeOf(w); ex != nil {
		ex.caller.subject, ex.caller.organisation, ex.caller.role = actor.ID, actor.Organisation, string(actor.Role)
	}
}
