package api

import "testing"

// The response's media type, chosen from Accept as the GraphQL-over-HTTP
// specification says: the new type when the client takes it at least as much as the
// legacy one, the legacy one for wildcards and for clients that send no Accept, and
// nothing (406) for a client that takes neither.
func TestResponseMedia(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                  mediaJSON,
		"application/json":                  mediaJSON,
		"application/json; charset=utf-8":   mediaJSON,
		"*/*":                               mediaJSON,
		"application/*":                     mediaJSON,
		"text/html, */*;q=0.1":              mediaJSON,
		"application/graphql-response+json": mediaGraphQLResponse,
		"Application/GraphQL-Response+JSON": mediaGraphQLResponse,
		"application/graphql-response+json, application/json":             mediaGraphQLResponse,
		"application/json, application/graphql-response+json":             mediaGraphQLResponse,
		"application/graphql-response+json;q=0.9, application/json":       mediaJSON,
		"application/graphql-response+json, application/json;q=0.9":       mediaGraphQLResponse,
		"application/graphql-response+json;charset=utf-8, */*;q=0.8":      mediaGraphQLResponse,
		"application/graphql-response+json;q=0, application/json":         mediaJSON,
		"application/json;q=0, application/graphql-response+json;q=0.1":   mediaGraphQLResponse,
		"application/graphql-response+json;q=bad, application/json;q=0.5": mediaJSON,
		"text/html":                             "",
		"application/json;q=0":                  "",
		"application/json;q=0, */*":             "",
		"application/xml, text/plain":           "",
		"application/graphql-response+json;q=0": "",
	} {
		got, ok := responseMedia(accept)
		if got != want || ok != (want != "") {
			t.Errorf("Accept %q: %q %v, want %q", accept, got, ok, want)
		}
	}
}
