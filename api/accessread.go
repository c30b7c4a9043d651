package api

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/app"
)

// recordAccess carries one app.AccessCollector per operation: resolvers that read
// personal data note it there (the rule is app's), and the collected reads — one
// access-log entry per case — are recorded after execution and before the response
// is handed to the transport. If they cannot be recorded, the response carries no
// data, only a coded error.
type recordAccess struct {
	svc    *app.Service
	logger *slog.Logger
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = recordAccess{}

func (recordAccess) ExtensionName() string                   { return "RecordAccess" }
func (recordAccess) Validate(graphql.ExecutableSchema) error { return nil }

func (r recordAccess) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	collector := app.NewAccessCollector()
	resp := next(app.WithAccessCollector(ctx, collector))
	if err := r.svc.RecordCollected(ctx, collector); err != nil {
		r.logger.ErrorContext(ctx, "response withheld: its reads of personal data could not be recorded",
			"cases", collector.Cases(), "err", safeDescription(err))
		gqlErr := gqlerror.Errorf("the reads of personal data in this request could not be recorded, so the response is withheld; " +
			"a mutation in it may have been applied: retry it with the same commandId")
		code := CodeInternal
		if app.Unavailable(err) {
			code = CodeUnavailable // the access log's store did not answer: retry shortly
		}
		errcode.Set(gqlErr, code)
		return &graphql.Response{Errors: gqlerror.List{gqlErr}}
	}
	return resp
}
