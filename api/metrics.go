package api

import "time"

// Metrics is what the HTTP API reports (internal/metrics implements it; nil in
// Config: nothing). Label values come from closed sets: the callers below, operation
// types, and root field names the schema defines — never what a client wrote.
type Metrics interface {
	// RateLimited counts a request refused for its rate. caller is "token" (an
	// authenticated caller's subject), "anonymous" (by remote address) or "socket"
	// (websocket upgrades, by remote address).
	RateLimited(caller string)
	// GraphQL records one GraphQL request over HTTP: its operation type and root
	// field (rootFieldMultiple, or "none" for a request refused before its operation
	// was known), and how long it took.
	GraphQL(operationType, rootField string, took time.Duration)
}

type noMetrics struct{}

func (noMetrics) RateLimited(string)                    {}
func (noMetrics) GraphQL(string, string, time.Duration) {}
