package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Waymark's own HTTP transports for GraphQL, in place of gqlgen's POST and GET.
// gqlgen's POST transport puts the whole request body into the error message when the
// body does not decode, and that message reached the log: survivors' names, phones
// and notes included. These transports decode strictly and answer every malformed
// request with HTTP 400 (413 past the size limit), a code and a sentence that never
// quotes the body, the document or a variable's value.
//
// They follow the GraphQL-over-HTTP specification (checked by the graphql-http audit,
// cmd/waymark/graphqlspec_test.go): the response's media type is negotiated from
// Accept (mediatype.go), a request that never ran has no data entry, and its status
// is 400 in application/graphql-response+json and 200 in application/json.

// postTransport serves POST /graphql with a JSON body.
type postTransport struct{}

var _ graphql.Transport = postTransport{}

func (postTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == ""
}

func (postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	media, ok := negotiate(w, r)
	if !ok {
		return
	}
	if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
		writeError(w, r, http.StatusBadRequest, "send the request with Content-Type: application/json", CodeBadRequest)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, r, http.StatusRequestEntityTooLarge, bodyTooLarge, CodePayloadTooLarge)
			return
		}
		writeError(w, r, http.StatusBadRequest, "the request body could not be read to its end", CodeBadRequest)
		return
	}
	params, err := decodePostBody(body)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error(), CodeBadRequest)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(r.Context(), w, exec, params, media, false)
}

// getTransport serves GET /graphql?query=...: queries only (a GET must not change
// anything), and personal data does not belong in URLs, which end up in logs.
type getTransport struct{}

var _ graphql.Transport = getTransport{}

func (getTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	media, ok := negotiate(w, r)
	if !ok {
		return
	}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "the URL's query string is malformed", CodeBadRequest)
		return
	}
	params, err := decodeGetParams(values)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error(), CodeBadRequest)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(r.Context(), w, exec, params, media, true)
}

// otherMethods answers every request the transports before it do not take.
type otherMethods struct{}

var _ graphql.Transport = otherMethods{}

func (otherMethods) Supports(*http.Request) bool { return true }

func (otherMethods) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	w.Header().Set("Allow", "GET, POST, OPTIONS")
	writeError(w, r, http.StatusMethodNotAllowed, "send GraphQL requests with POST (or GET for queries)", CodeBadRequest)
}

const bodyTooLarge = "the request body is larger than the limit of 1 MiB"

// negotiate chooses the response's media type; a client that accepts none Waymark
// writes is answered 406 (the specification's recommended choice) and ok is false.
func negotiate(w http.ResponseWriter, r *http.Request) (media string, ok bool) {
	if media, ok = responseMedia(r.Header.Get("Accept")); !ok {
		writeError(w, r, http.StatusNotAcceptable, "accept "+mediaGraphQLResponse+" or "+mediaJSON, CodeNotAcceptable)
	}
	return media, ok
}

// execute runs one operation and writes its response in media. A request that fails
// before execution begins (a document that does not parse or validate, variables
// that do not coerce, a limit) is answered without data, with requestErrorStatus;
// once it ran, the answer is 200 with data and any errors.
func execute(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, params *graphql.RawParams, media string, queriesOnly bool) {
	w.Header().Set("Content-Type", contentType(media))
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	noteOperation(w, opCtx) // for the request's log line and metrics (requestlog.go)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeErrors(w, media, requestErrorStatus(media, resp.Errors), resp.Errors)
		return
	}
	if queriesOnly && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		err := gqlerror.Errorf("GET runs queries only: send a %s with POST", opCtx.Operation.Operation)
		errcode.Set(err, CodeBadRequest)
		writeErrors(w, media, http.StatusMethodNotAllowed, gqlerror.List{err})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, responses(ctx))
}

// writeErrors answers a request that did not run: errors and no data entry.
func writeErrors(w http.ResponseWriter, media string, status int, errs gqlerror.List) {
	b, err := json.Marshal(struct {
		Errors gqlerror.List `json:"errors"`
	}{errs})
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Type", contentType(media))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeResponse(w io.Writer, resp *graphql.Response) {
	b, err := marshalResponse(resp)
	if err != nil {
		// Only a response with errors or extensions that are not JSON fails here (data
		// alone is written as gqlgen wrote it), and the data is ours: never echo it.
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	_, _ = w.Write(b)
}

// marshalResponse is json.Marshal(resp), byte for byte. A response of data alone —
// most of them — is written around gqlgen's data as it is: json.Marshal would only
// copy it again, compacting what gqlgen wrote compact, unless it has a character
// json.Marshal escapes (<, >, & and the line separators U+2028 and U+2029, whose
// UTF-8 starts 0xE2), which takes the slow path.
func marshalResponse(resp *graphql.Response) ([]byte, error) {
	if len(resp.Errors) > 0 || resp.Label != "" || len(resp.Path) > 0 || resp.HasNext != nil || len(resp.Extensions) > 0 ||
		len(resp.Data) == 0 || escapesSome(resp.Data) {
		return json.Marshal(resp)
	}
	b := make([]byte, 0, len(`{"data":}`)+len(resp.Data))
	b = append(b, `{"data":`...)
	b = append(b, resp.Data...)
	return append(b, '}'), nil
}

// escapesSome says whether json.Marshal would write data otherwise than it is, as far
// as characters go: the HTML-sensitive ones, and any UTF-8 sequence starting 0xE2
// (some of which are U+2028 and U+2029).
func escapesSome(data []byte) bool {
	for _, c := range data {
		switch c {
		case '<', '>', '&', 0xE2:
			return true
		}
	}
	return false
}
