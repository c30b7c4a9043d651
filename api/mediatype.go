package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The media types of GraphQL responses, as the GraphQL-over-HTTP specification has
// them. application/graphql-response+json says in its status code what happened (400
// for a request that never ran); application/json is the legacy one, which answers 200
// to every well-formed request, errors or not, because older clients read a non-2xx
// status as a transport failure and never look at the errors.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// contentType is the Content-Type header of a response in media: always UTF-8.
func contentType(media string) string { return media + "; charset=utf-8" }

// responseMedia chooses a response's media type from the request's Accept header:
// application/graphql-response+json when the client accepts it at least as much as
// application/json (so a client that lists both gets it), else application/json when
// accepted by name or by a wildcard, or when there is no Accept at all (the
// specification's rule for legacy clients). ok is false when the client accepts
// neither: the request is answered 406.
func responseMedia(accept string) (media string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	gql, json, wildcard := -1.0, -1.0, -1.0 // -1: not named
	for _, part := range strings.Split(accept, ",") {
		name, q, valid := mediaRange(part)
		if !valid {
			continue
		}
		switch name {
		case mediaGraphQLResponse:
			gql = max(gql, q)
		case mediaJSON:
			json = max(json, q)
		case "*/*", "application/*":
			wildcard = max(wildcard, q)
		}
	}
	switch {
	case gql > 0 && gql >= json:
		return mediaGraphQLResponse, true
	case json > 0 || (json < 0 && wildcard > 0):
		return mediaJSON, true
	}
	return "", false
}

// mediaRange reads one entry of an Accept header: its lower-case media range and its
// quality (1 unless given).
func mediaRange(part string) (name string, q float64, ok bool) {
	params := strings.Split(part, ";")
	name = strings.ToLower(strings.TrimSpace(params[0]))
	if name == "" {
		return "", 0, false
	}
	q = 1
	for _, p := range params[1:] {
		key, value, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(key), "q") {
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil || v < 0 || v > 1 {
				return "", 0, false
			}
			q = v
		}
	}
	return name, q, true
}

// errorMedia is the media type of an error answered before a GraphQL request is read
// (a bad token, the rate limit, a body too large, a request that is not GraphQL): the
// negotiated one, or application/json when the client accepts neither, since an error
// is better understood than a bare 406.
func errorMedia(r *http.Request) string {
	if media, ok := responseMedia(r.Header.Get("Accept")); ok {
		return media
	}
	return mediaJSON
}

// requestErrorStatus is the HTTP status of a request that failed before execution
// began (a document that does not parse or validate, variables that do not coerce, a
// limit): 200 in application/json, and in application/graphql-response+json 400 — or
// 500 and 503 for the server's own failures, which are no fault of the request.
func requestErrorStatus(media string, errs gqlerror.List) int {
	if media == mediaJSON {
		return http.StatusOK
	}
	for _, err := range errs {
		switch code, _ := err.Extensions["code"].(string); code {
		case CodeInternal:
			return http.StatusInternalServerError
		case CodeUnavailable:
			return http.StatusServiceUnavailable
		}
	}
	return http.StatusBadRequest
}
