package api

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/waymark-org/waymark/app"
	"github.com/waymark-org/waymark/auth"
)

// Error codes in extensions.code. Malformed documents keep gqlgen's own
// GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED (and DEPTH_LIMIT_EXCEEDED,
// COMPLEXITY_LIMIT_EXCEEDED for the limits).
const (
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeForbidden         = "FORBIDDEN"
	CodeNotFound          = "NOT_FOUND"
	CodeBadUserInput      = "BAD_USER_INPUT"
	CodeConflict          = "CONFLICT"
	CodeInvalidTransition = "INVALID_TRANSITION"
	CodeInternal          = "INTERNAL"
	// CodeBadRequest is an HTTP request that is not a GraphQL request: a body that
	// is not a JSON object, a query that is not a string, the wrong content type or
	// method (HTTP 400 or 405).
	CodeBadRequest = "BAD_REQUEST"
	// CodeNotAcceptable is a request whose Accept header takes neither
	// application/graphql-response+json nor application/json (406).
	CodeNotAcceptable = "NOT_ACCEPTABLE"
	// CodePayloadTooLarge is a body over MaxBodyBytes, with or without a length (413).
	CodePayloadTooLarge = "PAYLOAD_TOO_LARGE"
	// CodePersonalDataLimit is a request reading the personal data of more cases than
	// app.MaxPersonalCasesPerRequest; the fields past it are null with this error.
	CodePersonalDataLimit = "PERSONAL_DATA_LIMIT_EXCEEDED"
	// CodeUnavailable is a read that waited longer than the read timeout for the read
	// models to reach its minPosition, a store Waymark depends on that did not
	// answer in time (a node lost, an election), or a request that reached its
	// deadline (Config.RequestTimeout) waiting on one: retry shortly.
	CodeUnavailable = "UNAVAILABLE"
	// CodeReasonRequired is personal data a stated reason would open: an auditor
	// reading it without an X-Access-Reason header. The field is null with this error
	// (a whole field group, or one sealed field inside a group the auditor reads).
	CodeReasonRequired = "REASON_REQUIRED"
	// CodeCancelled is a request cancelled before it finished: its client closed the
	// connection, or the server is shutting down. The client is usually gone; the code
	// keeps the end of its request out of INTERNAL, which is a bug report.
	CodeCancelled = "CANCELLED"
)

// reasonRequiredMessage is REASON_REQUIRED's sentence: what is missing and how to give it.
const reasonRequiredMessage = "a reason is needed: an auditor reads personal data only with a stated reason; " +
	"send it in the " + HeaderAccessReason + " header (at least two words, e.g. \"complaint 2026-14 review\"), " +
	"and the read is recorded in the access log"

// unavailableMessage is UNAVAILABLE's sentence for a store that did not answer: what
// happened and what to do, without the store's own words (they name streams and ids).
const unavailableMessage = "a store Waymark depends on did not answer in time (a node lost or a leader being elected); " +
	"retry shortly: a mutation retried with the same commandId is applied once"

// requestTimeoutMessage is UNAVAILABLE's sentence for a request that reached its
// deadline (DefaultRequestTimeout) waiting on something that did not answer.
const requestTimeoutMessage = "the request did not finish within the time the server gives one (a store or the read models did not answer in time); " +
	"retry shortly: a mutation retried with the same commandId is applied once"

// cancelledMessage is CANCELLED's sentence.
const cancelledMessage = "the request was cancelled before it finished (the client closed the connection, or the server is shutting down); " +
	"a mutation retried with the same commandId is applied once"

// codeOf maps an error to its code: the one place errors become API codes. app hands
// the API its own errors only (the domain's, the store's and sealing's wrapped into
// app's kinds), and a bad token is auth's.
func codeOf(err error) string {
	switch {
	case errors.Is(err, app.ErrUnauthenticated), errors.Is(err, auth.ErrInvalidToken):
		return CodeUnauthenticated
	case errors.Is(err, app.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, app.ErrReasonRequired): // before ErrForbidden, which it wraps
		return CodeReasonRequired
	case errors.Is(err, app.ErrForbidden):
		return CodeForbidden
	case errors.Is(err, app.ErrConflict):
		return CodeConflict
	case errors.Is(err, app.ErrNotCaughtUp), app.Unavailable(err):
		return CodeUnavailable
	case errors.Is(err, app.ErrPersonalDataLimit):
		return CodePersonalDataLimit
	case errors.Is(err, app.ErrInvalidTransition), errors.Is(err, app.ErrErased):
		return CodeInvalidTransition
	case errors.Is(err, app.ErrBadInput), errors.Is(err, app.ErrCommandReused), errors.Is(err, app.ErrOrganisationDeactivated):
		return CodeBadUserInput
	}
	return CodeInternal
}

// presentError gives every error its extensions.code. It never logs a request's
// document, variables or values, nor repeats them in a message: input errors get a
// sentence naming what is wrong where (input.go), and internal errors are logged with
// their code, path and a description with quoted values taken out, and shown without
// detail (their text may name streams or ids).
func presentError(logger *slog.Logger, schema *ast.Schema) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		switch code, _ := gqlErr.Extensions["code"].(string); {
		case code == errcode.ValidationFailed && isVariablePath(gqlErr.Path):
			// gqlparser coerced the request's variables: bad input, not a bad document.
			presentInput(schema, gqlErr)
			return gqlErr
		case code == errcode.ParseFailed || code == errcode.ValidationFailed:
			gqlErr.Message = redactQuoted(gqlErr.Message, isName)
			return gqlErr
		case code != "":
			return gqlErr // already coded (limits, the access-log collector)
		}
		if isInputCoercion(ctx, err) {
			presentInput(schema, gqlErr)
			return gqlErr
		}
		code := codeOf(err)
		if code == CodeInternal && errors.Is(ctx.Err(), context.DeadlineExceeded) && errors.Is(err, context.DeadlineExceeded) {
			// The request's own deadline (bounded): what it waited for did not come in time.
			logger.WarnContext(ctx, "request ended at its deadline: what it waited for did not answer", "path", safePath(gqlErr.Path), "err", safeDescription(err))
			gqlErr.Extensions["code"] = CodeUnavailable
			gqlErr.Message = requestTimeoutMessage
			return gqlErr
		}
		if code == CodeInternal && ctx.Err() != nil && errors.Is(err, context.Canceled) {
			// The request's own end, not a failure of the server (an error of a context
			// of the server's own that was cancelled stays INTERNAL).
			gqlErr.Extensions["code"] = CodeCancelled
			gqlErr.Message = cancelledMessage
			return gqlErr
		}
		if strings.HasSuffix(err.Error(), "introspection disabled") { // gqlgen's own, without a code
			code = CodeForbidden
			gqlErr.Message = "introspection is available with --dev or --demo only"
		}
		gqlErr.Extensions["code"] = code
		var conflict *app.ConflictError
		if errors.As(err, &conflict) {
			gqlErr.Extensions["actualVersion"] = conflict.Actual
		}
		if errors.Is(err, app.ErrTampered) {
			logger.ErrorContext(ctx, "sealed personal data failed its integrity check", "path", safePath(gqlErr.Path), "err", safeDescription(err))
			gqlErr.Message = "personal data failed its integrity check"
			return gqlErr
		}
		if code == CodeReasonRequired {
			gqlErr.Message = reasonRequiredMessage
		}
		if code == CodeUnavailable && app.Unavailable(err) {
			logger.WarnContext(ctx, "request refused: a store did not answer in time", "path", safePath(gqlErr.Path), "err", safeDescription(err))
			gqlErr.Message = unavailableMessage
		}
		if code == CodeInternal {
			logger.ErrorContext(ctx, "request failed", "code", code, "path", safePath(gqlErr.Path), "err", safeDescription(err))
			gqlErr.Message = "internal error"
		}
		return gqlErr
	}
}
