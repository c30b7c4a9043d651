package api

import (
	"github.com/waymark-org/waymark/api/graph"
	"github.com/waymark-org/waymark/app"
)

func contactToGraph(rules *app.ContactRules) *graph.SafeContactRules {
	if rules == nil {
		return nil
	}
	return &graph.SafeContactRules{
		Allowed: nonNil(rules.Allowed), Forbidden: nonNil(rules.Forbidden), Notes: optional(rules.Notes), SetAt: rules.SetAt,
	}
}
