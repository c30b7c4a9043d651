package analytics

import _ "embed"

// AsyncAPI is the feed's contract, analytics/asyncapi.yaml (AsyncAPI 3.0): the one
// source of truth for the stream, its subjects and every message's JSON Schema.
//
//go:embed asyncapi.yaml
var AsyncAPI []byte
