package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// A response is written byte for byte as json.Marshal writes it, whichever path it
// takes.
func TestMarshalResponseIsJSONMarshal(t *testing.T) {
	yes := true
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage(`{"case":{"id":"c1","version":20,"journey":[{"type":"SurvivorReferred","at":"2026-12-03T07:00:00Z"}]}}`)},
		{Data: json.RawMessage(`{"s":"Añadió: José \u00e9 \"quoted\" \\ \n tab\t"}`)},
		{Data: json.RawMessage(`{"n":null,"l":[],"o":{},"f":1.5e-7,"b":false}`)},
		{Data: json.RawMessage(`null`)},
		{Data: nil},
		{Data: json.RawMessage(`{"s":"<script>alert(1)</script> & more"}`)},
		{Data: json.RawMessage("{\"s\":\"line\u2028separator\u2029para € …\"}")},
		{Data: json.RawMessage(`{"case":null}`), Errors: gqlerror.List{{Message: "case not found", Extensions: map[string]any{"code": "NOT_FOUND"}}}},
		{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": 3}},
		{Data: json.RawMessage(`{"a":1}`), Label: "l", HasNext: &yes},
	} {
		want, wantErr := json.Marshal(resp)
		got, err := marshalResponse(resp)
		if !bytes.Equal(got, want) || (err == nil) != (wantErr == nil) {
			t.Errorf("data %s:\n got %s (%v)\nwant %s (%v)", resp.Data, got, err, want, wantErr)
		}
	}
}
