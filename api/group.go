package api

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/waymark-org/waymark/app"
)

// groupDirective is where a Case field is authorised: every field carries the
// sensitivity group it belongs to (@group in the schema), and app decides per group
// (app.Case.Authorize). A field the caller may not read is null with its error. app's
// own methods decide again for the group they hand out, so a field that lacked the
// directive would still show nothing its caller may not see.
func (r *Resolver) groupDirective(ctx context.Context, obj any, next graphql.Resolver, name app.Group) (any, error) {
	c, ok := obj.(*app.Case)
	if !ok {
		return nil, fmt.Errorf("@group on %T: %w", obj, errInternal)
	}
	if err := c.Authorize(ctx, name); err != nil {
		return nil, err
	}
	return next(ctx)
}
