package api

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
	"github.com/waymark-org/waymark/domain"
	"github.com/waymark-org/waymark/eventstore"
	"github.com/waymark-org/waymark/sealing"
)

// Error codes in extensions.code. Malformed documents keep gqlgen's own
// GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED.
const (
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeForbidden         = "FORBIDDEN"
	CodeNotFound          = "NOT_FOUND"
	CodeBadUserInput      = "BAD_USER_INPUT"
	CodeConflict          = "CONFLICT"
	CodeInvalidTransition = "INVALID_TRANSITION"
	CodeInternal          = "INTERNAL"
)

// codeOf maps an error to its code: the one place domain and application errors
// become API codes.
func codeOf(err error) string {
	switch {
	case errors.Is(err, app.ErrUnauthenticated), errors.Is(err, auth.ErrInvalidToken):
		return CodeUnauthenticated
	case errors.Is(err, app.ErrNotFound), errors.Is(err, domain.ErrCaseNotFound):
		return CodeNotFound
	case errors.Is(err, app.ErrForbidden):
		return CodeForbidden
	case errors.Is(err, app.ErrConflict):
		return CodeConflict
	case errors.Is(err, domain.ErrInvalidTransition), errors.Is(err, domain.ErrConsentRequired),
		errors.Is(err, app.ErrErased), errors.Is(err, sealing.ErrKeyDestroyed):
		return CodeInvalidTransition
	case errors.Is(err, app.ErrBadInput), errors.Is(err, app.ErrCommandReused), errors.Is(err, app.ErrOrganisationDeactivated),
		errors.Is(err, domain.ErrInvalidInput), errors.Is(err, domain.ErrUnknownOrganisation),
		errors.Is(err, domain.ErrWrongOrganisationKind), errors.Is(err, domain.ErrAlreadyExists),
		errors.Is(err, eventstore.ErrInvalidPosition):
		return CodeBadUserInput
	}
	return CodeInternal
}

// presentError gives every resolver error its extensions.code. Internal errors are
// logged and shown without detail: their text may name streams or ids.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr.Extensions != nil && gqlErr.Extensions["code"] != nil {
			return gqlErr // gqlgen's own (parse, validation) or already coded
		}
		code := codeOf(err)
		if strings.HasSuffix(err.Error(), "introspection disabled") { // gqlgen's own, without a code
			code = CodeForbidden
			gqlErr.Message = "introspection is available with --dev or --demo only"
		}
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["code"] = code
		var conflict *app.ConflictError
		if errors.As(err, &conflict) {
			gqlErr.Extensions["actualVersion"] = conflict.Actual
		}
		if errors.Is(err, sealing.ErrTampered) {
			logger.ErrorContext(ctx, "sealed personal data failed its integrity check", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Message = "personal data failed its integrity check"
			return gqlErr
		}
		if code == CodeInternal {
			logger.ErrorContext(ctx, "request failed", "path", gqlErr.Path.String(), "err", err)
			gqlErr.Message = "internal error"
		}
		return gqlErr
	}
}
