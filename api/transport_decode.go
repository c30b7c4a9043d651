package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/99designs/gqlgen/graphql"
)

// A request's GraphQL parameters, decoded strictly. Every error here is a sentence
// for the caller that names what is wrong and where, and never quotes the request:
// the body may be full of a survivor's personal data.

var errNoQuery = errors.New("the request has no query: send {\"query\": \"...\"}")

// decodePostBody reads a POST body: one JSON object with a string query and optional
// operationName, variables and extensions, and nothing after it.
func decodePostBody(body []byte) (*graphql.RawParams, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("the request body is empty: send a JSON object with a query")
	}
	var syntax *json.SyntaxError
	if err := json.Unmarshal(body, new(json.RawMessage)); errors.As(err, &syntax) {
		return nil, fmt.Errorf("the request body is not valid JSON (the error is at byte %d)", syntax.Offset)
	} else if err != nil {
		return nil, errors.New("the request body is not valid JSON")
	}
	if trimmed[0] != '{' {
		return nil, fmt.Errorf("the request body must be a JSON object, not %s", jsonKind(trimmed))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, errors.New("the request body is not a JSON object")
	}
	for name := range fields {
		switch name {
		case "query", "operationName", "variables", "extensions":
		default:
			return nil, errors.New("the request body may only have the fields query, operationName, variables and extensions")
		}
	}
	params := &graphql.RawParams{}
	var err error
	if params.Query, err = stringField(fields, "query"); err != nil {
		return nil, err
	}
	if params.Query == "" {
		return nil, errNoQuery
	}
	if params.OperationName, err = stringField(fields, "operationName"); err != nil {
		return nil, err
	}
	if params.Variables, err = objectField(fields["variables"], "variables"); err != nil {
		return nil, err
	}
	if params.Extensions, err = objectField(fields["extensions"], "extensions"); err != nil {
		return nil, err
	}
	return params, nil
}

// decodeGetParams reads GET /graphql's URL parameters; variables and extensions are
// JSON objects.
func decodeGetParams(values url.Values) (*graphql.RawParams, error) {
	params := &graphql.RawParams{Query: values.Get("query"), OperationName: values.Get("operationName")}
	if params.Query == "" {
		return nil, errNoQuery
	}
	var err error
	for _, f := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		raw := values.Get(f.name)
		if raw == "" {
			continue
		}
		if !json.Valid([]byte(raw)) {
			return nil, fmt.Errorf("the %s parameter is not valid JSON", f.name)
		}
		if *f.dst, err = objectField(json.RawMessage(raw), f.name); err != nil {
			return nil, err
		}
	}
	return params, nil
}

// stringField reads an optional string field (null is absent).
func stringField(fields map[string]json.RawMessage, name string) (string, error) {
	raw, ok := fields[name]
	if !ok || isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%s must be a string, not %s", name, jsonKind(raw))
	}
	return s, nil
}

// objectField reads an optional JSON object (null is absent). Numbers stay
// json.Number, so that Int coercion sees exactly what was sent.
func objectField(raw json.RawMessage, name string) (map[string]any, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%s must be a JSON object, not %s", name, jsonKind(trimmed))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("%s must be a JSON object", name)
	}
	return out, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// jsonKind names the kind of JSON value raw starts with (never the value).
func jsonKind(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return "nothing"
	}
	switch c := raw[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return "something else"
}
